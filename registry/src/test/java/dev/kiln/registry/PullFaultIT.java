package dev.kiln.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.oci.Verifier;
import dev.kiln.layout.oci.VerifyReport;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.Platform;
import dev.kiln.layout.transport.CopyOptions;
import dev.kiln.layout.transport.Copier;
import dev.kiln.layout.transport.ImageReference;
import dev.kiln.layout.transport.LayoutDestination;
import dev.kiln.layout.transport.LayoutSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pulls a 3-platform index through {@link FaultProxy} in front of a real registry, each time into a
 * fresh layout, with faults on the way back: bodies cut off (reset) at random points, truncated
 * (fewer bytes than Content-Length), stalled longer than the read timeout, 5xx and 429 answers,
 * Range requests answered with the whole blob, and false {@code Docker-Content-Digest} headers.
 * Every pull must end complete (deep verify passes, every digest equal to the source) or in one
 * clear line, with the layout valid and no tag; a rerun then completes and fetches only the blobs
 * the layout lacks. The counts are printed as {@code pull faults: ...} at the end.
 */
class PullFaultIT {
    static final String REPO = "pull/faults";
    static final String BLOBS = "/v2/pull/faults/blobs/sha256:[0-9a-f]{64}";
    static final String MANIFESTS = "/v2/pull/faults/manifests/.+";
    static TestRegistry registry;
    static TestImage image;
    static Set<String> sourceDigests;
    static String bigBlob;
    /** Every blob but the big one. */
    static String otherBlobs;

    static final AtomicInteger pulls = new AtomicInteger();
    static final AtomicInteger injected = new AtomicInteger();
    static final AtomicInteger endedValid = new AtomicInteger();
    static final AtomicInteger faultsInValidEnds = new AtomicInteger();
    static final AtomicInteger complete = new AtomicInteger();
    static final AtomicInteger clearErrors = new AtomicInteger();
    static final AtomicInteger reruns = new AtomicInteger();

    @BeforeAll
    static void start(@TempDir Path tmp) throws Exception {
        registry = TestRegistry.start();
        image = TestImage.build(tmp.resolve("src"), "latest", 6L << 20, "pull-faults");
        try (RegistryDestination d = RegistryDestination.open(ImageReference.parse("docker://" + registry.address + "/" + REPO + ":1"),
                RegistryOptions.defaults())) {
            MiniCopy.copy(new LayoutSource(image.layout, "latest", "oci:src"), d, List.of(), 4);
        }
        sourceDigests = PushPullIT.digests(image.layout, image.index);
        Descriptor big = image.blobs.stream().max(Comparator.comparingLong(Descriptor::size)).orElseThrow();
        assertTrue(big.size() > 6L << 20, "the amd64 layer is the big one: " + big);
        bigBlob = "/v2/pull/faults/blobs/" + big.digest();
        otherBlobs = "/v2/pull/faults/blobs/(?!" + big.digest() + ")sha256:[0-9a-f]{64}";
    }

    @AfterAll
    static void stop() {
        System.out.printf("pull faults: %d injected in %d pulls; %d pulls ended valid (%d complete, %d clear one-line errors),"
                        + " carrying %d of the faults; %d reruns after errors completed fetching only missing blobs%n",
                injected.get(), pulls.get(), endedValid.get(), complete.get(), clearErrors.get(), faultsInValidEnds.get(), reruns.get());
        if (registry != null) {
            registry.close();
        }
    }

    final Queue<String> log = new ConcurrentLinkedQueue<>();
    final TransferSummary summary = new TransferSummary();

