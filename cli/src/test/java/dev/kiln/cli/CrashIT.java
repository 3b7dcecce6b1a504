package dev.kiln.cli;

import static dev.kiln.cli.KilnJar.assertNotRewritten;
import static dev.kiln.cli.KilnJar.assertOnlyBlobsInBlobs;
import static dev.kiln.cli.KilnJar.assertVerifies;
import static dev.kiln.cli.KilnJar.blobStamps;
import static dev.kiln.cli.KilnJar.copyTree;
import static dev.kiln.cli.KilnJar.deleteTree;
import static dev.kiln.cli.KilnJar.run;
import static dev.kiln.cli.KilnJar.tags;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.testing.Registry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILLs {@code kiln build}, {@code kiln copy} into a layout and {@code kiln pull} at random
 * points (seeded: {@code -Dkiln.crash.seed}; {@code -Dkiln.crash.rounds} per command, fewer when a
 * round would start after {@code -Dkiln.crash.budget} seconds of that command), each time
 * into a layout that already holds two older tags. After every kill, {@code kiln verify --deep}
 * must pass with the old tags intact and the new tag either absent or complete; then the same
 * command is run again and must finish with the expected digest, without rewriting any blob that
 * was already there (same inode and modification time) and, for copy and pull, fetching exactly
 * the blobs that were missing.
 */
class CrashIT {
    static final long SEED = Long.getLong("kiln.crash.seed", 20_260_101L);
    static final int ROUNDS = Integer.getInteger("kiln.crash.rounds", 12);
    /** No new round starts after this many seconds per command, once {@link #MIN_ROUNDS} are done (busy machines). */
    static final long BUDGET_SECONDS = Long.getLong("kiln.crash.budget", 55);
    static final int MIN_ROUNDS = Math.min(ROUNDS, 4);
    static final String PLATFORMS = "linux/amd64,linux/arm64,linux/arm/v7";
    static final String NEW_TAG = "new";

    @TempDir
    static Path work;
    static Path logs;
    static Path context;
    /** A layout holding tags old-1 and old-2 only; every round starts from a copy of it. */
    static Path pristine;
    static Map<String, String> oldTags;
    /** A layout holding the large image "big" (uncompressed layers), the source of copy and pull. */
    static Path bigSource;

    /** command -> {kills, killed while running, valid after kill, reruns completed, blobs kept on rerun, partial files left}. */
    static final Map<String, long[]> FIGURES = new TreeMap<>();

    @BeforeAll
    static void prepare() throws Exception {
        logs = work.resolve("logs");
        context = BigContext.generate(work.resolve("context"), SEED, 8L << 20, 0.15);
        Path oldContext = BigContext.generate(work.resolve("old-context"), SEED + 1, 1L << 20, 0.5);
        pristine = work.resolve("pristine");
        run(logs, "build", "--no-cache", oldContext.toString(), "--platform", PLATFORMS, "-t", "old-1",
                "-o", "oci:" + pristine).ok();
        run(logs, "build", "--no-cache", oldContext.toString(), "--platform", "linux/amd64", "--timestamp", "1000",
                "-t", "old-2", "-o", "oci:" + pristine).ok();
        oldTags = tags(pristine);
        assertEquals(Set.of("old-1", "old-2"), oldTags.keySet());

        Path bigContext = BigContext.generate(work.resolve("big-context"), SEED + 2, 20L << 20, 0.5);
        bigSource = work.resolve("big-source");
        run(logs, "build", "--no-cache", "--compression", "none", bigContext.toString(), "--platform", PLATFORMS,
                "-t", "big", "-o", "oci:" + bigSource).ok();
        deleteTree(bigContext);
    }

    @AfterAll
    static void figures() {
        StringBuilder b = new StringBuilder("CrashIT figures (seed " + SEED + ", " + ROUNDS + " rounds per command):\n");
        long[] total = new long[6];
        FIGURES.forEach((cmd, f) -> {
            b.append(String.format("  %-16s kills %d (while running %d), valid after kill %d, reruns completed %d, "
                    + "blobs kept unrewritten %d, .kiln/tmp partial files left by kills %d%n",
                    cmd, f[0], f[1], f[2], f[3], f[4], f[5]));
            for (int i = 0; i < total.length; i++) {
                total[i] += f[i];
            }
        });
        b.append(String.format("  %-16s kills %d (while running %d), valid after kill %d, reruns completed %d%n",
                "total", total[0], total[1], total[2], total[3]));
        System.out.print(b);
        try {
            Path target = Path.of("target");
            if (Files.isDirectory(target)) {
                Files.writeString(target.resolve("crash-figures.txt"), b.toString());
            }
        } catch (IOException e) {
            // the figures are on stdout too
        }
    }

