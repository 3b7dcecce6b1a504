package dev.kiln.layout.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

/**
 * Archive entries are the same on any machine: no owner names (not even the user running kiln),
 * uid and gid 0, the fixed time, 0644 files and 0755 folders; names over 100 bytes, non-ASCII
 * names and sizes over 8 GiB get PAX records instead of failing or being mangled; content from a
 * file must have the size promised.
 */
class ReproducibleTarEntryTest {
    static final long MTIME = 1_700_000_000L;

    static List<TarArchiveEntry> entries(byte[] tar) throws IOException {
        List<TarArchiveEntry> out = new java.util.ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar), "UTF-8")) {
            for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
                out.add(e);
            }
        }
        return out;
    }

    @Test
    void entriesCarryNoOwnerAndFixedModesAndTime() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TarWriter w = new TarWriter(bytes, MTIME);
        w.directory("blobs");
        w.file("blobs/a", "content".getBytes(StandardCharsets.UTF_8));
        w.finish();
        List<TarArchiveEntry> es = entries(bytes.toByteArray());
        assertEquals(List.of("blobs/", "blobs/a"), es.stream().map(TarArchiveEntry::getName).toList());
        for (TarArchiveEntry e : es) {
            assertEquals("", e.getUserName(), e.getName());
            assertEquals("", e.getGroupName(), e.getName());
            assertEquals(0, e.getLongUserId());
            assertEquals(0, e.getLongGroupId());
            assertEquals(MTIME * 1000, e.getModTime().getTime());
        }
        assertEquals(040755, es.get(0).getMode());
        assertEquals(0100644, es.get(1).getMode());
        assertEquals(0, bytes.size() % 512);
    }

    @Test
    void longAndNonAsciiNamesGetPaxRecords() throws IOException {
        String longName = "blobs/sha256/" + "a".repeat(120);
        String utf8 = "blobs/caf\u00e9-\u65e5\u672c";
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TarWriter w = new TarWriter(bytes, MTIME);
        w.file(longName, new byte[] {1});
        w.file(utf8, new byte[] {2});
        w.finish();
        assertEquals(List.of(longName, utf8), entries(bytes.toByteArray()).stream().map(TarArchiveEntry::getName).toList());
        String raw = new String(bytes.toByteArray(), StandardCharsets.ISO_8859_1);
        assertTrue(raw.contains("path=" + new String(utf8.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1)),
                "the non-ASCII name has a PAX path record");
    }

    @Test
    void aSizeOverEightGibibytesGetsAPaxRecord() throws IOException {
        long huge = 10L << 30;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TarWriter w = new TarWriter(bytes, MTIME);
        ArchiveException e = assertThrows(ArchiveException.class, () -> w.file("layer", huge, InputStream.nullInputStream()));
        assertEquals("tar entry layer: content is 0 bytes, expected " + huge, e.getMessage());
        String header = new String(bytes.toByteArray(), StandardCharsets.ISO_8859_1);
        assertTrue(header.contains("size=" + huge), "the header written has the size as a PAX record");
    }

    @Test
    void contentLongerOrShorterThanPromisedIsRefused() {
        TarWriter w = new TarWriter(new ByteArrayOutputStream(), MTIME);
        assertEquals("tar entry x: content is longer than its 2 bytes",
                assertThrows(ArchiveException.class, () -> w.file("x", 2, new ByteArrayInputStream(new byte[3]))).getMessage());
    }

    @Test
    void aFileIsCopiedWholeWithOrWithoutAChannel() throws IOException {
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
            byte[] content = new byte[1000];
            java.util.Arrays.fill(content, (byte) 7);
            Path file = Files.write(fs.getPath("/blob"), content);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            TarWriter w = new TarWriter(bytes, MTIME);
            w.file("blob", content.length, file);
            w.finish();
            try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                assertEquals("blob", in.getNextEntry().getName());
                assertArrayEquals(content, in.readAllBytes());
            }
            ArchiveException e = assertThrows(ArchiveException.class, () -> w.file("blob", 999, file));
            assertTrue(e.getMessage().contains("is 1000 bytes, expected 999"), e.getMessage());
        }
    }
}