    RegistryOptions options() {
        return RegistryOptions.defaults().withProgress(summary).withDebug(log::add)
                .withRetry(new RetryPolicy(5, Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofSeconds(5)))
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10))
                .withReadTimeout(Duration.ofMillis(800));
    }

    /** What one pull ended in. */
    record Outcome(Path dir, RuntimeException error, long faults) {
        boolean complete() {
            return error == null;
        }
    }

    Outcome pull(FaultProxy proxy, Path dir, List<Platform> platforms) throws Exception {
        OciLayout layout = OciLayout.openOrCreate(dir);
        long before = proxy.faults();
        RuntimeException error = null;
        try (RegistrySource s = RegistrySource.open(ImageReference.parse("docker://" + proxy.address() + "/" + REPO + ":1"), options());
             LayoutDestination d = new LayoutDestination(layout, "1", "oci:" + dir)) {
            new Copier(CopyOptions.defaults().withParallelism(4).withPlatforms(platforms)).copy(s, d);
        } catch (RuntimeException e) {
            error = e;
        }
        return new Outcome(dir, error, proxy.faults() - before);
    }

    /** Pulls into a fresh layout and checks it ended valid: complete, or a clear error with no tag written. */
    Outcome pullFresh(FaultProxy proxy, Path dir) throws Exception {
        assertFalse(Files.exists(dir), "a fresh layout each time");
        Outcome o = pull(proxy, dir, List.of());
        pulls.incrementAndGet();
        injected.addAndGet((int) o.faults);
        checkValid(o);
        endedValid.incrementAndGet();
        faultsInValidEnds.addAndGet((int) o.faults);
        (o.complete() ? complete : clearErrors).incrementAndGet();
        return o;
    }

    static void checkValid(Outcome o) throws Exception {
        OciLayout layout = OciLayout.open(o.dir);
        VerifyReport report = Verifier.of(layout, true).verify();
        assertTrue(report.ok(), "the layout is valid after " + (o.complete() ? "a complete pull" : o.error.getMessage())
                + ": " + report.problems());
        if (o.complete()) {
            assertEquals(sourceDigests, PushPullIT.digests(layout, layout.resolve("1")), "every digest equal to the source");
            return;
        }
        String m = o.error.getMessage();
        assertNotNull(m);
        assertFalse(m.contains("\n"), "one line: " + m);
        assertTrue(m.contains("sha256:"), "the error names the digest: " + m);
        assertTrue(m.startsWith("registry 127.0.0.1:"), "the error names the registry: " + m);
        assertTrue(layout.index().manifests().isEmpty(), "no tag after a failed pull: " + layout.index().manifests());
    }

    /** Pulls again without faults into the same layout: it completes and GETs only the blobs the layout lacked. */
    void rerun(Path dir) throws Exception {
        OciLayout layout = OciLayout.open(dir);
        long missing = image.blobs.stream().filter(b -> !layout.blobs().exists(b.digest())).count();
        try (FaultProxy clean = new FaultProxy(registry.address)) {
            Outcome o = pull(clean, dir, List.of());
            if (o.error != null) {
                throw o.error;
            }
            checkValid(o);
            assertEquals(missing, clean.count("GET", "^" + BLOBS + "$"), "the rerun GETs exactly the " + missing
                    + " blobs the layout lacked: " + clean.seen);
            assertEquals(0, clean.count("HEAD", "/blobs/"), "no HEADs on pull");
        }
        reruns.incrementAndGet();
    }

    @Test
    void blobDownloadsCutOffAtRandomPointsResumeWithRange(@TempDir Path tmp) throws Exception {
        try (FaultProxy proxy = new FaultProxy(registry.address).resetMidResponse("GET", bigBlob, 0, 3)
                .resetMidResponse("GET", otherBlobs, 0, 2)) {
            Outcome o = pullFresh(proxy, tmp.resolve("pulled"));
            assertTrue(o.complete(), () -> o.error.getMessage());
            assertEquals(5, proxy.faults("reset"));
        }
        assertTrue(log.stream().anyMatch(l -> l.contains("> GET ") && l.contains("[Range: bytes=")), "resumed with Range:\n" + String.join("\n", log));
        assertTrue(summary.retries() >= 5, summary.toString());
    }

    @Test
    void aManifestCutOffMidBodyIsFetchedAgain(@TempDir Path tmp) throws Exception {
        try (FaultProxy proxy = new FaultProxy(registry.address).resetMidResponse("GET", MANIFESTS, 0, 3)) {
            Outcome o = pullFresh(proxy, tmp.resolve("pulled"));
            assertTrue(o.complete(), () -> o.error.getMessage());
            assertEquals(3, proxy.faults("reset"));
        }
        // cut off while the body is read ("body cut off"), or before the client hands the answer over
        long failed = log.stream().filter(l -> l.contains(": ! GET ") && l.contains("/manifests/")).count();
        assertTrue(failed >= 1 && failed <= 3, failed + " manifest GETs failed:\n" + String.join("\n", log));
    }

    @Test
    void truncatedBodiesAreResumedOrFetchedAgain(@TempDir Path tmp) throws Exception {
        try (FaultProxy proxy = new FaultProxy(registry.address).truncateResponse("GET", bigBlob, 0, 2)
                .truncateResponse("GET", MANIFESTS, 1, 2).truncateResponse("GET", BLOBS, 0, 1)) {
            Outcome o = pullFresh(proxy, tmp.resolve("pulled"));
            assertTrue(o.complete(), () -> o.error.getMessage());
            assertEquals(5, proxy.faults("truncate"));
        }
        assertTrue(log.stream().anyMatch(l -> l.contains("[Range: bytes=")), String.join("\n", log));
    }

    @Test
    void aStalledDownloadHitsTheReadTimeoutAndResumes(@TempDir Path tmp) throws Exception {
        long start = System.nanoTime();
        try (FaultProxy proxy = new FaultProxy(registry.address).stallMidResponse("GET", bigBlob, 0, 1, 5000)
                .stallMidResponse("GET", MANIFESTS, 2, 1, 5000)) {
            Outcome o = pullFresh(proxy, tmp.resolve("pulled"));
            assertTrue(o.complete(), () -> o.error.getMessage());
            assertEquals(2, proxy.faults("stall"));
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(log.stream().anyMatch(l -> l.contains("no data for 800 ms (read timeout)")), String.join("\n", log));
        assertTrue(ms < 5000, "the read timeout (800 ms) cut the 5 s stalls short: " + ms + " ms");
    }

    @Test
    void serverErrorsAndTooManyRequestsOnGetsAreRetried(@TempDir Path tmp) throws Exception {
        long start = System.nanoTime();
        try (FaultProxy proxy = new FaultProxy(registry.address)
                .respond("GET", bigBlob, 0, 1, 500).respond("GET", BLOBS, 0, 1, 502).respond("GET", BLOBS, 1, 1, 503)
                .respond("GET", MANIFESTS, 0, 1, 503).respond("GET", MANIFESTS, 1, 1, 502)
                .respond("GET", MANIFESTS, 1, 1, 429, "Retry-After", "1").respond("GET", bigBlob, 0, 1, 429, "Retry-After", "1")) {
            Outcome o = pullFresh(proxy, tmp.resolve("pulled"));
            assertTrue(o.complete(), () -> o.error.getMessage());
            assertEquals(7, proxy.faults("status 500") + proxy.faults("status 502") + proxy.faults("status 503") + proxy.faults("status 429"));
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms >= 1000, "Retry-After: 1 was honoured: " + ms + " ms");
        assertEquals(7, summary.retries(), summary.toString());
    }

    @Test
    void aRangeAnsweredWithTheWholeBlobIsCheckedAndContinued(@TempDir Path tmp) throws Exception {
        try (FaultProxy proxy = new FaultProxy(registry.address).resetMidResponse("GET", bigBlob, 0, 1)
                .ignoreRange("GET", bigBlob, 0, 1)) {
            Outcome o = pullFresh(proxy, tmp.resolve("pulled"));
            assertTrue(o.complete(), () -> o.error.getMessage());
            assertEquals(1, proxy.faults("ignore range"));
        }
        assertTrue(log.stream().anyMatch(l -> l.contains("the registry sent the whole blob again (200, not 206)")), String.join("\n", log));
    }

    @Test
    void aRegistryLyingAboutAManifestDigestFailsCleanlyAndARerunCompletes(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("pulled");
        try (FaultProxy proxy = new FaultProxy(registry.address).lieAboutDigest("GET", "/v2/pull/faults/manifests/sha256:.+", 1, 1)) {
            Outcome o = pullFresh(proxy, dir);
            assertFalse(o.complete(), "a false digest must fail the pull");
            assertTrue(o.error.getMessage().contains("reports digest sha256:" + "0".repeat(64)), o.error.getMessage());
        }
        rerun(dir);
    }

    @Test
    void aRegistryLyingAboutABlobDigestFailsCleanlyAndARerunFetchesOnlyWhatIsMissing(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("pulled");
        // arm64 first (clean), so the layout holds some blobs before the failing full pull
        try (FaultProxy clean = new FaultProxy(registry.address)) {
            Outcome arm = pull(clean, dir, List.of(new Platform("linux", "arm64", null)));
            assertTrue(arm.complete(), () -> arm.error.getMessage());
        }
        OciLayout.open(dir).updateIndex(index -> index.withManifests(List.of())); // the tag goes; the blobs stay
        long present = image.blobs.stream().filter(b -> OciLayout.open(dir).blobs().exists(b.digest())).count();
        assertTrue(present >= 3, "the arm64 platform's blobs are there: " + present);
        try (FaultProxy proxy = new FaultProxy(registry.address).lieAboutDigest("GET", bigBlob, 0, 1)) {
            Outcome o = pull(proxy, dir, List.of());
            pulls.incrementAndGet();
            injected.addAndGet((int) o.faults);
            assertFalse(o.complete(), "a false blob digest must fail the pull");
            assertTrue(o.error.getMessage().contains("reports digest sha256:" + "0".repeat(64)), o.error.getMessage());
            checkValid(o);
            endedValid.incrementAndGet();
            faultsInValidEnds.addAndGet((int) o.faults);
            clearErrors.incrementAndGet();
        }
        rerun(dir);
    }

    @Test
    void tooManyCutOffsEndInAClearErrorAndARerunSkipsWhatIsDone(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("pulled");
        try (FaultProxy proxy = new FaultProxy(registry.address).resetMidResponse("GET", bigBlob, 0, 100)) {
            Outcome o = pullFresh(proxy, dir);
            assertFalse(o.complete());
            String m = o.error.getMessage();
            assertTrue(m.contains("blob sha256:") && m.contains("the download was cut off after") && m.contains("(after 5 tries)"), m);
            // one GET and four resumptions (more when a reset lands before the answer's head: the request's own retries)
            assertTrue(proxy.faults("reset") >= 5, "one GET and four resumptions: " + proxy.faults("reset"));
        }
        rerun(dir);
    }

    @Test
    void randomFaultsEndInACompletePullOrAClearError(@TempDir Path tmp) throws Exception {
        long seed = Long.getLong("kiln.faultSeed", 20261128L);
        Random random = new Random(seed);
        int rounds = Integer.getInteger("kiln.faultRounds", 12);
        List<String> kinds = List.of("reset-blob", "reset-manifest", "truncate-blob", "truncate-manifest", "stall-blob",
                "5xx-blob", "5xx-manifest", "429-blob", "lie-blob", "lie-manifest", "ignore-range");
        for (int round = 0; round < rounds; round++) {
            List<String> chosen = new ArrayList<>();
            try (FaultProxy proxy = new FaultProxy(registry.address)) {
                for (int k = 0, n = 1 + random.nextInt(3); k < n; k++) {
                    String kind = kinds.get(random.nextInt(kinds.size()));
                    String target = random.nextBoolean() ? bigBlob : BLOBS;
                    int skip = random.nextInt(3);
                    int times = 1 + random.nextInt(3);
                    chosen.add(kind + " skip " + skip + " x" + times);
                    add(proxy, kind, target, skip, times, random);
                }
                Path dir = tmp.resolve("round-" + round);
                Outcome o = pullFresh(proxy, dir);
                System.out.printf("pull faults round %d (seed %d): %s -> %s%n", round, seed, chosen,
                        o.complete() ? "complete" : "error: " + o.error.getMessage());
                if (!o.complete()) {
                    rerun(dir);
                }
            } catch (AssertionError e) {
                fail("round " + round + " (seed " + seed + ", faults " + chosen + "): " + e.getMessage(), e);
            }
        }
    }

    private static void add(FaultProxy p, String kind, String blobTarget, int skip, int times, Random random) {
        Consumer<String> none = x -> { };
        switch (kind) {
            case "reset-blob" -> p.resetMidResponse("GET", blobTarget, skip, times);
            case "reset-manifest" -> p.resetMidResponse("GET", MANIFESTS, skip, times);
            case "truncate-blob" -> p.truncateResponse("GET", blobTarget, skip, times);
            case "truncate-manifest" -> p.truncateResponse("GET", MANIFESTS, skip, times);
            case "stall-blob" -> p.stallMidResponse("GET", blobTarget, skip, 1, 2000);
            case "5xx-blob" -> p.respond("GET", blobTarget, skip, times, List.of(500, 502, 503).get(random.nextInt(3)));
            case "5xx-manifest" -> p.respond("GET", MANIFESTS, skip, times, List.of(500, 502, 503).get(random.nextInt(3)));
            case "429-blob" -> p.respond("GET", blobTarget, skip, 1, 429, "Retry-After", "1");
            case "lie-blob" -> p.lieAboutDigest("GET", blobTarget, skip, 1);
            case "lie-manifest" -> p.lieAboutDigest("GET", "/v2/pull/faults/manifests/sha256:.+", skip, 1);
            case "ignore-range" -> {
                p.resetMidResponse("GET", bigBlob, 0, 1);
                p.ignoreRange("GET", bigBlob, 0, 1);
            }
            default -> none.accept(kind);
        }
    }
}
