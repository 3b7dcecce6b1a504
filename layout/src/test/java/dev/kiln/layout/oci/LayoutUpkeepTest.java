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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeping a layout: a layout is created only in a folder that is empty or holds what an interrupted
 * creation leaves; tag edits say what they did; gc says how many problems stopped it and lists the
 * temporary files it removed in order; verify lists unreachable blobs in digest order.
 */
class LayoutUpkeepTest {
    static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    FileSystem fs;
    Path root;

    @BeforeEach
    void setUp() {
        fs = Fixture.jimfs();
        root = fs.getPath("/layout");
    }

    @AfterEach
    void tearDown() throws IOException {
        fs.close();
    }

    @Test
    void aLayoutIsCreatedOverWhatAnInterruptedCreationLeft() throws IOException {
        Files.createDirectories(root.resolve(".kiln/tmp"));
        Files.createDirectories(root.resolve("blobs/sha256"));
        Files.write(root.resolve("index.json"), new ImageIndex(MediaTypes.OCI_INDEX, List.of()).toBytes());
        OciLayout layout = OciLayout.openOrCreate(root);
        assertTrue(Files.isRegularFile(root.resolve(OciLayout.LAYOUT_FILE)));
        assertEquals(List.of(), layout.index().manifests());
    }

    @Test
    void aFolderHoldingAnythingElseIsNotMadeALayout() throws IOException {
        Path other = Files.createDirectories(fs.getPath("/other"));
        Files.writeString(other.resolve("README"), "mine");
        LayoutException e = assertThrows(LayoutException.class, () -> OciLayout.openOrCreate(other));
        assertEquals("/other: folder is not empty and is not an OCI layout (no oci-layout)", e.getMessage());
        assertFalse(Files.exists(other.resolve(OciLayout.KILN_DIR)), "nothing written");

        Path withIndex = Files.createDirectories(fs.getPath("/with-index"));
        Descriptor d = new Descriptor(MediaTypes.OCI_MANIFEST, Digest.sha256("m"), 1);
        Files.write(withIndex.resolve("index.json"), new ImageIndex(MediaTypes.OCI_INDEX, List.of(d)).toBytes());
        assertThrows(LayoutException.class, () -> OciLayout.openOrCreate(withIndex), "an index.json with entries is no leftover");

        Path withBlob = Files.createDirectories(fs.getPath("/with-blob/blobs/sha256"));
        Files.writeString(withBlob.resolve("x"), "data");
        assertThrows(LayoutException.class, () -> OciLayout.openOrCreate(fs.getPath("/with-blob")), "a blobs/ with files is no leftover");
    }

    @Test
    void tagEditsSayWhatTheyDid() throws IOException {
        OciLayout layout = Fixture.singleImage(root, "latest");
        assertFalse(layout.untag(LayoutTag.parse("nothere")));
        assertTrue(layout.untag(LayoutTag.parse("latest")));
        assertEquals(List.of(), layout.index().manifests());
        Descriptor d = new Descriptor(MediaTypes.OCI_MANIFEST, Digest.sha256("m"), 1);
        ImageIndex updated = layout.updateIndex(i -> i.withManifests(List.of(d)));
        assertEquals(List.of(d), updated.manifests());
        assertEquals(updated.manifests(), layout.index().manifests());
    }

    @Test
    void gcSaysHowManyMoreProblemsStoppedIt() throws IOException {
        OciLayout layout = Fixture.multiPlatform(root, "latest");
        ImageIndex index = ImageIndex.parse(layout.blobs().readSmall(layout.resolve("latest")), "index");
        for (Descriptor m : index.manifests()) {
            Files.delete(Fixture.blob(layout, m.digest()));
        }
        GarbageCollector gc = new GarbageCollector(layout, Duration.ofMinutes(30), Clock.fixed(NOW, ZoneOffset.UTC));
        LayoutException e = assertThrows(LayoutException.class, () -> gc.collect(false));
        assertTrue(e.getMessage().contains(" (and 1 more); nothing was deleted"), e.getMessage());
    }

    @Test
    void gcListsTheTemporaryFilesItRemovedInOrder() throws IOException {
        OciLayout layout = Fixture.singleImage(root, "latest");
        Path tmp = Files.createDirectories(root.resolve(".kiln/tmp"));
        for (String name : new String[] {"c.partial", "a.partial", "b.partial"}) {
            Files.writeString(tmp.resolve(name), "stale");
            Files.setLastModifiedTime(tmp.resolve(name), FileTime.from(NOW.minus(Duration.ofHours(2))));
        }
        GcReport r = new GarbageCollector(layout, Duration.ofMinutes(30), Clock.fixed(NOW, ZoneOffset.UTC)).collect(false);
        assertEquals(3, r.tempFilesRemoved().size());
        List<String> sorted = new ArrayList<>(r.tempFilesRemoved());
        sorted.sort(null);
        assertEquals(sorted, r.tempFilesRemoved());
        assertEquals(15, r.tempBytesFreed());
    }

    @Test
    void unreachableBlobsAreListedInDigestOrder(@TempDir Path dir) throws IOException {
        Path real = dir.resolve("layout");
        OciLayout layout = Fixture.singleImage(real, "latest");
        List<Digest> strays = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            strays.add(layout.blobs().putBytes(MediaTypes.OCI_LAYER, Fixture.utf8("stray " + i)).digest());
        }
        strays.sort(null);
        VerifyReport r = new Verifier(real, false).verify();
        List<Digest> warned = r.warnings().stream().filter(p -> p.message().startsWith("blob is not reachable"))
                .map(Problem::digest).toList();
        assertEquals(strays, warned);
    }
}
