package dev.kiln.layout.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.digest.DigestMismatchException;
import dev.kiln.layout.digest.SelfVerifyingStream;
import dev.kiln.layout.digest.VerifyingInputStream;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.MediaTypes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DirectoryBlobStoreTest {
    private static final byte[] HELLO = "hello, blob".getBytes(StandardCharsets.UTF_8);
    private FileSystem fs;
    private Path tmp;
    private DirectoryBlobStore store;

    @BeforeEach
    void setUp() {
        fs = Jimfs.newFileSystem(Configuration.unix());
        tmp = fs.getPath("/layout/.kiln/tmp");
        store = new DirectoryBlobStore(fs.getPath("/layout/blobs"), tmp);
    }

    @AfterEach
    void tearDown() throws IOException {
        fs.close();
    }

    private long tempFiles() throws IOException {
        if (!Files.isDirectory(tmp)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(tmp)) {
            return s.count();
        }
    }

    private static Descriptor descriptorOf(byte[] bytes) {
        return new Descriptor(MediaTypes.OCI_LAYER, Digest.sha256(bytes), bytes.length);
    }

    @Test
    void putStoresUnderTheDigest() throws IOException {
        Descriptor d = store.put(MediaTypes.OCI_LAYER, new ByteArrayInputStream(HELLO));
        assertEquals(descriptorOf(HELLO), d);
        Path file = fs.getPath("/layout/blobs/sha256/" + Digest.sha256(HELLO).hex());
        assertEquals(file, store.path(d.digest()));
        assertArrayEquals(HELLO, Files.readAllBytes(file));
        assertTrue(store.exists(d.digest()));
        assertEquals(HELLO.length, store.size(d.digest()));
        assertEquals(List.of(d.digest()), store.list());
        assertEquals(0, tempFiles());
    }

    @Test
    void putIsIdempotent() throws IOException {
        Descriptor d = descriptorOf(HELLO);
        assertTrue(store.put(d, new ByteArrayInputStream(HELLO)));
        InputStream never = new InputStream() {
            @Override
            public int read() {
                throw new AssertionError("an existing blob is not read again");
            }
        };
        assertFalse(store.put(d, never));
        assertEquals(d, store.putBytes(MediaTypes.OCI_LAYER, HELLO));
        assertEquals(d, store.put(MediaTypes.OCI_LAYER, new ByteArrayInputStream(HELLO)));
        assertEquals(1, store.list().size());
        assertEquals(0, tempFiles());
    }

    @Test
    void mismatchFailsAndLeavesNothing() throws IOException {
        Descriptor wrongDigest = new Descriptor(MediaTypes.OCI_LAYER, Digest.sha256("other"), HELLO.length);
        DigestMismatchException e = assertThrows(DigestMismatchException.class,
                () -> store.put(wrongDigest, new ByteArrayInputStream(HELLO)));
        assertEquals("blob " + wrongDigest.digest() + ": content hashes to " + Digest.sha256(HELLO), e.getMessage());
        Descriptor tooShort = new Descriptor(MediaTypes.OCI_LAYER, Digest.sha256(HELLO), HELLO.length - 1);
        assertTrue(assertThrows(DigestMismatchException.class, () -> store.put(tooShort, new ByteArrayInputStream(HELLO)))
                .getMessage().endsWith("more than the expected " + (HELLO.length - 1) + " bytes"));
        Descriptor tooLong = new Descriptor(MediaTypes.OCI_LAYER, Digest.sha256(HELLO), HELLO.length + 1);
        assertTrue(assertThrows(DigestMismatchException.class, () -> store.put(tooLong, new ByteArrayInputStream(HELLO)))
                .getMessage().endsWith("size is " + HELLO.length + " bytes, expected " + (HELLO.length + 1)));
        assertEquals(List.of(), store.list());
        assertEquals(0, tempFiles(), "temporary files are deleted on a mismatch");
    }

    @Test
    void writerCommitsOrCleansUp() throws IOException {
        try (BlobWriter w = store.writer()) {
            OutputStream out = w.stream();
            out.write(HELLO);
            out.close(); // closing the stream must not end the writer
            assertEquals(HELLO.length, w.size());
            assertEquals(Digest.sha256(HELLO), w.commit());
        }
        assertTrue(store.exists(Digest.sha256(HELLO)));
        try (BlobWriter w = store.writer()) {
            w.stream().write(new byte[] {1, 2, 3});
            assertEquals(1, tempFiles());
        }
        assertEquals(0, tempFiles(), "an abandoned writer leaves no temp file");
        try (BlobWriter w = store.writer()) {
            w.stream().write(HELLO);
            assertThrows(DigestMismatchException.class, () -> w.commit(Digest.sha256("x"), -1));
        }
        assertEquals(0, tempFiles());
    }

    @Test
    void openVerifiedFailsAtEndOfACorruptBlob() throws IOException {
        Descriptor d = store.putBytes(MediaTypes.OCI_LAYER, HELLO);
        byte[] corrupt = HELLO.clone();
        corrupt[0] = 'j';
        Files.write(store.path(d.digest()), corrupt);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try (InputStream in = store.openVerified(d)) {
            DigestMismatchException e = assertThrows(DigestMismatchException.class, () -> {
                byte[] buffer = new byte[4];
                for (int n; (n = in.read(buffer)) != -1; ) {
                    got.write(buffer, 0, n);
                }
            });
            assertEquals("blob " + d.digest() + ": content hashes to " + Digest.sha256(corrupt), e.getMessage());
        }
        assertArrayEquals(corrupt, got.toByteArray(), "bytes flow until the end, where the check happens");
        assertThrows(DigestMismatchException.class, () -> store.readSmall(d));
        try (InputStream in = store.open(d.digest())) {
            assertArrayEquals(corrupt, in.readAllBytes(), "open does not check");
        }
    }

    @Test
    void readSmallVerifiesAndLimits() throws IOException {
        Descriptor d = store.putBytes(MediaTypes.OCI_MANIFEST, HELLO);
        assertArrayEquals(HELLO, store.readSmall(d));
        Files.write(store.path(d.digest()), "hello, blob and more".getBytes(StandardCharsets.UTF_8));
        assertThrows(DigestMismatchException.class, () -> store.readSmall(d));
        Descriptor huge = new Descriptor(MediaTypes.OCI_MANIFEST, Digest.sha256("x"), 5L * 1024 * 1024);
        BlobStoreException e = assertThrows(BlobStoreException.class, () -> store.readSmall(huge));
        assertTrue(e.getMessage().contains("over the 4194304-byte limit"), e.getMessage());
    }

    @Test
    void refusesBlobsThatAreDirectoriesOrSymbolicLinks() throws IOException {
        Digest dir = Digest.sha256("a directory");
        Files.createDirectories(store.path(dir));
        assertFalse(store.exists(dir));
        assertEquals("blob " + dir + " is a directory; blobs must be regular files",
                assertThrows(BlobStoreException.class, () -> store.open(dir)).getMessage());

        Path target = fs.getPath("/outside");
        Files.write(target, HELLO);
        Digest link = Digest.sha256(HELLO);
        Files.createSymbolicLink(store.path(link), target);
        assertFalse(store.exists(link));
        assertEquals("blob " + link + " is a symbolic link; blobs must be regular files",
                assertThrows(BlobStoreException.class, () -> store.open(link)).getMessage());
        assertThrows(BlobStoreException.class, () -> store.size(link));
        // writing over it is refused too: the layout must be fixed first
        BlobStoreException put = assertThrows(BlobStoreException.class,
                () -> store.put(descriptorOf(HELLO), new ByteArrayInputStream(HELLO)));
        assertTrue(put.getMessage().contains("exists but is not a regular file"), put.getMessage());
        assertEquals(0, tempFiles());
    }

    @Test
    void missingBlobsAreNamed() throws IOException {
        Digest d = Digest.sha256("absent");
        assertEquals("blob " + d + " is missing from the layout",
                assertThrows(BlobStoreException.class, () -> store.open(d)).getMessage());
        assertEquals(-1, store.delete(d));
    }

    @Test
    void listSkipsStrayFilesAndDeleteReturnsTheSize() throws IOException {
        Descriptor d = store.putBytes(MediaTypes.OCI_LAYER, HELLO);
        Files.writeString(fs.getPath("/layout/blobs/sha256/not-a-digest"), "x");
        Files.writeString(fs.getPath("/layout/blobs/README"), "x");
        assertEquals(List.of(d.digest()), store.list());
        assertEquals(HELLO.length, store.delete(d.digest()));
        assertFalse(store.exists(d.digest()));
    }

    @Test
    void aScratchStoreStoresTheSameBlobsWithoutSyncing() throws IOException {
        DirectoryBlobStore scratch = new DirectoryBlobStore(fs.getPath("/scratch/blobs"), fs.getPath("/scratch/tmp"), false);
        assertFalse(scratch.durable());
        assertTrue(store.durable());
        Descriptor d = scratch.put(MediaTypes.OCI_LAYER, new ByteArrayInputStream(HELLO));
        assertEquals(descriptorOf(HELLO), d);
        assertArrayEquals(HELLO, Files.readAllBytes(scratch.path(d.digest())));
        // a scratch store checks digests like any other
        assertThrows(DigestMismatchException.class, () -> scratch.put(descriptorOf("other".getBytes(StandardCharsets.UTF_8)),
                new ByteArrayInputStream("tampered".getBytes(StandardCharsets.UTF_8))));
        try (Stream<Path> left = Files.list(fs.getPath("/scratch/tmp"))) {
            assertEquals(0, left.count());
        }
    }

    @Test
    void anAdoptedBlobCanBeSynced() throws IOException {
        Descriptor d = descriptorOf(HELLO);
        Files.createDirectories(store.path(d.digest()).getParent());
        Files.write(store.path(d.digest()), HELLO); // as a hard link from a cache puts it there
        store.syncAdopted(d.digest());
        assertArrayEquals(HELLO, store.readSmall(d));
        DirectoryBlobStore scratch = new DirectoryBlobStore(fs.getPath("/scratch/blobs"), fs.getPath("/scratch/tmp"), false);
        scratch.syncAdopted(d.digest()); // nothing to do, even for a blob it lacks
    }

    /** A stream that claims to check itself and does not: for what the store does with the claim. */
    private static final class Claiming extends java.io.FilterInputStream implements SelfVerifyingStream {
        private final Descriptor claimed;

        Claiming(InputStream in, Descriptor claimed) {
            super(in);
            this.claimed = claimed;
        }

        @Override
        public Digest verifiedDigest() {
            return claimed.digest();
        }

        @Override
        public long verifiedSize() {
            return claimed.size();
        }
    }

    @Test
    void aStreamThatChecksItselfIsNotHashedAgainAndAFailedCheckStoresNothing() throws IOException {
        Descriptor d = descriptorOf(HELLO);
        byte[] other = "hello, bloB".getBytes(StandardCharsets.UTF_8);
        // a verifying stream over the wrong bytes fails at its end: nothing is stored, no temp file left
        assertThrows(DigestMismatchException.class, () -> store.put(d,
                new VerifyingInputStream(new ByteArrayInputStream(other), d.digest(), d.size(), "blob")));
        assertFalse(store.exists(d.digest()));
        assertEquals(0, tempFiles());
        // the right bytes, checked by the stream: stored under the digest
        assertTrue(store.put(d, new VerifyingInputStream(new ByteArrayInputStream(HELLO), d.digest(), d.size(), "blob")));
        assertArrayEquals(HELLO, store.readSmall(d));
        // the store trusts the stream's own check (that is the point), but only for the very digest and
        // size it is asked to store: a stream checking something else is hashed as before
        Descriptor o = descriptorOf(other);
        assertThrows(DigestMismatchException.class, () -> store.put(o, new Claiming(new ByteArrayInputStream(HELLO),
                new Descriptor(MediaTypes.OCI_LAYER, Digest.sha256(HELLO), other.length))));
        assertFalse(store.exists(o.digest()));
        // and a size check still holds for a checked stream
        assertThrows(DigestMismatchException.class, () -> store.put(o, new Claiming(new ByteArrayInputStream(
                "hello, blob, longer".getBytes(StandardCharsets.UTF_8)), o)));
        assertFalse(store.exists(o.digest()));
        assertEquals(0, tempFiles());
    }

    @Test
    void aFailedVerifyingStreamNeverEndsCleanly() throws IOException {
        Descriptor d = descriptorOf(HELLO);
        InputStream in = new VerifyingInputStream(new ByteArrayInputStream(new byte[3]), d.digest(), d.size(), "blob");
        assertEquals(3, in.read(new byte[8]));
        assertThrows(DigestMismatchException.class, in::read);
        assertThrows(DigestMismatchException.class, in::read);
    }

    @Test
    void adoptLinkNamesOnlyBytesItHashedAfterLinking() throws IOException {
        Path cacheFile = Files.write(Files.createDirectories(fs.getPath("/cache")).resolve("blob"), HELLO);
        Descriptor d = descriptorOf(HELLO);
        assertTrue(store.adoptLink(d, cacheFile));
        assertArrayEquals(HELLO, Files.readAllBytes(store.path(d.digest())));
        assertEquals(0, tempFiles());

        // a source that is not the descriptor's bytes (same size) is refused and nothing is named
        byte[] other = "HELLO, BLOB".getBytes(StandardCharsets.UTF_8);
        Path bad = Files.write(fs.getPath("/cache/bad"), other);
        Descriptor claimed = descriptorOf("hello, blog".getBytes(StandardCharsets.UTF_8));
        assertThrows(DigestMismatchException.class, () -> store.adoptLink(claimed, bad));
        assertFalse(store.exists(claimed.digest()));
        assertEquals(0, tempFiles());
    }
}
