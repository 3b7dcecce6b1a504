package dev.kiln.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.MediaTypes;
import dev.kiln.layout.transport.Copier;
import dev.kiln.layout.transport.ImageReference;
import dev.kiln.layout.transport.LayoutDestination;
import dev.kiln.layout.transport.LayoutSource;
import dev.kiln.layout.transport.SeekableBlob;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Big blobs from content that can be reopened (a layout's files) go to a real registry in one
 * streamed PATCH each; a dropped connection is resumed where the registry stands, a request cut off
 * after part of it arrived starts over, and content that is not the descriptor's is cancelled.
 */
class StreamedUploadIT {
    static final String UPLOAD = "/v2/.+/blobs/uploads/.+";
    static final long MIB = 1 << 20;
    static TestRegistry registry;

    @BeforeAll
    static void start() throws Exception {
        registry = TestRegistry.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (registry != null) {
            registry.close();
        }
    }

    final Queue<String> log = new ConcurrentLinkedQueue<>();
    final TransferSummary summary = new TransferSummary();

    RegistryOptions options() {
        return RegistryOptions.defaults().withChunkSize(4 * MIB).withProgress(summary).withDebug(log::add)
                .withRetry(new RetryPolicy(5, Duration.ofMillis(50), Duration.ofMillis(500), Duration.ofSeconds(10)));
    }

    /** A file of random bytes as a blob that records the offsets it is opened at. */
    static final class FileBlob implements SeekableBlob {
        final Path file;
        final Descriptor descriptor;
        final List<Long> opened = new CopyOnWriteArrayList<>();

        FileBlob(Path file, Descriptor descriptor) {
            this.file = file;
            this.descriptor = descriptor;
        }

        static FileBlob random(Path file, long size, long seed) throws IOException {
            Random random = new Random(seed);
            byte[] buffer = new byte[64 * 1024];
            try (OutputStream out = Files.newOutputStream(file)) {
                for (long left = size; left > 0; left -= buffer.length) {
                    random.nextBytes(buffer);
                    out.write(buffer, 0, (int) Math.min(buffer.length, left));
                }
            }
            Digest digest;
            try (InputStream in = Files.newInputStream(file)) {
                digest = Digest.sha256(in);
            }
            return new FileBlob(file, new Descriptor(MediaTypes.OCI_LAYER_GZIP, digest, size));
        }

        @Override
        public InputStream openAt(long offset) throws IOException {
            opened.add(offset);
            FileChannel ch = FileChannel.open(file);
            ch.position(offset);
            return Channels.newInputStream(ch);
        }
    }

    /** The blob as the registry itself (not a proxy) serves it, hashed. */
    static Digest served(String repository, Digest digest) throws Exception {
        HttpResponse<InputStream> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://" + registry.address + "/v2/" + repository + "/blobs/" + digest)).build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            assertEquals(200, r.statusCode(), "GET blob " + digest);
            return Digest.sha256(in);
        }
    }

    static int headStatus(String repository, Digest digest) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + registry.address + "/v2/" + repository + "/blobs/" + digest))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void aBigBlobGoesInOneStreamedPatch(@TempDir Path tmp) throws Exception {
        FileBlob blob = FileBlob.random(tmp.resolve("blob"), 13 * MIB + 5, 1);
        try (FaultProxy proxy = new FaultProxy(registry.address)) {
            RegistryClient client = RegistryClient.connect(proxy.address(), options());
            assertEquals(RegistryClient.BlobPushResult.UPLOADED, client.pushBlob("streamed/one", blob.descriptor, blob, List.of()));
            assertEquals(1, proxy.count("POST", "/blobs/uploads/"));
            assertEquals(1, proxy.count("PATCH", "/blobs/uploads/"), "one PATCH for 13 MiB with 4 MiB chunks: " + proxy.seen);
            assertEquals(1, proxy.count("PUT", "/blobs/uploads/"));
        }
        assertEquals(List.of(0L), blob.opened);
        assertEquals(blob.descriptor.digest(), served("streamed/one", blob.descriptor.digest()));
    }

    @Test
    void aPatchDroppedBeforeTheRegistryGotAnyOfItResumesInTheSameSession(@TempDir Path tmp) throws Exception {
        FileBlob blob = FileBlob.random(tmp.resolve("blob"), 9 * MIB, 2);
        try (FaultProxy proxy = new FaultProxy(registry.address).drop("PATCH", UPLOAD, 0, 1)) {
            RegistryClient client = RegistryClient.connect(proxy.address(), options());
            client.pushBlob("streamed/drop", blob.descriptor, blob, List.of());
            assertEquals(1, proxy.faults("drop"));
            assertEquals(2, proxy.count("PATCH", "/blobs/uploads/"));
            assertEquals(1, proxy.count("GET", "/blobs/uploads/"), "the upload status was asked for");
            assertEquals(1, proxy.count("POST", "/blobs/uploads/"), "the same session went on");
        }
        assertEquals(List.of(0L, 0L), blob.opened, "the registry held nothing: sent again from the start");
        assertTrue(summary.retries() >= 1, summary.toString());
        assertEquals(blob.descriptor.digest(), served("streamed/drop", blob.descriptor.digest()));
    }

    @Test
    void aPatchCutOffAfterPartOfItArrivedStartsOverInANewSession(@TempDir Path tmp) throws Exception {
        FileBlob blob = FileBlob.random(tmp.resolve("blob"), 10 * MIB, 3);
        try (CuttingProxy proxy = new CuttingProxy(registry.address, 3 * MIB)) {
            RegistryClient client = RegistryClient.connect(proxy.address(), options());
            client.pushBlob("streamed/cut", blob.descriptor, blob, List.of());
            assertEquals(1, proxy.seen.stream().filter(x -> x.endsWith(" cut")).count(), proxy.seen.toString());
            // Distribution refuses to go on with a session whose last request was cut off half-way
            // ("upload resumed at wrong offset"), so the upload starts over in a new session
            assertEquals(2, proxy.count("POST", "/blobs/uploads/"), proxy.seen.toString());
            assertEquals(2, proxy.count("PATCH", "/blobs/uploads/"), proxy.seen.toString());
            assertTrue(proxy.seen.stream().anyMatch(s -> s.startsWith("DELETE ")), "the broken session was cancelled: " + proxy.seen);
        }
        assertEquals(List.of(0L, 0L), blob.opened);
        assertTrue(log.stream().anyMatch(l -> l.contains("starting over in a new one")), String.join("\n", log));
        assertEquals(blob.descriptor.digest(), served("streamed/cut", blob.descriptor.digest()));
    }

    @Test
    void contentThatIsNotTheDescriptorsIsCancelledNotClosed(@TempDir Path tmp) throws Exception {
        FileBlob good = FileBlob.random(tmp.resolve("blob"), 6 * MIB, 4);
        byte[] bytes = Files.readAllBytes(good.file);
        bytes[bytes.length / 2] ^= 1;
        Files.write(good.file, bytes);
        try (FaultProxy proxy = new FaultProxy(registry.address)) {
            RegistryClient client = RegistryClient.connect(proxy.address(), options());
            RegistryException e = assertThrows(RegistryException.class, () -> client.pushBlob("streamed/lie", good.descriptor, good, List.of()));
            String m = e.getMessage();
            assertTrue(m.contains("uploading blob " + good.descriptor.digest()) && m.contains("the content hashes to sha256:")
                    && m.contains("the upload was cancelled"), m);
            assertFalse(m.contains("\n"), m);
            assertEquals(1, proxy.count("PATCH", "/blobs/uploads/"));
            assertEquals(1, proxy.count("DELETE", "/blobs/uploads/"), "the session was cancelled");
            assertEquals(0, proxy.count("PUT", "/blobs/uploads/"), "never closed with a digest");
        }
        assertEquals(404, headStatus("streamed/lie", good.descriptor.digest()));
    }

    @Test
    void contentShorterThanTheDescriptorFailsWithoutRetrying(@TempDir Path tmp) throws Exception {
        FileBlob good = FileBlob.random(tmp.resolve("blob"), 6 * MIB, 5);
        try (FileChannel ch = FileChannel.open(good.file, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(5 * MIB);
        }
        try (FaultProxy proxy = new FaultProxy(registry.address)) {
            RegistryClient client = RegistryClient.connect(proxy.address(), options());
            RegistryException e = assertThrows(RegistryException.class, () -> client.pushBlob("streamed/short", good.descriptor, good, List.of()));
            String m = e.getMessage();
            assertTrue(m.contains(good.descriptor.digest().toString()) && m.contains("the content ended after " + 5 * MIB + " of " + 6 * MIB + " bytes"), m);
            assertEquals(0, summary.retries(), "bad content is not a reason to try again");
            assertEquals(0, proxy.count("PUT", "/blobs/uploads/"));
        }
        assertEquals(List.of(0L), good.opened);
        assertEquals(404, headStatus("streamed/short", good.descriptor.digest()));
    }

    @Test
    void theCopierStreamsALayoutsBigLayersAndPullsBackTheSameImage(@TempDir Path tmp) throws Exception {
        TestImage image = TestImage.build(tmp.resolve("src"), "latest", 12 * MIB, "streamed-copier");
        try (FaultProxy proxy = new FaultProxy(registry.address);
             RegistryDestination d = RegistryDestination.open(ImageReference.parse("docker://" + proxy.address() + "/streamed/copier:1"), options())) {
            new Copier().copy(new LayoutSource(image.layout, "latest", "oci:src"), d);
            assertEquals(1, proxy.count("PATCH", "/blobs/uploads/"), "only the big layer, in one PATCH: " + proxy.seen);
            for (Descriptor m : image.manifests) {
                assertEquals(0, proxy.count("HEAD", "/blobs/" + m.digest()), "manifests are PUT without a HEAD first");
            }
            assertEquals(0, proxy.count("HEAD", "/blobs/" + image.index.digest()));
        }
        // again: every blob is there, the manifests are PUT again and the tag is written
        try (FaultProxy proxy = new FaultProxy(registry.address);
             RegistryDestination d = RegistryDestination.open(ImageReference.parse("docker://" + proxy.address() + "/streamed/copier:2"), options())) {
            var result = new Copier().copy(new LayoutSource(image.layout, "latest", "oci:src"), d);
            assertEquals(image.blobs.size(), result.skipped().size(), result.toString());
            assertEquals(0, proxy.count("POST", "/blobs/uploads/"));
            assertEquals(1, proxy.count("PUT", "/manifests/2"));
        }
        OciLayout pulled = OciLayout.openOrCreate(tmp.resolve("pulled"));
        try (RegistrySource s = RegistrySource.open(ImageReference.parse("docker://" + registry.address + "/streamed/copier:1"), RegistryOptions.defaults());
             LayoutDestination ld = new LayoutDestination(pulled, "1", "oci:pulled")) {
            new Copier().copy(s, ld);
        }
        assertEquals(PushPullIT.digests(image.layout, image.index), PushPullIT.digests(pulled, pulled.resolve("1")));
    }
}