    @Test
    void killedBuildLeavesOldTagsAndRerunFinishes() throws Exception {
        // even rounds build uncached, odd rounds fill a cache of their own (killed mid-way too) and reuse it
        crashRounds("build", (dest, round) -> {
            List<String> args = new ArrayList<>(List.of("build"));
            if (round % 2 == 1) {
                args.addAll(List.of("--cache-dir", dest.resolveSibling(dest.getFileName() + "-cache").toString()));
            } else {
                args.add("--no-cache");
            }
            args.addAll(List.of(context.toString(), "--platform", PLATFORMS, "-t", NEW_TAG, "-o", "oci:" + dest));
            return args;
        }, false);
    }

    @Test
    void killedCopyIntoALayoutLeavesOldTagsAndRerunFetchesOnlyWhatIsMissing() throws Exception {
        crashRounds("copy", (dest, round) -> List.of("copy", "--json", "oci:" + bigSource + ":big", "oci:" + dest + ":" + NEW_TAG),
                true);
    }

    @Test
    void killedPullLeavesOldTagsAndRerunFetchesOnlyWhatIsMissing() throws Exception {
        try (Registry registry = Registry.start()) {
            String ref = "docker://" + registry.hostPort() + "/crash/big:1";
            run(logs, "push", "oci:" + bigSource + ":big", ref).ok();
            crashRounds("pull", (dest, round) -> List.of("pull", "--json", ref, "oci:" + dest + ":" + NEW_TAG), true);
        }
    }

    /**
     * A build killed while it creates a new layout leaves a folder with blobs/ and index.json but no
     * oci-layout (kiln writes that last); running the build again must finish the layout.
     */
    @Test
    void buildIntoAHalfCreatedLayoutFinishesIt() throws Exception {
        Path dest = work.resolve("half-created");
        Files.createDirectories(dest.resolve("blobs").resolve("sha256"));
        Files.createDirectories(dest.resolve(".kiln").resolve("tmp"));
        Files.writeString(dest.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[]}");
        Files.writeString(dest.resolve(".kiln").resolve("tmp").resolve("index.json-1.partial"), "{\"schema");
        Path small = Files.createDirectories(work.resolve("small-context"));
        Files.writeString(small.resolve("Dockerfile"), "FROM scratch\nCOPY hello /hello\n");
        Files.writeString(small.resolve("hello"), "hello\n");
        run(logs, "build", "--no-cache", small.toString(), "-t", "t", "-o", "oci:" + dest).ok();
        assertVerifies(logs, dest, true, "half-created layout");
        assertEquals(Set.of("t"), tags(dest).keySet());
    }

