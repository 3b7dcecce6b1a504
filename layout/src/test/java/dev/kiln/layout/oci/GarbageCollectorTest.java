package dev.kiln.layout.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageIndex;
import dev.kiln.layout.spec.MediaTypes;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GarbageCollectorTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
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

    private GarbageCollector gc(OciLayout layout) {
        return new GarbageCollector(layout, Duration.ofMinutes(30), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @Test
    void removesWhatNothingReachesAndKeepsTheRest() throws IOException {
        OciLayout layout = Fixture.multiPlatform(root, "latest");
        Set<Digest> before = new TreeSet<>(layout.blobs().list());
        Fixture.Image old = Fixture.putImage(layout, Fixture.AMD64, "shared base", "old app");
        Descriptor orphan = layout.blobs().putBytes(MediaTypes.OCI_LAYER, Fixture.utf8("orphan"));

        GcReport dry = gc(layout).collect(true);
        assertTrue(dry.dryRun());
        // the old image's manifest, config and app layer, and the orphan; the shared base stays
        Set<Digest> expected = new TreeSet<>(List.of(old.manifest().digest(), old.config().digest(),
                old.layers().get(1).digest(), orphan.digest()));
        assertEquals(expected, new TreeSet<>(dry.removed()));
        assertTrue(dry.summary().startsWith("would remove 4 blobs"), dry.summary());
        assertEquals(12, layout.blobs().list().size(), "a dry run deletes nothing");

        GcReport done = gc(layout).collect(false);
        assertEquals(expected, new TreeSet<>(done.removed()));
        assertEquals(old.manifest().size() + old.config().size() + old.layers().get(1).size() + 6, done.bytesFreed());
        assertEquals(8, done.blobsKept());
        assertEquals(before, new TreeSet<>(layout.blobs().list()));
        VerifyReport r = new Verifier(root, true).verify();
        assertTrue(r.ok() && r.warnings().isEmpty(), r.problems() + " " + r.warnings());
        assertEquals(List.of(), gc(layout).collect(false).removed());
    }

    @Test
    void untaggedImagesGoWithTheirNestedIndex() throws IOException {
        OciLayout layout = Fixture.multiPlatform(root, "latest");
        Fixture.Image kept = Fixture.putImage(layout, Fixture.AMD64, "kept");
        layout.tag(LayoutTag.parse("kept"), kept.manifest());
        layout.untag(LayoutTag.parse("latest"));
        gc(layout).collect(false);
        assertEquals(new TreeSet<>(List.of(kept.manifest().digest(), kept.config().digest(),
                kept.layers().get(0).digest())), new TreeSet<>(layout.blobs().list()));
    }

    @Test
    void refusesWhenAManifestIsMissing() throws IOException {
        OciLayout layout = Fixture.multiPlatform(root, "latest");
        Descriptor orphan = layout.blobs().putBytes(MediaTypes.OCI_LAYER, Fixture.utf8("orphan"));
        ImageIndex index = ImageIndex.parse(layout.blobs().readSmall(layout.resolve("latest")), "index");
        Digest arm = index.manifests().get(1).digest();
        Files.delete(Fixture.blob(layout, arm));
        List<Digest> before = layout.blobs().list();
        LayoutException e = assertThrows(LayoutException.class, () -> gc(layout).collect(false));
        assertTrue(e.getMessage().startsWith("gc refused for /layout: cannot prove which blobs are unreachable: "
                + "index.json > latest"), e.getMessage());
        assertTrue(e.getMessage().contains("blob is missing (blobs/sha256/" + arm.hex() + ")"), e.getMessage());
        assertTrue(e.getMessage().endsWith("nothing was deleted (run kiln verify)"), e.getMessage());
        assertEquals(before, layout.blobs().list());
        assertTrue(layout.blobs().exists(orphan.digest()));
    }

    @Test
    void refusesWhenAManifestIsCorruptOrIndexJsonIsUnreadable() throws IOException {
        OciLayout layout = Fixture.singleImage(root, "latest");
        layout.blobs().putBytes(MediaTypes.OCI_LAYER, Fixture.utf8("orphan"));
        Descriptor m = layout.resolve("latest");
        Files.write(Fixture.blob(layout, m.digest()), Fixture.utf8("{}"));
        assertThrows(LayoutException.class, () -> gc(layout).collect(false));
        Fixture.writeIndexJson(layout, Fixture.utf8("{\"schemaVersion\":2,\"manifests\":[{}]}"));
        LayoutException e = assertThrows(LayoutException.class, () -> gc(layout).collect(false));
        assertTrue(e.getMessage().contains("index.json: index.json.manifests[0]: field 'mediaType': missing"), e.getMessage());
        assertEquals(5, layout.blobs().list().size());
    }

    @Test
    void missingLayersDoNotStopGc() throws IOException {
        OciLayout layout = Fixture.singleImage(root, "latest");
        Descriptor layer = Fixture.manifest(layout, layout.resolve("latest")).layers().get(0);
        Files.delete(Fixture.blob(layout, layer.digest()));
        Descriptor orphan = layout.blobs().putBytes(MediaTypes.OCI_LAYER, Fixture.utf8("orphan"));
        assertEquals(List.of(orphan.digest()), gc(layout).collect(false).removed());
    }

    @Test
    void removesStaleTemporaryFilesOnly() throws IOException {
        OciLayout layout = Fixture.singleImage(root, "latest");
        Path tmp = root.resolve(".kiln/tmp");
        Files.createDirectories(tmp);
        Path stale = Files.writeString(tmp.resolve("blob-1.partial"), "crashed writer");
        Files.setLastModifiedTime(stale, FileTime.from(NOW.minus(Duration.ofHours(2))));
        Path fresh = Files.writeString(tmp.resolve("blob-2.partial"), "writer at work");
        Files.setLastModifiedTime(fresh, FileTime.from(NOW.minus(Duration.ofMinutes(5))));
        GcReport dry = gc(layout).collect(true);
        assertEquals(List.of(".kiln/tmp/blob-1.partial"), dry.tempFilesRemoved());
        assertTrue(Files.exists(stale));
        GcReport r = gc(layout).collect(false);
        assertEquals(List.of(".kiln/tmp/blob-1.partial"), r.tempFilesRemoved());
        assertEquals(14, r.tempBytesFreed());
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(fresh));
    }

    @Test
    void waitsForWritersThatHoldTheBlobs() throws Exception {
        OciLayout layout = Fixture.singleImage(root, "latest");
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Fixture.Image[] pending = new Fixture.Image[1];
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try (AutoCloseable hold = layout.holdBlobs()) {
                pending[0] = Fixture.putImage(layout, Fixture.AMD64, "about to be tagged"); // blobs first ...
                held.countDown();
                release.await();
                layout.tag(LayoutTag.parse("new"), pending[0].manifest());               // ... then the tag
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(held.await(10, TimeUnit.SECONDS));
        CompletableFuture<GcReport> gc = CompletableFuture.supplyAsync(() -> {
            try {
                return gc(layout).collect(false);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThrows(TimeoutException.class, () -> gc.get(300, TimeUnit.MILLISECONDS), "gc must wait for the writer");
        release.countDown();
        writer.get(10, TimeUnit.SECONDS);
        GcReport r = gc.get(10, TimeUnit.SECONDS);
        assertEquals(List.of(), r.removed(), "the writer's blobs were tagged before gc ran");
        assertTrue(layout.blobs().exists(pending[0].layers().get(0).digest()));
        assertTrue(new Verifier(root, true).verify().ok());
    }
}
