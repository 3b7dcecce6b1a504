package dev.kiln.layout.oci;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageIndex;
import dev.kiln.layout.spec.MediaTypes;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OciLayoutTest {
    private FileSystem fs;
    private Path root;

    @BeforeEach
    void setUp() {
        fs = Fixture.jimfs();
        root = fs.getPath("/layout");
    }

    @AfterEach
    void tearDown() throws IOException {
        fs.close();
    }

    private static Set<String> refNames(OciLayout layout) {
        Set<String> out = new TreeSet<>();
        for (Descriptor d : layout.index().manifests()) {
            out.add(d.annotation(MediaTypes.ANNOTATION_REF_NAME));
        }
        return out;
    }

    @Test
    void createsAnEmptyLayout() throws IOException {
        OciLayout layout = OciLayout.openOrCreate(root);
        assertEquals("{\"imageLayoutVersion\":\"1.0.0\"}", Files.readString(root.resolve("oci-layout")));
        assertEquals("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}",
                Files.readString(root.resolve("index.json")));
        assertTrue(Files.isDirectory(root.resolve("blobs/sha256")));
        assertTrue(OciLayout.isLayout(root));
        assertEquals(List.of(), layout.index().manifests());
        assertEquals(root, OciLayout.openOrCreate(root).root(), "opening again keeps it");
        assertTrue(new Verifier(root, true).verify().ok());
    }

    @Test
    void aScratchLayoutIsNewAndNotDurable() throws IOException {
        OciLayout scratch = OciLayout.createScratch(fs.getPath("/scratch"));
        assertFalse(scratch.durable());
        assertFalse(scratch.blobs().durable());
        assertTrue(OciLayout.isLayout(fs.getPath("/scratch")));
        assertTrue(OciLayout.openOrCreate(root).durable());
        LayoutException e = assertThrows(LayoutException.class, () -> OciLayout.createScratch(root));
        assertTrue(e.getMessage().contains("must be new"), e.getMessage());
    }

    @Test
    void refusesWhatIsNotALayout() throws IOException {
        assertEquals("/nowhere: no such OCI layout directory",
                assertThrows(LayoutException.class, () -> OciLayout.open(fs.getPath("/nowhere"))).getMessage());
        Files.createDirectories(fs.getPath("/full"));
        Files.writeString(fs.getPath("/full/file.txt"), "x");
        assertEquals("/full: not an OCI layout (oci-layout is missing)",
                assertThrows(LayoutException.class, () -> OciLayout.open(fs.getPath("/full"))).getMessage());
        assertEquals("/full: folder is not empty and is not an OCI layout (no oci-layout)",
                assertThrows(LayoutException.class, () -> OciLayout.openOrCreate(fs.getPath("/full"))).getMessage());
        Files.writeString(fs.getPath("/full/oci-layout"), "{\"imageLayoutVersion\":\"2.0.0\"}");
        assertEquals("/full/oci-layout: unsupported imageLayoutVersion '2.0.0' (want 1.0.0)",
                assertThrows(LayoutException.class, () -> OciLayout.open(fs.getPath("/full"))).getMessage());
    }

    @Test
    void completesWhatAnInterruptedCreationLeftButNothingElse() throws IOException {
        Files.createDirectories(root.resolve("blobs/sha256"));
        Files.createDirectories(root.resolve(".kiln/tmp"));
        Files.writeString(root.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[]}");
        OciLayout.openOrCreate(root);
        assertTrue(OciLayout.isLayout(root));
        assertTrue(new Verifier(root, false).verify().ok());

        Path withBlob = fs.getPath("/with-blob");
        Files.createDirectories(withBlob.resolve("blobs/sha256"));
        Files.writeString(withBlob.resolve("blobs/sha256/" + "a".repeat(64)), "someone's data");
        assertThrows(LayoutException.class, () -> OciLayout.openOrCreate(withBlob));
        Path withTags = fs.getPath("/with-tags");
        Files.createDirectories(withTags);
        Files.writeString(withTags.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:" + "a".repeat(64) + "\",\"size\":2}]}");
        assertThrows(LayoutException.class, () -> OciLayout.openOrCreate(withTags));
        assertTrue(!OciLayout.isLayout(withBlob) && !OciLayout.isLayout(withTags));
    }

    @Test
    void tagAndRetagKeepOtherTags() throws IOException {
        OciLayout layout = OciLayout.openOrCreate(root);
        Fixture.Image one = Fixture.putImage(layout, Fixture.AMD64, "one");
        Fixture.Image two = Fixture.putImage(layout, Fixture.AMD64, "two");
        layout.tag(LayoutTag.parse("1.0"), one.manifest());
        layout.tag(LayoutTag.parse("latest"), one.manifest());
        assertEquals(Set.of("1.0", "latest"), refNames(layout));
        layout.tag(LayoutTag.parse("latest"), two.manifest());
        assertEquals(Set.of("1.0", "latest"), refNames(layout));
        assertEquals(one.manifest().digest(), layout.resolve("1.0").digest());
        assertEquals(two.manifest().digest(), layout.resolve("latest").digest());
        assertEquals(2, layout.index().manifests().size());
        assertTrue(layout.untag(LayoutTag.parse("1.0")));
        assertEquals(Set.of("latest"), refNames(layout));
        assertEquals(two.manifest().digest(), layout.resolve(null).digest(), "the only image needs no tag");
    }

    @Test
    void anUpdateThatChangesNothingWritesNothing() throws IOException {
        OciLayout layout = OciLayout.openOrCreate(root);
        Fixture.Image one = Fixture.putImage(layout, Fixture.AMD64, "one");
        Fixture.Image two = Fixture.putImage(layout, Fixture.AMD64, "two");
        layout.tag(LayoutTag.parse("latest"), one.manifest());
        Object before = Files.readAttributes(root.resolve("index.json"), java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        layout.tag(LayoutTag.parse("latest"), one.manifest()); // a rebuild tagging the same image again
        assertEquals(before, Files.readAttributes(root.resolve("index.json"),
                java.nio.file.attribute.BasicFileAttributes.class).fileKey(), "index.json left as it was");
        layout.tag(LayoutTag.parse("latest"), two.manifest());
        assertEquals(two.manifest().digest(), layout.resolve("latest").digest());
        assertTrue(!before.equals(Files.readAttributes(root.resolve("index.json"),
                java.nio.file.attribute.BasicFileAttributes.class).fileKey()), "a real change is written");
    }

    @Test
    void fullNamesSetBothAnnotations() throws IOException {
        OciLayout layout = OciLayout.openOrCreate(root);
        Fixture.Image one = Fixture.putImage(layout, Fixture.AMD64, "one");
        layout.tag(LayoutTag.parse("example.com/hello:1.0"), one.manifest());
        Descriptor d = layout.index().manifests().get(0);
        assertEquals("1.0", d.annotation(MediaTypes.ANNOTATION_REF_NAME));
        assertEquals("example.com/hello:1.0", d.annotation(MediaTypes.ANNOTATION_CONTAINERD_NAME));
        assertEquals(one.manifest().digest(), layout.resolve("example.com/hello:1.0").digest());
        assertEquals(one.manifest().digest(), layout.resolve("1.0").digest());
    }

    @Test
    void resolveSaysWhatIsMissingOrAmbiguous() throws IOException {
        OciLayout layout = OciLayout.openOrCreate(root);
        assertEquals("/layout: the layout holds no image",
                assertThrows(LayoutException.class, () -> layout.resolve(null)).getMessage());
        assertEquals("/layout: no image tagged 'latest' (the layout has no tags)",
                assertThrows(LayoutException.class, () -> layout.resolve("latest")).getMessage());
        Fixture.Image a = Fixture.putImage(layout, Fixture.AMD64, "a");
        Fixture.Image b = Fixture.putImage(layout, Fixture.AMD64, "b");
        layout.tag(LayoutTag.parse("example.com/a:latest"), a.manifest());
        layout.tag(LayoutTag.parse("example.com/b:latest"), b.manifest());
        assertEquals("/layout: no image tagged 'nope' (tags: example.com/a:latest, example.com/b:latest)",
                assertThrows(LayoutException.class, () -> layout.resolve("nope")).getMessage());
        assertEquals("/layout: tag 'latest' is ambiguous: 2 images carry it; use the full name "
                        + "(example.com/a:latest, example.com/b:latest)",
                assertThrows(LayoutException.class, () -> layout.resolve("latest")).getMessage());
        assertEquals("/layout: the layout holds 2 images; name one of: example.com/a:latest, example.com/b:latest",
                assertThrows(LayoutException.class, () -> layout.resolve(null)).getMessage());
        assertEquals(b.manifest().digest(), layout.resolve("example.com/b:latest").digest());
    }

    @Test
    void brokenIndexJsonIsNamed() throws IOException {
        OciLayout layout = OciLayout.openOrCreate(root);
        Fixture.writeIndexJson(layout, new byte[0]);
        assertEquals("/layout/index.json: empty file (want an image index)",
                assertThrows(LayoutException.class, layout::index).getMessage());
        Files.delete(root.resolve("index.json"));
        assertEquals("/layout: index.json is missing", assertThrows(LayoutException.class, layout::index).getMessage());
    }

    @Test
    void concurrentTagsAreNotLost() throws Exception {
        OciLayout layout = OciLayout.openOrCreate(root);
        Fixture.Image image = Fixture.putImage(layout, Fixture.AMD64, "shared");
        int threads = 8;
        int perThread = 10;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    // each thread opens the layout itself, as separate commands would
                    OciLayout own = OciLayout.open(root);
                    for (int i = 0; i < perThread; i++) {
                        own.tag(LayoutTag.parse("t" + id + "-" + i), image.manifest());
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        ImageIndex index = layout.index();
        assertEquals(threads * perThread, index.manifests().size());
        Set<String> names = refNames(layout);
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < perThread; i++) {
                assertTrue(names.contains("t" + t + "-" + i), "tag t" + t + "-" + i + " was lost");
            }
        }
        assertTrue(new Verifier(root, false).verify().ok());
    }
}