    private void crashRounds(String command, BiFunction<Path, Integer, List<String>> args, boolean checkCopied) throws Exception {
        Random random = new Random(SEED ^ command.hashCode());
        long[] f = FIGURES.computeIfAbsent(command, k -> new long[6]);

        // a full run first: how long the command takes and what it must end with
        Path reference = work.resolve(command + "-reference");
        copyTree(pristine, reference);
        KilnJar.Result full = KilnJar.start(logs, args.apply(reference, 0)).await(300).ok();
        String expected = tags(reference).get(NEW_TAG);
        assertTrue(expected != null, "the reference " + command + " wrote no tag " + NEW_TAG);
        Set<String> closure = reachable(reference, expected);
        deleteTree(reference);
        long window = Math.max(200, full.millis());

        long start = System.nanoTime();
        for (int round = 1; round <= ROUNDS; round++) {
            if (round > MIN_ROUNDS && System.nanoTime() - start > BUDGET_SECONDS * 1_000_000_000L) {
                System.out.printf("%s: %d rounds done; stopping at the %d s budget (-Dkiln.crash.budget)%n",
                        command, round - 1, BUDGET_SECONDS);
                break;
            }
            String at = command + " round " + round + " (seed " + SEED + ")";
            Path dest = work.resolve(command + "-round-" + round);
            copyTree(pristine, dest);
            List<String> cmd = args.apply(dest, round);
            Path cache = dest.resolveSibling(dest.getFileName() + "-cache");

            // mostly while it works; a few land during start-up or after it finished
            long delay = (long) ((0.15 + 0.9 * random.nextDouble()) * window);
            KilnJar.Running running = KilnJar.start(logs, cmd);
            Thread.sleep(delay);
            boolean wasRunning = running.kill();
            f[0]++;
            if (wasRunning) {
                f[1]++;
            } else {
                running.result().ok(); // finished before the kill: it must have succeeded
            }
            String where = at + ", killed after " + delay + " ms of ~" + window;

            // the layout holds the old tags, and the new one only if it is complete
            long t0 = System.nanoTime();
            verifyInProcess(dest, true, where);
            long verifyMillis = (System.nanoTime() - t0) / 1_000_000;
            Map<String, String> after = tags(dest);
            for (Map.Entry<String, String> old : oldTags.entrySet()) {
                assertEquals(old.getValue(), after.get(old.getKey()), where + ": old tag " + old.getKey());
            }
            Set<String> allowed = new LinkedHashSet<>(oldTags.keySet());
            allowed.add(NEW_TAG);
            assertTrue(allowed.containsAll(after.keySet()), where + ": unexpected tags " + after.keySet());
            if (after.containsKey(NEW_TAG)) {
                assertEquals(expected, after.get(NEW_TAG), where + ": the new tag points at another image");
            }
            assertOnlyBlobsInBlobs(dest, where);
            f[2]++;
            Path tmp = dest.resolve(".kiln").resolve("tmp");
            if (Files.isDirectory(tmp)) {
                try (var partial = Files.list(tmp)) {
                    f[5] += partial.filter(p -> p.getFileName().toString().endsWith(".partial")).count();
                }
            }

            // the rerun finishes and keeps every blob that was already there
            var blobsBefore = blobStamps(dest);
            var cacheBefore = blobStamps(cache);
            KilnJar.Result rerun = KilnJar.start(logs, cmd).await(300);
            assertEquals(0, rerun.code(), () -> where + ": the rerun failed\n" + rerun.describe());
            f[3]++;
            Map<String, String> finished = tags(dest);
            assertEquals(expected, finished.get(NEW_TAG), where + ": after the rerun");
            for (Map.Entry<String, String> old : oldTags.entrySet()) {
                assertEquals(old.getValue(), finished.get(old.getKey()), where + ": old tag " + old.getKey() + " after the rerun");
            }
            var blobsAfter = blobStamps(dest);
            assertNotRewritten(blobsBefore, blobsAfter, where);
            assertNotRewritten(cacheBefore, blobStamps(cache), where + " (layer cache)");
            f[4] += blobsBefore.size();
            for (String d : closure) {
                assertTrue(blobsAfter.containsKey("blobs/" + d.replace(':', '/')), where + ": " + d + " missing after the rerun");
            }
            if (checkCopied) {
                long missing = closure.stream().filter(d -> !blobsBefore.containsKey("blobs/" + d.replace(':', '/'))).count();
                JsonNode json = KilnTestSupport.MAPPER.readTree(rerun.out());
                assertEquals(missing, json.get("blobsCopied").asLong(),
                        () -> where + ": the rerun must fetch exactly the blobs that were missing\n" + rerun.describe());
            }
            verifyInProcess(dest, false, where + ", after the rerun");
            System.out.printf("%s: %s, verify --deep %d ms, rerun %d ms (%d blobs there before it)%n", at,
                    (wasRunning ? "killed after " : "finished before the kill at ") + delay + " ms of ~" + window,
                    verifyMillis, rerun.millis(), blobsBefore.size());
            assertOnlyBlobsInBlobs(dest, where + ", after the rerun");
            deleteTree(dest);
            deleteTree(cache);
        }
    }

