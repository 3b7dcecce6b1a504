package dev.kiln.layout.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.digest.DigestMismatchException;
import dev.kiln.layout.json.Json;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.MediaTypes;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A blob file damaged after it was stored (cut short by a crash of another tool, a bit flipped on
 * disk) is never taken for the blob: storing the blob again replaces a short file, and reading a
 * manifest checks its digest even when its size is right.
 */
class DamagedBlobRepairTest {
    static final byte[] CONTENT = "{\"schemaVersion\":2,\"layers\":[]}".getBytes(StandardCharsets.UTF_8);
    FileSystem fs;
    DirectoryBlobStore store;
    Descriptor d;

    @BeforeEach
    void setUp() throws IOException {
        fs = Jimfs.newFileSystem(Configuration.unix());
        store = new DirectoryBlobStore(fs.getPath("/layout/blobs"), fs.getPath("/layout/.kiln/tmp"));
        d = new Descriptor(MediaTypes.OCI_MANIFEST, Digest.sha256(CONTENT), CONTENT.length);
        Files.createDirectories(store.path(d.digest()).getParent());
    }

    @AfterEach
    void tearDown() throws IOException {
        fs.close();
    }

    void damage(byte[] bytes) throws IOException {
        Files.write(store.path(d.digest()), bytes);
    }

    @Test
    void aMissingBlobIsNamedByItsDigest() {
        Digest absent = Digest.sha256("absent");
        BlobMissingException e = assertThrows(BlobMissingException.class, () -> store.open(absent));
        assertEquals(absent, e.digest());
        assertTrue(e.getMessage().contains(absent.toString()), e.getMessage());
    }

    @Test
    void aShortFileIsReplacedWhenTheBlobIsStoredAgain() throws IOException {
        damage(Arrays.copyOf(CONTENT, 10));
        assertTrue(store.put(d, new ByteArrayInputStream(CONTENT)), "written, not taken as present");
        assertArrayEquals(CONTENT, Files.readAllBytes(store.path(d.digest())));
    }

    @Test
    void aShortFileIsReplacedWhenAWriterProducesTheBlob() throws IOException {
        damage(Arrays.copyOf(CONTENT, 10));
        assertEquals(d, store.put(MediaTypes.OCI_MANIFEST, new ByteArrayInputStream(CONTENT)));
        assertArrayEquals(CONTENT, Files.readAllBytes(store.path(d.digest())));
        try (BlobWriter w = store.writer()) {
            damage(Arrays.copyOf(CONTENT, 3));
            w.stream().write(CONTENT);
            assertEquals(d.digest(), w.commit(d.digest(), d.size()));
        }
        assertArrayEquals(CONTENT, Files.readAllBytes(store.path(d.digest())));
    }

    @Test
    void aManifestWithTheRightSizeAndWrongBytesIsRefused() throws IOException {
        byte[] flipped = CONTENT.clone();
        flipped[5] ^= 0x20;
        damage(flipped);
        DigestMismatchException e = assertThrows(DigestMismatchException.class, () -> store.readSmall(d));
        assertTrue(e.getMessage().contains(d.digest().toString()), e.getMessage());
    }

    @Test
    void aManifestOfExactlyTheSizeLimitIsReadAndOneByteMoreIsNot() throws IOException {
        byte[] max = new byte[Json.MAX_DOCUMENT_BYTES];
        Arrays.fill(max, (byte) ' ');
        Descriptor atLimit = store.putBytes(MediaTypes.OCI_MANIFEST, max);
        assertEquals(max.length, store.readSmall(atLimit).length);
        Descriptor over = new Descriptor(MediaTypes.OCI_MANIFEST, atLimit.digest(), max.length + 1L);
        assertThrows(BlobStoreException.class, () -> store.readSmall(over));
    }

    @Test
    void aSizeMismatchAtCommitNamesTheBlobItWasMeantToBe() throws IOException {
        try (BlobWriter w = store.writer()) {
            w.stream().write(CONTENT);
            DigestMismatchException e = assertThrows(DigestMismatchException.class, () -> w.commit(d.digest(), d.size() + 1));
            assertEquals("blob " + d.digest() + ": size is " + d.size() + " bytes, expected " + (d.size() + 1), e.getMessage());
        }
        try (BlobWriter w = store.writer()) {
            w.stream().write(CONTENT);
            Digest empty = Digest.sha256("");
            DigestMismatchException e = assertThrows(DigestMismatchException.class, () -> w.commit(empty, 0));
            assertEquals("blob " + empty + ": size is " + d.size() + " bytes, expected 0", e.getMessage(), "an empty blob was expected");
        }
        try (BlobWriter w = store.writer()) {
            w.stream().write(CONTENT);
            DigestMismatchException e = assertThrows(DigestMismatchException.class, () -> w.commit(null, 5));
            assertTrue(e.getMessage().startsWith("blob " + d.digest() + ": size is"), "names what the bytes are: " + e.getMessage());
        }
    }
}
