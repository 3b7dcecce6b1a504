package dev.kiln.cli;

import static dev.kiln.cli.KilnJar.assertOnlyBlobsInBlobs;
import static dev.kiln.cli.KilnJar.blobStamps;
import static dev.kiln.cli.KilnJar.copyTree;
import static dev.kiln.cli.KilnJar.run;
import static dev.kiln.cli.KilnJar.tags;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kiln processes writing one layout at once: two builds with different tags (into a layout that
 * exists, and into a folder that does not exist yet) both end up tagged and valid, with the same
 * digests as when each runs alone; {@code kiln gc} run over and over beside a build that reuses
 * unreferenced blobs never deletes one the build is about to reference.
 */
class ConcurrencyIT {
    static final String PLATFORMS = "linux/amd64,linux/arm64,linux/arm/v7";
    static final int ROUNDS = Integer.getInteger("kiln.concurrency.rounds", 4);

    @TempDir
    static Path work;
    static Path logs;
    static Path contextA;
    static Path contextB;
    /** A layout holding tag old only. */
    static Path pristine;
    static String expectedA;
    static String expectedB;

    @BeforeAll
    static void prepare() throws Exception {
        logs = work.resolve("logs");
        contextA = BigContext.generate(work.resolve("context-a"), 11, 6L << 20, 0.2);
        contextB = BigContext.generate(work.resolve("context-b"), 12, 6L << 20, 0.2);
        Path oldContext = BigContext.generate(work.resolve("old-context"), 13, 1L << 20, 0.5);
        pristine = work.resolve("pristine");
        run(logs, "build", "--no-cache", oldContext.toString(), "-t", "old", "-o", "oci:" + pristine).ok();
        // what each build gives when it runs alone
        Path alone = work.resolve("alone");
        run(logs, buildArgs(contextA, "a", alone).toArray(String[]::new)).ok();
        run(logs, buildArgs(contextB, "b", alone).toArray(String[]::new)).ok();
        expectedA = tags(alone).get("a");
        expectedB = tags(alone).get("b");
        assertTrue(expectedA != null && expectedB != null && !expectedA.equals(expectedB), tags(alone).toString());
    }

    static List<String> buildArgs(Path context, String tag, Path layout) {
        return List.of("build", "--no-cache", context.toString(), "--platform", PLATFORMS, "-t", tag, "-o", "oci:" + layout);
    }

    @Test
    void twoBuildsIntoOneLayoutBothEndUpTagged() throws Exception {
        for (int round = 1; round <= ROUNDS; round++) {
            // odd rounds race to create the layout as well; even rounds write into one that holds a tag
            boolean fresh = round % 2 == 1;
            Path layout = work.resolve("two-builds-" + round);
            if (!fresh) {
                copyTree(pristine, layout);
            }
            String where = "round " + round + (fresh ? " (new layout)" : " (existing layout)");
            KilnJar.Running a = KilnJar.start(logs, buildArgs(contextA, "a", layout));
            KilnJar.Running b = KilnJar.start(logs, buildArgs(contextB, "b", layout));
            KilnJar.Result ra = a.await(300);
            KilnJar.Result rb = b.await(300);
            assertEquals(0, ra.code(), () -> where + ": " + ra.describe());
            assertEquals(0, rb.code(), () -> where + ": " + rb.describe());

            Map<String, String> tags = tags(layout);
            assertEquals(expectedA, tags.get("a"), where + ": tag a");
            assertEquals(expectedB, tags.get("b"), where + ": tag b");
            assertEquals(fresh ? Set.of("a", "b") : Set.of("a", "b", "old"), tags.keySet(), where);
            if (!fresh) {
                assertEquals(tags(pristine).get("old"), tags.get("old"), where + ": tag old");
            }
            CrashIT.verifyInProcess(layout, true, where);
            assertOnlyBlobsInBlobs(layout, where);
            KilnJar.deleteTree(layout);
        }
    }

    @Test
    void gcInALoopBesideABuildNeverDeletesWhatTheBuildReferences() throws Exception {
        for (int round = 1; round <= 3; round++) {
            String where = "gc round " + round;
            Path layout = work.resolve("gc-" + round);
            copyTree(pristine, layout);
            // the build's blobs are already there, unreferenced: the build reuses them, gc wants them gone
            long soloStart = System.nanoTime();
            run(logs, buildArgs(contextA, "a", layout).toArray(String[]::new)).ok();
            long soloMillis = (System.nanoTime() - soloStart) / 1_000_000;
            run(logs, "tag", "--delete", "oci:" + layout + ":a").ok();
            int garbage = blobStamps(layout).size() - CrashIT.reachable(layout, tags(layout).get("old")).size();
            CrashIT.verifyInProcess(layout, false, where + " (before)");

            KilnJar.Running build = KilnJar.start(logs, buildArgs(contextA, "a", layout));
            // the first gc lands before, or while, the build holds the layout; never after it (a fast, quiet
            // machine finishes the build in well under a second)
            Thread.sleep(Math.min((round - 1) * 400L, soloMillis / 4));
            int gcRuns = 0;
            int gcWhileBuilding = 0;
            long removed = 0;
            while (build.process.isAlive() || gcRuns == 0) {
                boolean building = build.process.isAlive();
                KilnJar.Result gc = run(logs, "gc", "--json", layout.toString());
                assertEquals(0, gc.code(), () -> where + ": " + gc.describe());
                gcRuns++;
                if (building) {
                    gcWhileBuilding++;
                }
                removed += KilnTestSupport.MAPPER.readTree(gc.out()).get("removed").size();
                if (gcRuns > 200) {
                    break;
                }
            }
            KilnJar.Result b = build.await(300);
            assertEquals(0, b.code(), () -> where + ": " + b.describe());
            assertTrue(gcWhileBuilding > 0, where + ": no gc started while the build ran");

            Map<String, String> tags = tags(layout);
            assertEquals(expectedA, tags.get("a"), where + ": the new tag");
            assertEquals(tags(pristine).get("old"), tags.get("old"), where + ": the old tag");
            CrashIT.verifyInProcess(layout, true, where);
            for (String d : CrashIT.reachable(layout, tags.get("a"))) {
                assertTrue(Files.isRegularFile(KilnTestSupport.blob(layout, d)), where + ": " + d + " is missing");
            }
            // one more gc after the build keeps all of it
            JsonNode last = KilnTestSupport.MAPPER.readTree(run(logs, "gc", "--json", layout.toString()).ok().out());
            assertEquals(0, last.get("removed").size(), where + ": gc after the build removed " + last.get("removed"));
            CrashIT.verifyInProcess(layout, false, where + " (after a last gc)");
            System.out.printf("%s: %d unreferenced blobs at the start, %d gc runs (%d while the build ran) removed %d%n",
                    where, garbage, gcRuns, gcWhileBuilding, removed);
            KilnJar.deleteTree(layout);
        }
    }
}
