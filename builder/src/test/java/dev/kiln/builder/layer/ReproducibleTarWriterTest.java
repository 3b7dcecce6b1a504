package dev.kiln.builder.layer;

import static dev.kiln.builder.layer.GoldenLayers.LONG_DIR;
import static dev.kiln.builder.layer.GoldenLayers.LONG_TARGET;
import static dev.kiln.builder.layer.GoldenLayers.TIMESTAMP;
import static dev.kiln.builder.layer.GoldenLayers.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReproducibleTarWriterTest {

    static byte[] tar(List<LayerEntry> entries, long timestamp) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long written = new ReproducibleTarWriter(timestamp).write(entries, out);
        assertEquals(out.size(), written);
        return out.toByteArray();
    }

    record Read(TarArchiveEntry entry, byte[] content) {
    }

    static List<Read> readBack(byte[] tar) throws IOException {
        List<Read> read = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar), "UTF-8")) {
            for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
                read.add(new Read(e, in.readAllBytes()));
            }
        }
        return read;
    }

    @Test
    void readsBackEveryFieldInOrder() throws IOException {
        List<Read> read = readBack(tar(GoldenLayers.entries(), TIMESTAMP));
        List<String> names = read.stream().map(r -> r.entry().getName()).toList();
        assertEquals(List.of(
                "data/", "data/words.txt",
                "deep/", LONG_DIR + "/", LONG_DIR + "/file.txt", "deep/link",
                "donn\u00e9es/", "donn\u00e9es/caf\u00e9.txt",
                "empty-file",
                "etc/", "etc/hostname",
                "home/", "home/user/", "home/user/.profile",
                "usr/", "usr/bin/", "usr/bin/alias", "usr/bin/tool", "usr/bin/tool2",
                "var/", "var/empty/"), names);
        for (Read r : read) {
            TarArchiveEntry e = r.entry();
            String name = e.getName();
            assertEquals(TIMESTAMP, e.getLastModifiedTime().to(TimeUnit.SECONDS), name);
            assertEquals(TIMESTAMP * 1000, e.getModTime().getTime(), name);
            assertNull(e.getLastAccessTime(), name);
            assertNull(e.getStatusChangeTime(), name);
            assertNull(e.getCreationTime(), name);
            assertEquals("", e.getUserName(), name);
            assertEquals("", e.getGroupName(), name);
            long owner = name.startsWith("home/user/.profile") ? 1000 : 0;
            assertEquals(owner, e.getLongUserId(), name);
            assertEquals(owner, e.getLongGroupId(), name);
            assertEquals(0, e.getDevMajor(), name);
            assertEquals(0, e.getDevMinor(), name);
            assertEquals(name.endsWith("/"), e.isDirectory(), name);
        }
        Map<String, Read> byName = new java.util.HashMap<>();
        read.forEach(r -> byName.put(r.entry().getName(), r));
        assertEquals(0755, byName.get("usr/").entry().getMode(), "implied parent");
        assertEquals(0755, byName.get("home/user/").entry().getMode(), "implied parent");
        assertEquals(01777, byName.get("var/empty/").entry().getMode(), "sticky bit kept");
        assertEquals(04755, byName.get("usr/bin/tool").entry().getMode(), "setuid kept");
        assertEquals(0600, byName.get("home/user/.profile").entry().getMode());
        assertEquals(0444, byName.get("empty-file").entry().getMode());
        assertEquals(0777, byName.get("usr/bin/alias").entry().getMode());

        Read tool = byName.get("usr/bin/tool");
        assertTrue(tool.entry().isFile());
        assertEquals(18, tool.entry().getSize());
        assertArrayEquals(utf8("#!/bin/sh\necho hi\n"), tool.content());

        TarArchiveEntry alias = byName.get("usr/bin/alias").entry();
        assertTrue(alias.isSymbolicLink());
        assertEquals("tool", alias.getLinkName());
        assertEquals(0, alias.getSize());

        TarArchiveEntry tool2 = byName.get("usr/bin/tool2").entry();
        assertTrue(tool2.isLink());
        assertEquals("usr/bin/tool", tool2.getLinkName());
        assertEquals(0, tool2.getSize());

        assertEquals(LONG_TARGET, byName.get("deep/link").entry().getLinkName());
        assertArrayEquals(utf8("cr\u00e8me\n"), byName.get("donn\u00e9es/caf\u00e9.txt").content());
        assertEquals(300_000, byName.get("data/words.txt").content().length);
        assertEquals(0, byName.get("empty-file").entry().getSize());
        assertTrue(byName.get("var/empty/").entry().isDirectory(), "empty directory kept");
    }

    @Test
    void paxHeadersOnlyWhereUstarCannotHoldTheValue() throws IOException {
        List<RawTar.Header> headers = RawTar.headers(tar(GoldenLayers.entries(), TIMESTAMP));
        List<String> paxFor = new ArrayList<>();
        for (int i = 0; i < headers.size(); i++) {
            RawTar.Header h = headers.get(i);
            if (h.type() == 'x') {
                RawTar.Header next = headers.get(i + 1);
                paxFor.add(next.name());
                assertFalse(h.paxRecords().contains("time="), "no time records: " + h.paxRecords());
                assertFalse(h.paxRecords().contains("uid="), h.paxRecords());
                assertEquals(next.mtime(), h.mtime(), "PAX header carries the entry's mtime, not now");
                assertTrue(RawTar.allZero(h.uname()) && RawTar.allZero(h.gname()));
            }
            assertTrue(h.type() != 'g' && h.type() != 'L' && h.type() != 'K', "no global PAX, no GNU long names");
        }
        // 5 entries need PAX: two names of 100+ bytes, one long symlink target, two non-ASCII names
        assertEquals(5, paxFor.size(), paxFor.toString());
        assertTrue(headers.stream().anyMatch(h -> h.type() == 'x'
                && h.paxRecords().equals(paxRecord("path", LONG_DIR + "/"))), "exactly one record for the long dir");
        assertTrue(headers.stream().anyMatch(h -> h.type() == 'x'
                && h.paxRecords().equals(paxRecord("path", LONG_DIR + "/file.txt"))));
        assertTrue(headers.stream().anyMatch(h -> h.type() == 'x'
                && h.paxRecords().equals(paxRecord("linkpath", LONG_TARGET))));
        assertTrue(headers.stream().anyMatch(h -> h.type() == 'x'
                && h.paxRecords().equals(paxRecord("path", "donn\u00e9es/caf\u00e9.txt"))));
        assertTrue(headers.stream().anyMatch(h -> h.type() == 'x'
                && h.paxRecords().equals(paxRecord("path", "donn\u00e9es/"))));
    }

    @Test
    void shortNameHasNoPaxHeaderAndHundredBytesHas() throws IOException {
        String name99 = "n".repeat(99);
        String name100 = "m".repeat(100);
        List<RawTar.Header> headers = RawTar.headers(tar(List.of(
                LayerEntry.file(name99, 0644, new byte[1]),
                LayerEntry.file("short", 0644, new byte[1]),
                LayerEntry.file(name100, 0644, new byte[1])), 0));
        // sorted: "mmm..." < "nnn..." < "short"; only the 100-byte name needs PAX (commons-compress
        // keeps a name in the 100-byte field only when it is shorter than 100 bytes)
        assertEquals(List.of('x', '0', '0', '0'), headers.stream().map(RawTar.Header::type).toList());
        assertEquals(paxRecord("path", name100), headers.get(0).paxRecords());
        assertEquals(name100, headers.get(1).name(), "ustar name field filled too; PAX has it all");
        assertEquals(name99, headers.get(2).name());
        assertEquals("short", headers.get(3).name());
    }

    /** One PAX record: "LEN key=value\n" where LEN counts the whole record, itself included. */
    static String paxRecord(String key, String value) {
        int rest = (" " + key + "=" + value + "\n").getBytes(StandardCharsets.UTF_8).length;
        int length = rest + 1;
        while (String.valueOf(length).length() + rest != length) {
            length++;
        }
        return length + " " + key + "=" + value + "\n";
    }

    @Test
    void ustarHeaderFieldsAreFixed() throws IOException {
        byte[] tar = tar(List.of(LayerEntry.file("a.txt", 0644, utf8("hello"))), 0);
        assertEquals(2048, tar.length, "header + one data record + 1024-byte end marker, no 10240 padding");
        RawTar.Header h = RawTar.headers(tar).get(0);
        assertEquals("a.txt", h.name());
        assertEquals('0', h.type());
        assertEquals("ustar\0", h.magic());
        assertEquals("00", h.version());
        // commons-compress ends numeric fields with a space then NUL (Go: NUL only); both are ustar
        assertEquals("0000644 ", h.mode());
        assertEquals("0000000 ", h.uid());
        assertEquals("0000000 ", h.gid());
        assertEquals("00000000000 ", h.mtime());
        assertEquals(5, h.size());
        assertEquals("", h.linkName());
        assertTrue(RawTar.allZero(h.uname()), "uname empty");
        assertTrue(RawTar.allZero(h.gname()), "gname empty");
        assertTrue(RawTar.allZero(h.prefix()), "prefix unused");
    }

    @Test
    void emptyLayerIsTheEndMarkerOnly() throws IOException {
        byte[] tar = tar(List.of(), 0);
        assertEquals(1024, tar.length);
        assertTrue(RawTar.allZero(tar));
    }

    @Test
    void endsWithExactlyTwoZeroRecordsForAnyContent() throws IOException {
        for (int size : new int[] {0, 1, 511, 512, 513, 10240, 10241}) {
            byte[] tar = tar(List.of(LayerEntry.file("f", 0644, new byte[size])), 0);
            assertEquals(512 + (size + 511) / 512 * 512 + 1024, tar.length, "size " + size);
            RawTar.headers(tar); // checks the end marker and that nothing follows it
        }
    }

    @Test
    void timestampIsTheOnlyTimeAndChangesTheBytes() throws IOException {
        byte[] a = tar(GoldenLayers.entries(), 0);
        byte[] b = tar(GoldenLayers.entries(), 0);
        byte[] c = tar(GoldenLayers.entries(), 1);
        assertArrayEquals(a, b);
        assertNotEquals(java.util.Arrays.hashCode(a), java.util.Arrays.hashCode(c));
        assertThrows(IllegalArgumentException.class, () -> new ReproducibleTarWriter(-1));
        assertThrows(IllegalArgumentException.class, () -> new ReproducibleTarWriter(ReproducibleTarWriter.MAX_TIMESTAMP + 1));
    }

    @Test
    void extraPaxHeadersAreWritten() throws IOException {
        byte[] tar = tar(List.of(LayerEntry.file("Files/a.txt", 0644, utf8("x"))
                .withPaxHeader("MSWINDOWS.rawsd", "AQAEgBQAAAAwAAAAAAAAAEwAAAA=")), 0);
        List<Read> read = readBack(tar);
        assertEquals("AQAEgBQAAAAwAAAAAAAAAEwAAAA=", read.get(1).entry().getExtraPaxHeader("MSWINDOWS.rawsd"));
        assertEquals("Files/a.txt", read.get(1).entry().getName());
    }

    @Test
    void contentThatDoesNotMatchItsSizeFails() {
        LayerEntry shorter = LayerEntry.file("f", 0644, 10, ContentSource.of(new byte[5]));
        LayerException e = assertThrows(LayerException.class, () -> tar(List.of(shorter), 0));
        assertTrue(e.getMessage().contains("'f'") && e.getMessage().contains("5 of 10"), e.getMessage());
        LayerEntry longer = LayerEntry.file("g", 0644, 3, ContentSource.of(new byte[5]));
        e = assertThrows(LayerException.class, () -> tar(List.of(longer), 0));
        assertTrue(e.getMessage().contains("longer"), e.getMessage());
        LayerEntry missing = LayerEntry.file("h", 0644, 3, () -> {
            throw new java.nio.file.NoSuchFileException("/ctx/h");
        });
        e = assertThrows(LayerException.class, () -> tar(List.of(missing), 0));
        assertTrue(e.getMessage().contains("'h'") && e.getMessage().contains("/ctx/h"), e.getMessage());
    }

    @Test
    void gnuTarListsWhatWasWritten(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("layer.tar");
        Files.write(file, tar(GoldenLayers.entries(), TIMESTAMP));
        ProcessBuilder pb = new ProcessBuilder("tar", "--numeric-owner", "--full-time", "-tvf", file.toString());
        pb.environment().put("TZ", "UTC");
        pb.environment().put("LC_ALL", "C.UTF-8");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String listing = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), listing);
        assertTrue(listing.contains("-rwsr-xr-x 0/0              18 2023-11-14 22:13:20 usr/bin/tool\n"), listing);
        assertTrue(listing.contains("lrwxrwxrwx 0/0               0 2023-11-14 22:13:20 usr/bin/alias -> tool\n"), listing);
        assertTrue(listing.contains("hrwsr-xr-x 0/0               0 2023-11-14 22:13:20 usr/bin/tool2 link to usr/bin/tool\n"), listing);
        assertTrue(listing.contains("drwxrwxrwt 0/0               0 2023-11-14 22:13:20 var/empty/\n"), listing);
        assertTrue(listing.contains("-rw------- 1000/1000        16 2023-11-14 22:13:20 home/user/.profile\n"), listing);
        assertTrue(listing.contains(LONG_DIR + "/file.txt\n"), listing);
        assertEquals(21, listing.lines().count(), listing);
    }
}