    /**
     * A build into an archive (written from the build's scratch layout, unsynced, then synced once
     * and renamed) killed at random points: the target holds the old archive or the whole new one,
     * never a part, and a rerun writes the expected bytes.
     */
    @Test
    void killedArchiveBuildLeavesTheOldArchiveOrTheNewOne() throws Exception {
        Random random = new Random(SEED ^ 0xa4c41e);
        long[] f = FIGURES.computeIfAbsent("build archive", k -> new long[6]);
        Path dir = Files.createDirectories(work.resolve("archive"));
        Path reference = dir.resolve("reference.tar");
        List<String> args = new ArrayList<>(List.of("build", "--no-cache", context.toString(), "--platform", PLATFORMS,
                "-t", NEW_TAG, "-o"));
        KilnJar.Result full = KilnJar.start(logs, concat(args, "oci-archive:" + reference)).await(300).ok();
        byte[] expected = Files.readAllBytes(reference);
        Path old = dir.resolve("old.tar");
        run(logs, "copy", "oci:" + pristine + ":old-1", "oci-archive:" + old).ok();
        byte[] oldBytes = Files.readAllBytes(old);
        long window = Math.max(200, full.millis());
        long start = System.nanoTime();
        for (int round = 1; round <= ROUNDS; round++) {
            if (round > MIN_ROUNDS && System.nanoTime() - start > BUDGET_SECONDS * 1_000_000_000L) {
                break;
            }
            Path target = dir.resolve("round-" + round + ".tar");
            Files.write(target, oldBytes);
            long delay = (long) ((0.15 + 0.9 * random.nextDouble()) * window);
            String where = "archive build round " + round + " (seed " + SEED + "), killed after " + delay + " ms of ~" + window;
            KilnJar.Running running = KilnJar.start(logs, concat(args, "oci-archive:" + target));
            Thread.sleep(delay);
            boolean wasRunning = running.kill();
            f[0]++;
            if (wasRunning) {
                f[1]++;
            } else {
                running.result().ok();
            }
            byte[] after = Files.readAllBytes(target);
            assertTrue(java.util.Arrays.equals(after, oldBytes) || java.util.Arrays.equals(after, expected),
                    where + ": the target is neither the old archive nor the whole new one (" + after.length + " bytes)");
            f[2]++;
            try (Stream<Path> left = Files.list(dir)) {
                f[5] += left.filter(p -> p.getFileName().toString().endsWith(".partial")).count();
            }
            KilnJar.start(logs, concat(args, "oci-archive:" + target)).await(300).ok();
            assertTrue(java.util.Arrays.equals(expected, Files.readAllBytes(target)), where + ": the rerun wrote other bytes");
            f[3]++;
            Files.delete(target);
        }
    }

    private static List<String> concat(List<String> args, String last) {
        List<String> all = new ArrayList<>(args);
        all.add(last);
        return all;
    }

    /** kiln verify, in this JVM (the same code as the jar, without another JVM start per check). */
    static void verifyInProcess(Path layout, boolean deep, String where) {
        KilnTestSupport.Run r = deep ? KilnTestSupport.kiln("verify", "--deep", layout.toString())
                : KilnTestSupport.kiln("verify", layout.toString());
        assertEquals(0, r.code(), () -> where + ": kiln verify" + (deep ? " --deep" : "") + " failed on " + layout
                + "\n" + r.out() + r.err());
    }

    /** Every digest reachable from {@code root} in a layout: the index or manifest, its children, configs, layers. */
    static Set<String> reachable(Path layout, String root) throws IOException {
        Set<String> out = new LinkedHashSet<>();
        collect(layout, root, out);
        return out;
    }

    private static void collect(Path layout, String digest, Set<String> out) throws IOException {
        if (!out.add(digest)) {
            return;
        }
        JsonNode doc = KilnTestSupport.blobJson(layout, digest);
        if (doc.has("manifests")) {
            for (JsonNode m : doc.get("manifests")) {
                collect(layout, m.get("digest").asText(), out);
            }
        }
        if (doc.has("config")) {
            out.add(doc.get("config").get("digest").asText());
            Stream.of(doc.get("layers")).flatMap(l -> java.util.stream.StreamSupport.stream(l.spliterator(), false))
                    .forEach(l -> out.add(l.get("digest").asText()));
        }
    }
}
