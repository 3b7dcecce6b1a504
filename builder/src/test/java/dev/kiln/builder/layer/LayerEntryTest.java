package dev.kiln.builder.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class LayerEntryTest {

    @Test
    void acceptsCanonicalRelativePaths() {
        for (String p : new String[] {"a", "a/b", ".hidden", "a/..b", "...", "a b/c\\d", "caf\u00e9", "\uD83D\uDE00"}) {
            assertEquals(p, LayerEntry.directory(p, 0755).path());
        }
    }

    @Test
    void refusesPathsThatAreNotCanonical() {
        for (String p : new String[] {"", "/a", "a/", "a//b", "./a", "a/./b", "..", "a/../b", "a/..", "a\0b",
            "\uD83D"}) {
            assertThrows(IllegalArgumentException.class, () -> LayerEntry.directory(p, 0755), p);
        }
        assertThrows(IllegalArgumentException.class, () -> LayerEntry.directory(null, 0755));
    }

    @Test
    void modeIsPermissionBitsOnly() {
        assertEquals(07777, LayerEntry.directory("d", 07777).mode());
        assertThrows(IllegalArgumentException.class, () -> LayerEntry.directory("d", 010000));
        assertThrows(IllegalArgumentException.class, () -> LayerEntry.file("f", 0100644, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> LayerEntry.directory("d", -1));
    }

    @Test
    void ownersAreChecked() {
        assertEquals(LayerEntry.MAX_ID, LayerEntry.directory("d", 0755).withOwner(LayerEntry.MAX_ID, 0).uid());
        assertThrows(IllegalArgumentException.class, () -> LayerEntry.directory("d", 0755).withOwner(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> LayerEntry.directory("d", 0755).withOwner(0, 1L << 32));
    }

    @Test
    void eachTypeHasExactlyItsFields() {
        ContentSource none = ContentSource.of(new byte[0]);
        assertThrows(IllegalArgumentException.class,
                () -> new LayerEntry("f", LayerEntry.Type.FILE, 0644, 0, 0, null, 0, null, null));
        assertThrows(IllegalArgumentException.class, () -> LayerEntry.file("f", 0644, -1, none));
        assertThrows(IllegalArgumentException.class,
                () -> new LayerEntry("f", LayerEntry.Type.FILE, 0644, 0, 0, "x", 0, none, null));
        assertThrows(IllegalArgumentException.class,
                () -> new LayerEntry("d", LayerEntry.Type.DIRECTORY, 0755, 0, 0, null, 1, null, null));
        assertThrows(IllegalArgumentException.class,
                () -> new LayerEntry("d", LayerEntry.Type.DIRECTORY, 0755, 0, 0, "x", 0, null, null));
        assertThrows(IllegalArgumentException.class, () -> LayerEntry.symlink("l", ""));
        assertThrows(IllegalArgumentException.class, () -> LayerEntry.symlink("l", "a\0b"));
        assertThrows(IllegalArgumentException.class,
                () -> new LayerEntry("l", LayerEntry.Type.SYMLINK, 0777, 0, 0, "t", 0, none, null));
        assertThrows(IllegalArgumentException.class, () -> LayerEntry.hardlink("h", "/abs"));
        assertThrows(IllegalArgumentException.class, () -> LayerEntry.hardlink("h", "h"));
        assertThrows(IllegalArgumentException.class, () -> LayerEntry.hardlink("h", "../x"));
        // a symlink may point anywhere: it is stored, not followed
        assertEquals("/etc/passwd", LayerEntry.symlink("l", "/etc/passwd").linkTarget());
        assertEquals("../../..", LayerEntry.symlink("l", "../../..").linkTarget());
        assertEquals(LayerEntry.Type.HARDLINK, LayerEntry.hardlink("h", "f").type());
    }

    @Test
    void paxHeadersAreCopiedSortedAndMayNotOverrideWriterFields() {
        Map<String, String> headers = new TreeMap<>(Map.of("b", "2", "MSWINDOWS.rawsd", "AQ=="));
        LayerEntry e = new LayerEntry("f", LayerEntry.Type.FILE, 0644, 0, 0, null, 0, ContentSource.of(new byte[0]),
                new TreeMap<>(headers));
        headers.put("c", "3");
        assertEquals(2, e.paxHeaders().size());
        assertEquals("MSWINDOWS.rawsd", e.paxHeaders().firstKey());
        assertThrows(UnsupportedOperationException.class, () -> e.paxHeaders().put("x", "y"));
        for (String key : new String[] {"path", "mtime", "atime", "ctime", "size", "uid", "uname", "linkpath",
            "GNU.sparse.size", "SCHILY.devmajor", "", "a=b"}) {
            IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> e.withPaxHeader(key, "1"), key);
            assertTrue(x.getMessage().contains("PAX"), x.getMessage());
        }
        assertEquals("v", e.withPaxHeader("SCHILY.xattr.user.x", "v").paxHeaders().get("SCHILY.xattr.user.x"));
    }

    @Test
    void withersKeepTheOtherFields() {
        LayerEntry e = LayerEntry.file("a/b", 0755, new byte[3]).withOwner(5, 6).withPaxHeader("k", "v");
        LayerEntry moved = e.withPath("x/a/b").withMode(0700);
        assertEquals("x/a/b", moved.path());
        assertEquals(0700, moved.mode());
        assertEquals(5, moved.uid());
        assertEquals(6, moved.gid());
        assertEquals(3, moved.size());
        assertEquals("v", moved.paxHeaders().get("k"));
    }
}
