package dev.kiln.layout.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Feature;
import com.google.common.jimfs.Jimfs;
import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.MediaTypes;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a store publishes: blobs readable by all (0644, as skopeo and Docker write them), listed in
 * digest order, whole whichever way they were written, readable from an offset; a blob is brought
 * in by a hard link only where the file system can link.
 */
class PublishedBlobTest {
    static final byte[] HELLO = "hello, published blob".getBytes(StandardCharsets.UTF_8);
    FileSystem fs;
    DirectoryBlobStore store;

    @BeforeEach
    void setUp() {
        fs = Jimfs.newFileSystem(Configuration.unix());
        store = new DirectoryBlobStore(fs.getPath("/layout/blobs"), fs.getPath("/layout/.kiln/tmp"));
    }

    @AfterEach
    void tearDown() throws IOException {
        fs.close();
    }

    @Test
    void storedBlobsAreReadableByAll(@TempDir Path dir) throws IOException {
        // on the real file system, where temporary files are created private (0600)
        DirectoryBlobStore real = new DirectoryBlobStore(dir.resolve("blobs"), dir.resolve("tmp"));
        try (BlobWriter w = real.writer(); Stream<Path> temp = Files.list(dir.resolve("tmp"))) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(temp.findFirst().orElseThrow())),
                    "written privately");
        }
        Descriptor d = real.putBytes(MediaTypes.OCI_LAYER, HELLO);
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(real.path(d.digest()))));
        DirectoryBlobStore scratch = new DirectoryBlobStore(dir.resolve("scratch/blobs"), dir.resolve("scratch/tmp"), false);
        Descriptor s = scratch.put(MediaTypes.OCI_LAYER, new ByteArrayInputStream(HELLO));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(scratch.path(s.digest()))));
    }

    @Test
    void blobsAreListedInDigestOrder() throws IOException {
        List<Digest> stored = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            stored.add(store.putBytes(MediaTypes.OCI_LAYER, ("blob " + i).getBytes(StandardCharsets.UTF_8)).digest());
        }
        Files.writeString(fs.getPath("/layout/blobs/stray-file"), "not an algorithm folder");
        List<Digest> sorted = new ArrayList<>(stored);
        sorted.sort(null);
        assertEquals(sorted, store.list());
        assertEquals(List.of(), new DirectoryBlobStore(fs.getPath("/none/blobs"), fs.getPath("/none/tmp")).list());
    }

    @Test
    void aBlobWrittenAByteAtATimeIsWhole() throws IOException {
        try (BlobWriter w = store.writer()) {
            OutputStream out = w.stream();
            for (byte b : HELLO) {
                out.write(b);
            }
            out.flush();
            assertEquals(HELLO.length, w.size());
            assertEquals(Digest.sha256(HELLO), w.commit());
        }
        assertArrayEquals(HELLO, Files.readAllBytes(store.path(Digest.sha256(HELLO))));
    }

    @Test
    void aBlobIsReadFromAnOffsetByAnyStore() throws IOException {
        Descriptor d = store.putBytes(MediaTypes.OCI_LAYER, HELLO);
        try (InputStream in = store.openAt(d.digest(), 7)) {
            assertEquals("published blob", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        assertThrows(IllegalArgumentException.class, () -> store.openAt(d.digest(), -1));
        // the interface's own openAt, for stores that do not seek
        BlobStore plain = new BlobStore() {
            @Override public boolean exists(Digest digest) { return store.exists(digest); }
            @Override public long size(Digest digest) throws IOException { return store.size(digest); }
            @Override public InputStream open(Digest digest) throws IOException { return store.open(digest); }
            @Override public InputStream openVerified(Descriptor descriptor) throws IOException { return store.openVerified(descriptor); }
            @Override public byte[] readSmall(Descriptor descriptor) throws IOException { return store.readSmall(descriptor); }
            @Override public Descriptor put(String mediaType, InputStream in) throws IOException { return store.put(mediaType, in); }
            @Override public boolean put(Descriptor expected, InputStream in) throws IOException { return store.put(expected, in); }
            @Override public Descriptor putBytes(String mediaType, byte[] bytes) throws IOException { return store.putBytes(mediaType, bytes); }
            @Override public BlobWriter writer() throws IOException { return store.writer(); }
            @Override public long delete(Digest digest) throws IOException { return store.delete(digest); }
            @Override public List<Digest> list() throws IOException { return store.list(); }
        };
        try (InputStream in = plain.openAt(d.digest(), 7)) {
            assertEquals("published blob", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        assertThrows(java.io.EOFException.class, () -> plain.openAt(d.digest(), HELLO.length + 1));
    }

    @Test
    void aScratchStoreAdoptsByLinkToo() throws IOException {
        Path cached = Files.write(Files.createDirectories(fs.getPath("/cache")).resolve("blob"), HELLO);
        DirectoryBlobStore scratch = new DirectoryBlobStore(fs.getPath("/scratch/blobs"), fs.getPath("/scratch/tmp"), false);
        Descriptor d = new Descriptor(MediaTypes.OCI_LAYER, Digest.sha256(HELLO), HELLO.length);
        assertTrue(scratch.adoptLink(d, cached));
        assertArrayEquals(HELLO, Files.readAllBytes(scratch.path(d.digest())));
    }

    @Test
    void whereTheFileSystemCannotLinkNothingIsAdopted() throws IOException {
        try (FileSystem noLinks = Jimfs.newFileSystem(Configuration.unix().toBuilder()
                .setSupportedFeatures(Feature.FILE_CHANNEL).build())) {
            DirectoryBlobStore s = new DirectoryBlobStore(noLinks.getPath("/layout/blobs"), noLinks.getPath("/layout/tmp"));
            Path cached = Files.write(Files.createDirectories(noLinks.getPath("/cache")).resolve("blob"), HELLO);
            Descriptor d = new Descriptor(MediaTypes.OCI_LAYER, Digest.sha256(HELLO), HELLO.length);
            assertFalse(s.adoptLink(d, cached));
            assertFalse(s.exists(d.digest()));
            try (Stream<Path> left = Files.list(noLinks.getPath("/layout/tmp"))) {
                assertEquals(0, left.count());
            }
        }
    }
}
