package dev.kiln.layout.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.kiln.layout.archive.TestImages;
import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.oci.LayoutTag;
import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageIndex;
import dev.kiln.layout.spec.ImageManifest;
import dev.kiln.layout.spec.MediaTypes;
import dev.kiln.layout.spec.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CopierTest {
    private final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());

    @AfterEach
    void close() throws IOException {
        fs.close();
    }

    @Test
    void copyLayoutToLayoutKeepsEveryDigest() throws IOException {
        TestImages.Built src = TestImages.twoPlatforms(fs.getPath("/src"), "1.0");
        OciLayout dst = OciLayout.openOrCreate(fs.getPath("/dst"));
        CopyResult r;
        try (LayoutDestination d = new LayoutDestination(dst, "copy", "oci:/dst:copy")) {
            r = new Copier().copy(new LayoutSource(src.layout(), "1.0", "oci:/src:1.0"), d);
        }
        assertEquals(src.index().digest(), r.root().digest());
        assertFalse(r.rootChanged());
        assertEquals(src.index().digest(), dst.resolve("copy").digest());
        // the whole closure, byte for byte: 1 index + 2 manifests + 2 configs + 3 distinct layers
        List<ImageClosure.Node> closure = ImageClosure.of(src.index(), src.layout().blobs()::readSmall, "src");
        assertEquals(8, closure.size());
        for (ImageClosure.Node n : closure) {
            Digest g = n.descriptor().digest();
            assertArrayEquals(Files.readAllBytes(src.layout().blobs().path(g)), Files.readAllBytes(dst.blobs().path(g)), g.toString());
        }
        assertEquals(8, r.copied().size());
        assertEquals(closure.stream().mapToLong(n -> n.descriptor().size()).sum(), r.bytesCopied());

        // a second copy sends nothing
        CopyResult again;
        try (LayoutDestination d = new LayoutDestination(dst, "copy", "oci:/dst:copy")) {
            again = new Copier().copy(new LayoutSource(src.layout(), "1.0", "oci:/src:1.0"), d);
        }
        assertEquals(0, again.copied().size());
        assertEquals(8, again.skipped().size());
        assertEquals(r.bytesCopied(), again.bytesSkipped());
    }

    @Test
    void childrenBeforeParentsAndEachDigestOnce() throws IOException {
        for (int parallelism : new int[] {1, 4}) {
            TestImages.Built src = TestImages.twoPlatforms(fs.getPath("/src" + parallelism), "1.0");
            Recording dst = new Recording(OciLayout.openOrCreate(fs.getPath("/dst" + parallelism)));
            CopyResult r = new Copier(CopyOptions.defaults().withParallelism(parallelism))
                    .copy(new LayoutSource(src.layout(), "1.0", "src"), dst);
            List<Digest> all = new ArrayList<>(dst.order);
            assertEquals(Set.copyOf(all).size(), all.size(), "a digest was sent twice: " + all);
            assertEquals(8, all.size());
            assertEquals(Set.copyOf(all), Set.copyOf(r.copied()));
            // the shared base layer went once although both manifests list it
            assertEquals(1, Collections.frequency(all, src.sharedLayer().digest()));
            // manifests after their blobs, the index after the manifests, commit last
            int index = all.indexOf(src.index().digest());
            assertEquals(all.size() - 1, index);
            for (Descriptor m : src.manifests().values()) {
                ImageManifest parsed = ImageManifest.parse(src.layout().blobs().readSmall(m), "m");
                int at = all.indexOf(m.digest());
                assertTrue(all.indexOf(parsed.config().digest()) < at);
                for (Descriptor l : parsed.layers()) {
                    assertTrue(all.indexOf(l.digest()) < at);
                }
            }
            assertEquals(src.index().digest(), dst.committed.digest());
        }
    }

    @Test
    void platformSubsetMakesANewIndexFromTheOriginalDescriptors() throws IOException {
        TestImages.Built src = TestImages.twoPlatforms(fs.getPath("/src"), "1.0");
        OciLayout dst = OciLayout.openOrCreate(fs.getPath("/dst"));
        List<Descriptor[]> changes = new CopyOnWriteArrayList<>();
        CopyListener listener = new CopyListener() {
            @Override
            public void rootChanged(Descriptor from, Descriptor to) {
                changes.add(new Descriptor[] {from, to});
            }
        };
        CopyResult r;
        try (LayoutDestination d = new LayoutDestination(dst, "arm", "dst")) {
            r = new Copier(CopyOptions.defaults().withPlatforms(List.of(Platform.parse("linux/arm64"))).withListener(listener))
                    .copy(new LayoutSource(src.layout(), "1.0", "src"), d);
        }
        assertTrue(r.rootChanged());
        assertEquals(src.index().digest(), r.sourceRoot().digest());
        assertEquals(1, changes.size());
        assertEquals(r.root().digest(), changes.get(0)[1].digest());
        ImageIndex copied = ImageIndex.parse(dst.blobs().readSmall(r.root()), "copied");
        ImageIndex original = ImageIndex.parse(src.layout().blobs().readSmall(src.index()), "original");
        assertEquals(List.of(original.manifests().get(1)), copied.manifests());
        assertEquals(src.manifests().get("arm64"), copied.manifests().get(0));
        assertTrue(dst.blobs().exists(src.manifests().get("arm64").digest()));
        assertFalse(dst.blobs().exists(src.manifests().get("amd64").digest()));
        assertEquals(r.root().digest(), dst.resolve("arm").digest());

        // asking for every platform keeps the original index
        try (LayoutDestination d = new LayoutDestination(dst, "both", "dst")) {
            CopyResult both = new Copier(CopyOptions.defaults().withPlatforms(List.of(TestImages.ARM64, TestImages.AMD64)))
                    .copy(new LayoutSource(src.layout(), "1.0", "src"), d);
            assertFalse(both.rootChanged());
        }
    }

    @Test
    void unknownPlatformIsAnErrorListingWhatIsThere() throws IOException {
        TestImages.Built src = TestImages.twoPlatforms(fs.getPath("/src"), "1.0");
        OciLayout dst = OciLayout.openOrCreate(fs.getPath("/dst"));
        try (LayoutDestination d = new LayoutDestination(dst, "x", "dst")) {
            TransportException e = assertThrows(TransportException.class, () ->
                    new Copier(CopyOptions.defaults().withPlatforms(List.of(Platform.parse("linux/s390x"))))
                            .copy(new LayoutSource(src.layout(), "1.0", "oci:src:1.0"), d));
            assertEquals("oci:src:1.0: no image for platform linux/s390x (available: linux/amd64, linux/arm64)", e.getMessage());
        }
        assertTrue(dst.index().manifests().isEmpty());
    }

    @Test
    void anExactPlatformWinsAndTwoExactOnesAreAmbiguous() throws IOException {
        OciLayout layout = OciLayout.openOrCreate(fs.getPath("/src"));
        List<Digest> ids1 = new ArrayList<>();
        Descriptor l1 = TestImages.gzipLayer(layout, Map.of("a", "1"), ids1);
        List<Digest> ids2 = new ArrayList<>();
        Descriptor l2 = TestImages.gzipLayer(layout, Map.of("a", "2"), ids2);
        Platform v7 = new Platform("linux", "arm", "v7");
        Descriptor m1 = TestImages.manifest(layout, v7, List.of(l1), ids1, null, null);
        Descriptor m2 = TestImages.manifest(layout, v7, List.of(l2), ids2, null, null)
                .withPlatform(new Platform("linux", "arm", null));
        ImageReader reader = new ImageReader(fixedRoot(layout, TestImages.index(layout, List.of(m1, m2))));
        // both match linux/arm/v7 (arm means v7); the one naming it exactly wins
        assertEquals(m1.digest(), reader.image(Platform.parse("linux/arm/v7")).descriptor().digest());
        assertEquals(m2.digest(), reader.image(new Platform("linux", "arm", null)).descriptor().digest());

        ImageReader twice = new ImageReader(fixedRoot(layout, TestImages.index(layout, List.of(m1, m2.withPlatform(v7)))));
        TransportException e = assertThrows(TransportException.class, () -> twice.image(Platform.parse("linux/arm/v7")));
        assertEquals("src: platform linux/arm/v7 is ambiguous: 2 images match (linux/arm/v7 " + m1.digest()
                + ", linux/arm/v7 " + m2.digest() + "); name the variant or os.version", e.getMessage());
    }

    private static ImageSource fixedRoot(OciLayout layout, Descriptor root) {
        LayoutSource inner = new LayoutSource(layout, null, "src");
        return new ImageSource() {
            @Override
            public Descriptor root() {
                return root;
            }

            @Override
            public byte[] readManifest(Descriptor d) throws IOException {
                return inner.readManifest(d);
            }

            @Override
            public InputStream openBlob(Descriptor d) throws IOException {
                return inner.openBlob(d);
            }

            @Override
            public boolean hasBlob(Descriptor d) {
                return inner.hasBlob(d);
            }

            @Override
            public String describe() {
                return "src";
            }
        };
    }

    @Test
    void attestationsAreSkippedWhenChoosingAndFollowTheirImageInASubset() throws IOException {
        TestImages.Built src = TestImages.twoPlatforms(fs.getPath("/src"), null);
        OciLayout layout = src.layout();
        Descriptor amd = src.manifests().get("amd64");
        Descriptor arm = src.manifests().get("arm64");
        Descriptor attAmd = attestation(layout, amd);
        Descriptor attArm = attestation(layout, arm);
        Descriptor inner = TestImages.index(layout, List.of(amd, arm, attAmd, attArm));
        // Docker 25+ save: index.json -> index -> images + attestations
        layout.tag(LayoutTag.parse("example.com/hello:1.0"), inner);
        LayoutSource source = new LayoutSource(layout, "example.com/hello:1.0", "src");
        ImageReader reader = new ImageReader(source);
        assertEquals(List.of(amd.digest(), arm.digest()),
                reader.platformEntries().stream().map(e -> e.descriptor().digest()).toList());
        assertEquals(arm.digest(), reader.image(TestImages.ARM64).descriptor().digest());
        assertEquals("hello amd64", reader.image((Platform) null).config().value().config().envMap().get("GREETING"));

        OciLayout dst = OciLayout.openOrCreate(fs.getPath("/dst"));
        CopyResult r;
        try (LayoutDestination d = new LayoutDestination(dst, "arm", "dst")) {
            r = new Copier(CopyOptions.defaults().withPlatforms(List.of(TestImages.ARM64))).copy(source, d);
        }
        ImageIndex copied = ImageIndex.parse(dst.blobs().readSmall(r.root()), "copied");
        assertEquals(List.of(arm.digest(), attArm.digest()), copied.manifests().stream().map(Descriptor::digest).toList());
        assertTrue(dst.blobs().exists(attArm.digest()));
        assertFalse(dst.blobs().exists(attAmd.digest()));
    }

    private static Descriptor attestation(OciLayout layout, Descriptor image) throws IOException {
        Descriptor statement = layout.blobs().putBytes("application/vnd.in-toto+json",
                ("{\"subject\":\"" + image.digest() + "\"}").getBytes());
        Descriptor config = layout.blobs().putBytes(MediaTypes.OCI_CONFIG,
                "{\"architecture\":\"unknown\",\"os\":\"unknown\",\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}".getBytes());
        ImageManifest m = new ImageManifest(MediaTypes.OCI_MANIFEST, config, List.of(statement));
        return layout.blobs().putBytes(MediaTypes.OCI_MANIFEST, m.toBytes())
                .withPlatform(new Platform("unknown", "unknown", null))
                .withAnnotation(ImageReader.ANNOTATION_REFERENCE_TYPE, "attestation-manifest")
                .withAnnotation(ImageReader.ANNOTATION_REFERENCE_DIGEST, image.digest().toString());
    }

    @Test
    void foreignLayersAreLeftOutUnlessAskedForAndMayBeMissing() throws IOException {
        OciLayout layout = OciLayout.openOrCreate(fs.getPath("/src"));
        List<Digest> ids = new ArrayList<>();
        Descriptor own = TestImages.gzipLayer(layout, Map.of("app", "x"), ids);
        // a Windows-style base layer: referenced by URL, not in the source
        Descriptor foreign = new Descriptor(MediaTypes.DOCKER_LAYER_FOREIGN_GZIP,
                Digest.sha256("not stored"), 10).withUrls(List.of("https://example.com/base"));
        ids.add(0, Digest.sha256("base tar"));
        // a second foreign layer the source does hold
        List<Digest> ids2 = new ArrayList<>();
        Descriptor held = TestImages.gzipLayer(layout, Map.of("held", "y"), ids2)
                .withMediaType(MediaTypes.OCI_LAYER_NONDISTRIBUTABLE_GZIP);
        ids.add(ids2.get(0));
        Descriptor m = TestImages.manifest(layout, TestImages.AMD64, List.of(foreign, own, held), ids, null, null);
        layout.tag(LayoutTag.parse("win"), m);

        Map<Digest, CopyListener.SkipReason> skipped = new ConcurrentHashMap<>();
        CopyListener l = new CopyListener() {
            @Override
            public void blobSkipped(Descriptor blob, SkipReason reason) {
                skipped.put(blob.digest(), reason);
            }
        };
        OciLayout dst = OciLayout.openOrCreate(fs.getPath("/dst"));
        try (LayoutDestination d = new LayoutDestination(dst, "win", "dst")) {
            CopyResult r = new Copier(CopyOptions.defaults().withListener(l)).copy(new LayoutSource(layout, "win", "src"), d);
            assertEquals(m.digest(), r.root().digest());
            assertTrue(r.skipped().containsAll(List.of(foreign.digest(), held.digest())));
        }
        assertEquals(CopyListener.SkipReason.NONDISTRIBUTABLE, skipped.get(foreign.digest()));
        assertEquals(CopyListener.SkipReason.NONDISTRIBUTABLE, skipped.get(held.digest()));
        assertFalse(dst.blobs().exists(held.digest()));
        assertTrue(dst.blobs().exists(own.digest()));

        skipped.clear();
        OciLayout dst2 = OciLayout.openOrCreate(fs.getPath("/dst2"));
        try (LayoutDestination d = new LayoutDestination(dst2, "win", "dst2")) {
            new Copier(CopyOptions.defaults().withListener(l).withIncludeNondistributable(true))
                    .copy(new LayoutSource(layout, "win", "src"), d);
        }
        assertEquals(CopyListener.SkipReason.NOT_IN_SOURCE, skipped.get(foreign.digest()));
        assertFalse(skipped.containsKey(held.digest()));
        assertTrue(dst2.blobs().exists(held.digest()));
    }

    @Test
    void singleImageAndAPlatformThatIsNotItsOwn() throws IOException {
        TestImages.Built src = TestImages.twoPlatforms(fs.getPath("/src"), null);
        src.layout().tag(LayoutTag.parse("arm"), src.manifests().get("arm64"));
        OciLayout dst = OciLayout.openOrCreate(fs.getPath("/dst"));
        try (LayoutDestination d = new LayoutDestination(dst, "x", "dst")) {
            TransportException e = assertThrows(TransportException.class, () ->
                    new Copier(CopyOptions.defaults().withPlatforms(List.of(TestImages.AMD64)))
                            .copy(new LayoutSource(src.layout(), "arm", "oci:src:arm"), d));
            assertEquals("oci:src:arm: the image is for linux/arm64 only; it has no linux/amd64", e.getMessage());
            CopyResult r = new Copier(CopyOptions.defaults().withPlatforms(List.of(TestImages.ARM64)))
                    .copy(new LayoutSource(src.layout(), "arm", "oci:src:arm"), d);
            assertFalse(r.rootChanged());
        }
    }

    @Test
    void aDestinationWithoutIndexesGetsThePlatformManifestsDefaultFirst() throws IOException {
        TestImages.Built src = TestImages.twoPlatforms(fs.getPath("/src"), "1.0");
        List<Object> calls = new ArrayList<>();
        Recording dst = new Recording(OciLayout.openOrCreate(fs.getPath("/dst"))) {
            @Override
            public boolean acceptsIndex() {
                return false;
            }

            @Override
            public void commitPlatforms(Descriptor index, List<Descriptor> manifests, List<String> tags) {
                calls.add(index.digest());
                calls.add(manifests.stream().map(m -> m.platform().toString()).collect(Collectors.toList()));
                calls.add(tags);
            }
        };
        new Copier(CopyOptions.defaults().withDefaultPlatform(TestImages.ARM64).withTags(List.of("hello:1.0")))
                .copy(new LayoutSource(src.layout(), "1.0", "src"), dst);
        assertEquals(List.of(src.index().digest(), List.of("linux/arm64", "linux/amd64"), List.of("hello:1.0")), calls);
        assertTrue(dst.order.contains(src.index().digest()), "the index is stored too, for formats that carry it");
        assertEquals(null, dst.committed);
    }

    @Test
    void aFailingBlobStopsTheCopyBeforeAnyManifest() throws IOException {
        TestImages.Built src = TestImages.twoPlatforms(fs.getPath("/src"), "1.0");
        // corrupt one layer in the source
        Descriptor victim = src.sharedLayer();
        Files.write(src.layout().blobs().path(victim.digest()), new byte[(int) victim.size()]);
        for (int parallelism : new int[] {1, 3}) {
            Recording dst = new Recording(OciLayout.openOrCreate(fs.getPath("/dst" + parallelism)));
            Exception e = assertThrows(Exception.class, () -> new Copier(CopyOptions.defaults().withParallelism(parallelism))
                    .copy(new LayoutSource(src.layout(), "1.0", "src"), dst));
            assertTrue(e.getMessage().contains(victim.digest().toString()), e.getMessage());
            assertFalse(dst.order.contains(src.index().digest()));
            assertEquals(null, dst.committed);
            assertFalse(dst.layout().blobs().exists(victim.digest()));
        }
    }

    /** A layout destination that records what it is sent. */
    static class Recording implements ImageDestination {
        final List<Digest> order = new CopyOnWriteArrayList<>();
        final Map<Digest, Integer> counts = new HashMap<>();
        private final LayoutDestination inner;
        Descriptor committed;

        Recording(OciLayout layout) throws IOException {
            inner = new LayoutDestination(layout, "t", "recording");
        }

        OciLayout layout() {
            return inner.layout();
        }

        @Override
        public boolean hasBlob(Descriptor d) throws IOException {
            return inner.hasBlob(d);
        }

        @Override
        public void putBlob(Descriptor d, InputStream content) throws IOException {
            inner.putBlob(d, content);
            order.add(d.digest());
        }

        @Override
        public void putManifest(Descriptor d, byte[] bytes) throws IOException {
            inner.putManifest(d, bytes);
            order.add(d.digest());
        }

        @Override
        public void commit(Descriptor root, List<String> tags) throws IOException {
            inner.commit(root, tags);
            committed = root;
        }

        @Override
        public String describe() {
            return "recording";
        }
    }
}
