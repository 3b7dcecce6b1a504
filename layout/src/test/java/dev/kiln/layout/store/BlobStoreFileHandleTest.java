package dev.kiln.layout.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.MediaTypes;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On the real file system: a build writes thousands of blobs, so neither a committed nor an
 * abandoned writer, nor a failed open, may leave a file handle open; and blobs are listed in digest
 * order whatever order the file system lists them in.
 */
class BlobStoreFileHandleTest {
    static final int ROUNDS = 400;

    static long openFiles() throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    @Test
    void writersAndFailedOpensLeaveNoFileOpen(@TempDir Path dir) throws IOException {
        DirectoryBlobStore store = new DirectoryBlobStore(dir.resolve("blobs"), dir.resolve("tmp"));
        Descriptor d = store.putBytes(MediaTypes.OCI_LAYER, "content".getBytes(StandardCharsets.UTF_8));
        // everything opened stays reachable until counted: a leak must not be hidden by the GC closing it
        List<Object> keep = new ArrayList<>();
        BlobStore plain = delegatingOpenOnly(store, keep);
        long before = openFiles();
        for (int i = 0; i < ROUNDS; i++) {
            try (BlobWriter w = store.writer()) {
                keep.add(w);
                w.stream().write(("blob " + i).getBytes(StandardCharsets.UTF_8));
                if (i % 2 == 0) {
                    w.commit();
                } // else abandoned
            }
            assertThrows(EOFException.class, () -> plain.openAt(d.digest(), 1000));
        }
        long after = openFiles();
        assertTrue(after - before < ROUNDS / 10, "open files grew from " + before + " to " + after);
        assertEquals(2 * ROUNDS, keep.size());
    }

    @Test
    void blobsAreListedInDigestOrder(@TempDir Path dir) throws IOException {
        DirectoryBlobStore store = new DirectoryBlobStore(dir.resolve("blobs"), dir.resolve("tmp"));
        List<Digest> stored = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            stored.add(store.putBytes(MediaTypes.OCI_LAYER, ("blob " + i).getBytes(StandardCharsets.UTF_8)).digest());
        }
        stored.sort(null);
        assertEquals(stored, store.list());
    }

    /** A store that has only open (the interface's openAt skips in it). */
    static BlobStore delegatingOpenOnly(DirectoryBlobStore store, List<Object> keep) {
        return new BlobStore() {
            @Override public boolean exists(Digest digest) { return store.exists(digest); }
            @Override public long size(Digest digest) throws IOException { return store.size(digest); }
            @Override public InputStream open(Digest digest) throws IOException {
                InputStream in = store.open(digest);
                keep.add(in);
                return in;
            }
            @Override public InputStream openVerified(Descriptor descriptor) { throw new UnsupportedOperationException(); }
            @Override public byte[] readSmall(Descriptor descriptor) { throw new UnsupportedOperationException(); }
            @Override public Descriptor put(String mediaType, InputStream in) { throw new UnsupportedOperationException(); }
            @Override public boolean put(Descriptor expected, InputStream in) { throw new UnsupportedOperationException(); }
            @Override public Descriptor putBytes(String mediaType, byte[] bytes) { throw new UnsupportedOperationException(); }
            @Override public BlobWriter writer() { throw new UnsupportedOperationException(); }
            @Override public long delete(Digest digest) { throw new UnsupportedOperationException(); }
            @Override public List<Digest> list() { throw new UnsupportedOperationException(); }
        };
    }
}
