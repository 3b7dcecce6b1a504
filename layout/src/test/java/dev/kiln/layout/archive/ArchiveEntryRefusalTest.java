package dev.kiln.layout.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.kiln.layout.store.DirectoryBlobStore;
import dev.kiln.layout.transport.TransportOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An archive entry kiln will not read is refused in one line that names it printably (control
 * characters as {@code ?}, long names cut at 200 characters) and says what it is; an archive with
 * no entries, or one that expands past the limit, is refused as such.
 */
class ArchiveEntryRefusalTest {
    private final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());
    private final TransportOptions options = TransportOptions.defaults().withTempDir(fs.getPath("/tmp"));

    @AfterEach
    void close() throws IOException {
        fs.close();
    }

    Path archive(TarArchiveEntry... entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes, 512)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (TarArchiveEntry e : entries) {
                tar.putArchiveEntry(e);
                tar.closeArchiveEntry();
            }
        }
        return Files.write(fs.getPath("/a.tar"), bytes.toByteArray());
    }

    String refusal(TarArchiveEntry... entries) throws IOException {
        Path a = archive(entries);
        return assertThrows(ArchiveException.class, () -> OciArchiveReader.open(a, null, options, "oci-archive:a")).getMessage();
    }

    @Test
    void devicesAndPipesAreNamedForWhatTheyAre() throws IOException {
        assertEquals("oci-archive:a: entry 'blobs/c' is a character device; only regular files and folders are allowed; refused",
                refusal(new TarArchiveEntry("blobs/c", TarConstants.LF_CHR, true)));
        assertEquals("oci-archive:a: entry 'blobs/b' is a block device; only regular files and folders are allowed; refused",
                refusal(new TarArchiveEntry("blobs/b", TarConstants.LF_BLK, true)));
        assertEquals("oci-archive:a: entry 'blobs/p' is a named pipe; only regular files and folders are allowed; refused",
                refusal(new TarArchiveEntry("blobs/p", TarConstants.LF_FIFO, true)));
        assertEquals("oci-archive:a: entry 'blobs/x' is a tar entry of type 'Q'; only regular files and folders are allowed; refused",
                refusal(new TarArchiveEntry("blobs/x", (byte) 'Q', true)));
    }

    @Test
    void controlCharactersInNamesAreRefusedAndShownAsQuestionMarks() throws IOException {
        assertEquals("oci-archive:a: entry 'a?b' has a control character in its name; refused",
                refusal(new TarArchiveEntry("a\u001fb", true)));
        assertEquals("oci-archive:a: entry 'a?b' has a control character in its name; refused",
                refusal(new TarArchiveEntry("a\u007fb", true)));
        // a space is no control character: a file beyond the layout with one is skipped, not refused for its name
        assertEquals("oci-archive:a: not an oci-archive (index.json is missing)", refusal(new TarArchiveEntry("a b", true)));
    }

    @Test
    void aBackslashAnywhereInANameIsRefused() throws IOException {
        assertEquals("oci-archive:a: entry '\\evil' has a backslash in its name; refused", refusal(new TarArchiveEntry("\\evil", true)));
        assertEquals("oci-archive:a: entry 'blobs\\x' has a backslash in its name; refused", refusal(new TarArchiveEntry("blobs\\x", true)));
    }

    @Test
    void metadataOfExactlyTheSizeLimitIsNotRefusedForItsSize() throws IOException {
        byte[] max = new byte[dev.kiln.layout.json.Json.MAX_DOCUMENT_BYTES];
        java.util.Arrays.fill(max, (byte) ' ');
        max[0] = '{';
        max[max.length - 1] = '}';
        Path a = Files.write(fs.getPath("/m.tar"), new Tars.Builder().file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}")
                .file("index.json", max).bytes());
        String m = assertThrows(ArchiveException.class, () -> OciArchiveReader.open(a, null, options, "oci-archive:m")).getMessage();
        assertTrue(!m.contains("limit"), m);
        byte[] over = java.util.Arrays.copyOf(max, max.length + 1);
        over[over.length - 1] = ' ';
        Path b = Files.write(fs.getPath("/o.tar"), new Tars.Builder().file("index.json", over).bytes());
        assertTrue(assertThrows(ArchiveException.class, () -> OciArchiveReader.open(b, null, options, "oci-archive:o")).getMessage()
                .contains("is over the 4194304-byte limit"));
    }

    @Test
    void aLongNameIsCutInTheMessage() throws IOException {
        String name = "x".repeat(200);
        assertTrue(refusal(new TarArchiveEntry(name, TarConstants.LF_FIFO, true)).startsWith("oci-archive:a: entry '" + name + "' is a named pipe"));
        String longer = name + "yz";
        assertTrue(refusal(new TarArchiveEntry(longer, TarConstants.LF_FIFO, true))
                .startsWith("oci-archive:a: entry '" + name + "...' is a named pipe"));
    }

    @Test
    void anArchiveWithoutEntriesIsSaidToBeEmpty() throws IOException {
        assertEquals("oci-archive:a: empty archive (no tar entries)", refusal());
        assertEquals("oci-archive:a: not an oci-archive (index.json is missing)", refusal(new TarArchiveEntry("blobs/", true)));
    }

    @Test
    void anArchiveThatExpandsPastTheLimitIsRefusedAndOneAtTheLimitIsRead() throws IOException {
        Path a = Files.write(fs.getPath("/b.tar"), new Tars.Builder().file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}").bytes());
        long size = Files.size(a);
        DirectoryBlobStore store = new DirectoryBlobStore(fs.getPath("/x/blobs"), fs.getPath("/x/tmp"));
        ArchiveExtractor.extract(a, ArchiveExtractor.Style.OCI, store, "oci-archive:b", size);
        ArchiveException e = assertThrows(ArchiveException.class,
                () -> ArchiveExtractor.extract(a, ArchiveExtractor.Style.OCI, store, "oci-archive:b", 1024));
        assertTrue(e.getMessage().startsWith("oci-archive:b: expands to more than 1024 bytes"), e.getMessage());
    }
}
