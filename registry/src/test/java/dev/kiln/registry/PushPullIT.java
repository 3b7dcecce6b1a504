package dev.kiln.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageIndex;
import dev.kiln.layout.spec.ImageManifest;
import dev.kiln.layout.transport.ImageReference;
import dev.kiln.layout.transport.LayoutDestination;
import dev.kiln.layout.transport.LayoutSource;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Push to and pull from a real Distribution registry over plain HTTP on 127.0.0.1. */
class PushPullIT {
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

    static RegistryOptions options(TransferSummary summary) {
        return RegistryOptions.defaults().withProgress(summary);
    }

    @Test
    void pushesAThreePlatformIndexThatSkopeoReadsAndPullsItBack(@TempDir Path tmp) throws Exception {
        TestImage image = TestImage.build(tmp.resolve("src"), "latest", 0, "roundtrip");
        TransferSummary summary = new TransferSummary();
        RegistryOptions options = options(summary);
        try (RegistryDestination dest = RegistryDestination.open(
                ImageReference.parse("docker://" + registry.address + "/kiln/roundtrip:v1"), options)) {
            assertEquals("http://" + registry.address, dest.client().baseUri().toString(), "loopback without TLS falls back to HTTP");
            MiniCopy.copy(new LayoutSource(image.layout, "latest", "oci:src"), dest, List.of(), 8);
        }
        assertEquals(image.blobs.size(), summary.blobsTransferred(), "each distinct blob uploaded once: " + summary);
        assertEquals(0, summary.blobsMounted());

        byte[] raw = Cmd.check("skopeo", "inspect", "--raw", "--tls-verify=false", "docker://" + registry.address + "/kiln/roundtrip:v1");
        assertEquals(image.index.digest(), Digest.sha256(raw), "the registry serves the layout's index bytes");
        assertArrayEquals(image.layout.blobs().readSmall(image.index), raw);
        String arm = Cmd.check("skopeo", "inspect", "--tls-verify=false", "--override-arch", "arm", "--override-variant", "v7",
                "docker://" + registry.address + "/kiln/roundtrip:v1").length > 0 ? "ok" : "";
        assertEquals("ok", arm);

        OciLayout pulled = OciLayout.openOrCreate(tmp.resolve("pulled"));
        TransferSummary pullSummary = new TransferSummary();
        try (RegistrySource source = RegistrySource.open(
                ImageReference.parse("docker://" + registry.address + "/kiln/roundtrip:v1"), options(pullSummary));
             LayoutDestination ld = new LayoutDestination(pulled, "v1", "oci:pulled")) {
            Descriptor root = MiniCopy.copy(source, ld, List.of(), 4);
            assertEquals(image.index.digest(), root.digest());
            assertEquals(image.index.mediaType(), root.mediaType());
        }
        assertEquals(digests(image.layout, image.index), digests(pulled, pulled.resolve("v1")), "every digest survives the round trip");

        // by digest as well
        try (RegistrySource byDigest = RegistrySource.open(ImageReference.parse("docker://" + registry.address
                + "/kiln/roundtrip@" + image.manifests.get(1).digest()), options(new TransferSummary()))) {
            Descriptor d = byDigest.root();
            assertEquals(image.manifests.get(1).digest(), d.digest());
            assertEquals(image.manifests.get(1).mediaType(), d.mediaType());
        }
    }

    @Test
    void aSecondPushMountsFromTheFirstRepositoryAndAThirdSkipsEverything(@TempDir Path tmp) throws Exception {
        TestImage image = TestImage.build(tmp.resolve("src"), "latest", 0, "mount");
        LayoutSource source = new LayoutSource(image.layout, "latest", "oci:src");
        TransferSummary first = new TransferSummary();
        try (RegistryDestination d = RegistryDestination.open(
                ImageReference.parse("docker://" + registry.address + "/kiln/mount-a:1"), options(first))) {
            MiniCopy.copy(source, d, List.of(), 4);
        }
        TransferSummary second = new TransferSummary();
        try (RegistryDestination d = RegistryDestination.open(
                ImageReference.parse("docker://" + registry.address + "/kiln/mount-b:1"), options(second), List.of("kiln/mount-a"))) {
            MiniCopy.copy(source, d, List.of("1", "also"), 4);
        }
        assertEquals(image.blobs.size(), second.blobsMounted(), "every blob mounted: " + second);
        assertEquals(0, second.blobsTransferred(), second.toString());
        byte[] raw = Cmd.check("skopeo", "inspect", "--raw", "--tls-verify=false", "docker://" + registry.address + "/kiln/mount-b:also");
        assertEquals(image.index.digest(), Digest.sha256(raw));

        TransferSummary third = new TransferSummary();
        try (RegistryDestination d = RegistryDestination.open(
                ImageReference.parse("docker://" + registry.address + "/kiln/mount-b:1"), options(third))) {
            MiniCopy.copy(source, d, List.of(), 4);
        }
        assertEquals(image.blobs.size(), third.blobsSkipped(), third.toString());
        assertEquals(0, third.blobsTransferred() + third.blobsMounted(), third.toString());
    }

