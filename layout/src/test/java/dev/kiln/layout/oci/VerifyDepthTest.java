package dev.kiln.layout.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageIndex;
import dev.kiln.layout.spec.MediaTypes;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What {@code verify} checks beyond single blobs: indexes nested deeper than kiln's readers
 * follow get one warning; a deep check compares layers with diff_ids in the algorithm the config
 * uses (sha512 too); the report counts every blob it read once, and verify takes the layout's gc
 * lock only when the layout has one (it never writes).
 */
class VerifyDepthTest {
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

    /** A tag on {@code levels} indexes nested in one another around one image manifest. */
    OciLayout nested(int levels) throws IOException {
        OciLayout layout = OciLayout.openOrCreate(root);
        Descriptor d = Fixture.putImage(layout, Fixture.AMD64, "x").manifest();
        for (int i = 0; i < levels; i++) {
            d = layout.blobs().putBytes(MediaTypes.OCI_INDEX, new ImageIndex(MediaTypes.OCI_INDEX, List.of(d)).toBytes());
        }
        layout.tag(LayoutTag.parse("deep"), d);
        return layout;
    }

    static List<String> nestingWarnings(VerifyReport r) {
        return r.warnings().stream().map(Problem::message).filter(m -> m.startsWith("indexes are nested")).toList();
    }

    @Test
    void nestingKilnsReadersFollowIsFineOneLevelMoreIsWarnedAboutOnce() throws IOException {
        nested(Verifier.READERS_MAX_NESTING);
        VerifyReport ok = new Verifier(root, false).verify();
        assertEquals(List.of(), nestingWarnings(ok));
        assertTrue(ok.ok());
    }

    @Test
    void nestingDeeperThanKilnsReadersFollowIsWarnedAboutOnce() throws IOException {
        nested(Verifier.READERS_MAX_NESTING + 2);
        VerifyReport r = new Verifier(root, false).verify();
        assertEquals(List.of("indexes are nested 9 levels deep; kiln copy, inspect and build follow at most 8"), nestingWarnings(r));
        assertTrue(r.ok(), "valid, only a trap for other tools");
    }

    @Test
    void aDeepCheckUsesTheConfigsDiffIdAlgorithm() throws IOException {
        OciLayout layout = OciLayout.openOrCreate(root);
        Fixture.Image img = Fixture.putImage(layout, Fixture.AMD64, "first", "second");
        layout.tag(LayoutTag.parse("latest"), img.manifest());
        List<Digest> sha512 = new ArrayList<>();
        for (String t : new String[] {"first", "second"}) {
            sha512.add(Digest.of("sha512", Fixture.utf8(t)));
        }
        Fixture.rewriteConfig(layout, "latest", c -> c.withLayers(sha512, c.history()));
        VerifyReport good = new Verifier(root, true).verify();
        assertEquals(List.of(), Fixture.strings(good.problems()));

        List<Digest> wrong = List.of(sha512.get(0), Digest.of("sha512", Fixture.utf8("tampered")));
        Fixture.rewriteConfig(layout, "latest", c -> c.withLayers(wrong, c.history()));
        VerifyReport bad = new Verifier(root, true).verify();
        assertEquals(1, bad.problems().size(), bad.problems()::toString);
        assertTrue(bad.problems().get(0).message().startsWith("uncompressed content hashes to sha512:"), bad.problems()::toString);
        assertTrue(bad.problems().get(0).message().endsWith("but the config's diff_id 2 is " + wrong.get(1)));
        assertTrue(new Verifier(root, false).verify().ok(), "a shallow check does not decompress");
    }

    @Test
    void theReportCountsEveryBlobItReadOnce() throws IOException {
        Fixture.multiPlatform(root, "latest");
        VerifyReport r = new Verifier(root, false).verify();
        long blobs = 0;
        long bytes = Files.size(root.resolve(OciLayout.INDEX_FILE));
        try (var files = Files.list(root.resolve("blobs/sha256"))) {
            for (Path p : files.toList()) {
                blobs++;
                bytes += Files.size(p);
            }
        }
        assertEquals(blobs, r.blobsChecked());
        assertEquals(bytes, r.bytesRead());
    }

    @Test
    void verifyDoesNotCreateAGcLockAndWorksBesideOne() throws IOException {
        Fixture.singleImage(root, "latest");
        Path lock = root.resolve(OciLayout.KILN_DIR).resolve("gc.lock");
        Files.deleteIfExists(lock);
        assertTrue(new Verifier(root, false).verify().ok());
        assertFalse(Files.exists(lock), "verify writes nothing");
        OciLayout layout = OciLayout.open(root);
        new GarbageCollector(layout).collect(false); // creates gc.lock
        assertTrue(Files.exists(lock));
        assertTrue(new Verifier(root, false).verify().ok());
        new GarbageCollector(layout).collect(false); // the shared lock was released
    }
}
