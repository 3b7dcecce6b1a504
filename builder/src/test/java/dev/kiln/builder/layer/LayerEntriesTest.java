package dev.kiln.builder.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LayerEntriesTest {

    private static List<String> paths(List<LayerEntry> entries) {
        return entries.stream().map(LayerEntry::path).toList();
    }

    @Test
    void sortsByUtf8BytesNotUtf16() {
        // U+FF61 is EF BD A1 in UTF-8, U+1F600 is F0 9F 98 80: UTF-8 order puts U+FF61 first,
        // String.compareTo (UTF-16: FF61 vs D83D) puts the emoji first
        String halfwidth = "\uFF61";
        String emoji = "\uD83D\uDE00";
        assertTrue(emoji.compareTo(halfwidth) < 0);
        List<LayerEntry> sorted = LayerEntries.canonical(List.of(LayerEntry.directory(emoji, 0755),
                LayerEntry.directory(halfwidth, 0755), LayerEntry.directory("Z", 0755), LayerEntry.directory("a", 0755)));
        assertEquals(List.of("Z", "a", halfwidth, emoji), paths(sorted));
    }

    @Test
    void sortsByWholePathAndAddsMissingParents() {
        List<LayerEntry> sorted = LayerEntries.canonical(List.of(
                LayerEntry.file("a/b/c", 0644, new byte[0]),
                LayerEntry.file("a-b", 0644, new byte[0]),
                LayerEntry.directory("a", 0700)));
        // '-' (0x2d) sorts before '/' (0x2f): byte order of the full path
        assertEquals(List.of("a", "a-b", "a/b", "a/b/c"), paths(sorted));
        assertEquals(0700, sorted.get(0).mode(), "an explicit directory keeps its mode");
        LayerEntry implied = sorted.get(2);
        assertEquals(LayerEntry.Type.DIRECTORY, implied.type());
        assertEquals(0755, implied.mode());
        assertEquals(0, implied.uid());
        assertEquals(0, implied.gid());
    }

    @Test
    void opaqueWhiteoutComesRightAfterItsDirectory() {
        List<LayerEntry> sorted = LayerEntries.canonical(List.of(
                LayerEntry.file("d/-dash", 0644, new byte[0]),
                LayerEntry.file("d/!bang", 0644, new byte[0]),
                LayerEntry.file("d/.wh..wh..opq", 0644, new byte[0]),
                LayerEntry.file("d/.wh.gone", 0644, new byte[0]),
                LayerEntry.file(".wh..wh..opq", 0644, new byte[0]),
                LayerEntry.file("!top", 0644, new byte[0])));
        assertEquals(List.of(".wh..wh..opq", "!top", "d", "d/.wh..wh..opq", "d/!bang", "d/-dash", "d/.wh.gone"),
                paths(sorted));
    }

    @Test
    void refusesDuplicatesAndNonDirectoryParents() {
        LayerException dup = assertThrows(LayerException.class, () -> LayerEntries.canonical(List.of(
                LayerEntry.file("x", 0644, new byte[0]), LayerEntry.directory("x", 0755))));
        assertTrue(dup.getMessage().contains("two entries for path 'x'"), dup.getMessage());
        LayerException parent = assertThrows(LayerException.class, () -> LayerEntries.canonical(List.of(
                LayerEntry.symlink("lib", "usr/lib"), LayerEntry.file("lib/x.so", 0644, new byte[0]))));
        assertTrue(parent.getMessage().contains("'lib/x.so' lies under 'lib', which is a symlink"), parent.getMessage());
    }

    @Test
    void hardlinkTargetMustBeAnEarlierNonDirectory() {
        assertEquals(List.of("a", "b"), paths(LayerEntries.canonical(List.of(
                LayerEntry.hardlink("b", "a"), LayerEntry.file("a", 0644, new byte[0])))));
        LayerException later = assertThrows(LayerException.class, () -> LayerEntries.canonical(List.of(
                LayerEntry.hardlink("a", "b"), LayerEntry.file("b", 0644, new byte[0]))));
        assertTrue(later.getMessage().contains("sorts after it"), later.getMessage());
        LayerException missing = assertThrows(LayerException.class,
                () -> LayerEntries.canonical(List.of(LayerEntry.hardlink("a", "nowhere"))));
        assertTrue(missing.getMessage().contains("not in the layer"), missing.getMessage());
        LayerException dir = assertThrows(LayerException.class, () -> LayerEntries.canonical(List.of(
                LayerEntry.directory("a", 0755), LayerEntry.hardlink("b", "a"))));
        assertTrue(dir.getMessage().contains("is a directory"), dir.getMessage());
    }

    @Test
    void resultIsImmutableAndInputUntouched() {
        List<LayerEntry> input = new ArrayList<>(List.of(LayerEntry.file("b/c", 0644, new byte[0])));
        List<LayerEntry> sorted = LayerEntries.canonical(input);
        assertEquals(1, input.size());
        assertThrows(UnsupportedOperationException.class, () -> sorted.add(sorted.get(0)));
    }
}