    @Test
    void largeLayersGoInChunks(@TempDir Path tmp) throws Exception {
        TestImage image = TestImage.build(tmp.resolve("src"), "latest", 50L << 20, "big");
        TransferSummary summary = new TransferSummary();
        java.util.Queue<String> log = new java.util.concurrent.ConcurrentLinkedQueue<>();
        long start = System.nanoTime();
        try (RegistryDestination d = RegistryDestination.open(
                ImageReference.parse("docker://" + registry.address + "/kiln/big:1"), options(summary).withDebug(log::add))) {
            MiniCopy.copyWithPutBlobs(new LayoutSource(image.layout, "latest", "oci:src"), d, List.of());
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("pushed %d MB in %d blobs in %d ms%n", image.totalBlobBytes() >> 20, image.blobs.size(), ms);
        long pullStart = System.nanoTime();
        OciLayout pulled = OciLayout.openOrCreate(tmp.resolve("pulled"));
        try (RegistrySource s = RegistrySource.open(ImageReference.parse("docker://" + registry.address + "/kiln/big:1"), RegistryOptions.defaults());
             LayoutDestination ld = new LayoutDestination(pulled, "1", "oci:pulled")) {
            MiniCopy.copy(s, ld, List.of(), 4);
        }
        System.out.printf("pulled them back (verified) in %d ms%n", (System.nanoTime() - pullStart) / 1_000_000);
        byte[] raw = Cmd.check("skopeo", "inspect", "--raw", "--tls-verify=false", "docker://" + registry.address + "/kiln/big:1");
        assertEquals(image.index.digest(), Digest.sha256(raw));
        // skopeo copies every blob and checks its digest
        Cmd.check("skopeo", "copy", "--all", "--src-tls-verify=false", "docker://" + registry.address + "/kiln/big:1",
                "oci:" + tmp.resolve("skopeo-copy") + ":1");
        assertTrue(summary.bytesTransferred() >= 50L << 20);
        assertEquals(image.blobs.size(), summary.blobsTransferred(), summary.toString());
        long patches = log.stream().filter(l -> l.contains(": > PATCH ")).count();
        assertTrue(patches >= 7, "a 50 MB layer goes in 8 MiB chunks: " + patches + " PATCHes");
        assertTrue(log.stream().filter(l -> l.contains(": > PUT ") && l.contains("/blobs/uploads/")).allMatch(l -> l.contains("?_state=REDACTED&digest=sha256:")),
                "upload states are redacted in the log");
    }

    /** Every digest reachable from a descriptor. */
    static Set<String> digests(OciLayout layout, Descriptor root) throws Exception {
        Set<String> out = new TreeSet<>();
        walk(layout, root, out);
        return out;
    }

    private static void walk(OciLayout layout, Descriptor d, Set<String> out) throws Exception {
        out.add(d.mediaType() + " " + d.digest() + " " + d.size());
        byte[] bytes = layout.blobs().readSmall(d);
        if (dev.kiln.layout.spec.MediaTypes.isIndex(d.mediaType())) {
            for (Descriptor c : ImageIndex.parse(bytes, "index").manifests()) {
                walk(layout, c, out);
            }
        } else {
            ImageManifest m = ImageManifest.parse(bytes, "manifest");
            out.add(m.config().mediaType() + " " + m.config().digest() + " " + m.config().size());
            assertTrue(layout.blobs().exists(m.config().digest()));
            for (Descriptor l : m.layers()) {
                out.add(l.mediaType() + " " + l.digest() + " " + l.size());
                try (var in = layout.blobs().openVerified(l)) {
                    in.transferTo(java.io.OutputStream.nullOutputStream());
                }
            }
        }
    }
}
