package dev.kiln.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.transport.ImageReference;
import dev.kiln.layout.transport.LayoutDestination;
import dev.kiln.layout.transport.LayoutSource;
import dev.kiln.registry.auth.Credentials;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pushes through {@link FaultProxy} in front of a real registry: drops, 5xx, 429, 416, lies, expiring tokens. */
class FaultInjectionIT {
    static final String UPLOAD = "/v2/.+/blobs/uploads/.+";
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
        return RegistryOptions.defaults().withChunkSize(4L << 20).withProgress(summary).withDebug(log::add)
                .withRetry(new RetryPolicy(5, Duration.ofMillis(50), Duration.ofMillis(500), Duration.ofSeconds(10)));
    }

    Digest push(TestImage image, FaultProxy proxy, String repoTag, RegistryOptions options) throws Exception {
        try (RegistryDestination d = RegistryDestination.open(ImageReference.parse("docker://" + proxy.address() + "/" + repoTag), options)) {
            return MiniCopy.copy(new LayoutSource(image.layout, "latest", "oci:src"), d, List.of(), 4).digest();
        }
    }

    /** The digest the real registry (not the proxy) serves for a tag, checked with skopeo. */
    static Digest served(String repoTag) throws Exception {
        return Digest.sha256(Cmd.check("skopeo", "inspect", "--raw", "--tls-verify=false", "docker://" + registry.address + "/" + repoTag));
    }

    static int directStatus(String path) throws Exception {
        HttpResponse<Void> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + registry.address + path))
                .header("Accept", "application/vnd.oci.image.index.v1+json").build(), HttpResponse.BodyHandlers.discarding());
        return r.statusCode();
    }

    @Test
    void aConnectionDroppedInTheMiddleOfAChunkedUploadIsResumed(@TempDir Path tmp) throws Exception {
        TestImage image = TestImage.build(tmp.resolve("src"), "latest", 20L << 20, "drop");
        try (FaultProxy proxy = new FaultProxy(registry.address).drop("PATCH", UPLOAD, 2, 1)) {
            Digest pushed = push(image, proxy, "faults/drop:1", options());
            assertEquals(image.index.digest(), pushed);
            assertEquals(1, proxy.faults("drop"), "the third PATCH was cut off");
            assertTrue(proxy.count("GET", "/blobs/uploads/") >= 1, "the upload status was asked for");
            assertTrue(summary.retries() >= 1, summary.toString());
        }
        assertEquals(image.index.digest(), served("faults/drop:1"));
        OciLayout pulled = OciLayout.openOrCreate(tmp.resolve("pulled"));
        try (RegistrySource s = RegistrySource.open(ImageReference.parse("docker://" + registry.address + "/faults/drop:1"), RegistryOptions.defaults());
             LayoutDestination ld = new LayoutDestination(pulled, "1", "oci:pulled")) {
            MiniCopy.copy(s, ld, List.of(), 4);
        }
        assertEquals(PushPullIT.digests(image.layout, image.index), PushPullIT.digests(pulled, pulled.resolve("1")));
    }

    @Test
    void aSmallBlobWhosePutIsCutOffIsSentAgainInAFreshSession(@TempDir Path tmp) throws Exception {
        TestImage image = TestImage.build(tmp.resolve("src"), "latest", 0, "drop-put");
        try (FaultProxy proxy = new FaultProxy(registry.address).drop("PUT", UPLOAD, 1, 1)) {
            assertEquals(image.index.digest(), push(image, proxy, "faults/drop-put:1", options()));
            assertEquals(1, proxy.faults("drop"));
        }
        assertEquals(image.index.digest(), served("faults/drop-put:1"));
    }

    @Test
    void serverErrorsAreRetried(@TempDir Path tmp) throws Exception {
        TestImage image = TestImage.build(tmp.resolve("src"), "latest", 0, "5xx");
        try (FaultProxy proxy = new FaultProxy(registry.address)
                .respond("POST", "/v2/.+/blobs/uploads/", 0, 2, 500)
                .respond("HEAD", "/v2/.+/blobs/.+", 1, 3, 503)
                .respond("PUT", "/v2/.+/manifests/.+", 0, 1, 502)
                .respond("PUT", UPLOAD, 0, 1, 503)) {
            assertEquals(image.index.digest(), push(image, proxy, "faults/5xx:1", options()));
            assertEquals(7, proxy.faults("status 500") + proxy.faults("status 503") + proxy.faults("status 502"));
            assertEquals(7, summary.retries(), summary.toString());
        }
        assertEquals(image.index.digest(), served("faults/5xx:1"));
    }

    @Test
    void tooManyRequestsWaitsWhatRetryAfterSays(@TempDir Path tmp) throws Exception {
        TestImage image = TestImage.build(tmp.resolve("src"), "latest", 0, "429");
        try (FaultProxy proxy = new FaultProxy(registry.address).respond("PUT", "/v2/.+/manifests/latest", 0, 1, 429, "Retry-After", "2")) {
            long start = System.nanoTime();
            try (RegistryDestination d = RegistryDestination.open(ImageReference.parse("docker://" + proxy.address() + "/faults/429"), options())) {
                MiniCopy.copy(new LayoutSource(image.layout, "latest", "oci:src"), d, List.of(), 4);
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms >= 2000, "waited " + ms + " ms");
            assertEquals(1, proxy.faults("status 429"));
            assertTrue(log.stream().anyMatch(l -> l.contains("HTTP 429, try 2 in 2000 ms")), String.join("\n", log));
        }
        assertEquals(image.index.digest(), served("faults/429:latest"));
    }

    @Test
    void a416IsAnsweredByAskingTheUploadStatusAndResuming(@TempDir Path tmp) throws Exception {
        TestImage image = TestImage.build(tmp.resolve("src"), "latest", 12L << 20, "416");
        try (FaultProxy proxy = new FaultProxy(registry.address).respond("PATCH", UPLOAD, 1, 1, 416)) {
            assertEquals(image.index.digest(), push(image, proxy, "faults/416:1", options()));
            assertEquals(1, proxy.faults("status 416"));
            assertTrue(proxy.count("GET", "/blobs/uploads/") >= 1);
        }
        assertEquals(image.index.digest(), served("faults/416:1"));
    }

    @Test
    void aRegistryLyingAboutAManifestDigestFailsThePushAndNothingIsTagged(@TempDir Path tmp) throws Exception {
        TestImage image = TestImage.build(tmp.resolve("src"), "latest", 0, "lie");
        try (FaultProxy proxy = new FaultProxy(registry.address).lieAboutDigest("PUT", "/v2/.+/manifests/sha256:.+", 1, 1)) {
            RegistryException e = assertThrows(RegistryException.class, () -> push(image, proxy, "faults/lie:1", options()));
            String m = e.getMessage();
            assertTrue(m.contains("reports digest sha256:" + "0".repeat(64)) && m.contains("repository faults/lie")
                    && m.contains("registry " + proxy.address()), m);
            assertFalse(m.contains("\n"));
        }
        assertEquals(404, directStatus("/v2/faults/lie/manifests/1"), "the tag was never written");
    }

    @Test
    void aRegistryLyingAboutAnUploadedBlobFailsThePush(@TempDir Path tmp) throws Exception {
        TestImage image = TestImage.build(tmp.resolve("src"), "latest", 0, "lie-blob");
        try (FaultProxy proxy = new FaultProxy(registry.address).lieAboutDigest("PUT", UPLOAD, 0, 1)) {
            RegistryException e = assertThrows(RegistryException.class, () -> push(image, proxy, "faults/lie-blob:1", options()));
            assertTrue(e.getMessage().contains("completing the upload of blob sha256:") && e.getMessage().contains("reports digest"), e.getMessage());
        }
        assertEquals(404, directStatus("/v2/faults/lie-blob/manifests/1"));
    }

    @Test
    void bearerTokensThatExpireMidPushAreRenewed(@TempDir Path tmp) throws Exception {
        String password = "bearer-P4ss-" + System.nanoTime();
        TestImage image = TestImage.build(tmp.resolve("src"), "latest", 0, "token");
        try (FaultProxy proxy = new FaultProxy(registry.address).requireTokens("alice:" + password)) {
            proxy.expireTokensAfter(6);
            RegistryOptions o = options().withCredentials(new Credentials("alice", password));
            assertEquals(image.index.digest(), push(image, proxy, "faults/token:1", o));
            assertTrue(proxy.tokensIssued.get() >= 2, "a new token after the first expired: " + proxy.tokensIssued.get());
            assertTrue(proxy.faults("401") >= 2, "the ping's challenge and the expiry");

            // a second repository mounts from the first: its tokens ask for pull on the source too
            TransferSummary second = new TransferSummary();
            try (RegistryDestination d = RegistryDestination.open(ImageReference.parse("docker://" + proxy.address() + "/faults/token-b:1"),
                    o.withProgress(second), List.of("faults/token"))) {
                MiniCopy.copy(new LayoutSource(image.layout, "latest", "oci:src"), d, List.of(), 4);
            }
            assertEquals(image.blobs.size(), second.blobsMounted(), second.toString());
            assertTrue(proxy.seen.stream().anyMatch(x -> x.target().startsWith("/token?")
                    && x.target().matches(".*scope=repository%3Afaults%2Ftoken%3Apull(&.*)?$")
                    && x.target().contains("scope=repository%3Afaults%2Ftoken-b%3Apull%2Cpush")), "mount token scopes: " + proxy.seen.stream().filter(x -> x.target().startsWith("/token")).toList());
            for (String line : log) {
                assertFalse(line.contains(password) || line.contains("proxy-token-"), line);
            }

            RegistryException e = assertThrows(RegistryException.class, () -> push(image, proxy, "faults/token:2",
                    options().withCredentials(new Credentials("alice", "wrong-" + password))));
            assertTrue(e.getMessage().contains("refused the credentials of user alice"), e.getMessage());
            assertFalse(e.getMessage().contains(password), e.getMessage());
        }
        assertEquals(image.index.digest(), served("faults/token:1"));
    }

    /**
     * Seeded random faults during pushes of a 3-platform index, each into a new repository with blobs
     * of its own: every push ends complete (the registry serves the index) or in one clear line with no
     * tag written, and a rerun without faults completes, skipping the blobs that arrived.
     */
    @Test
    void randomFaultsEndInACompletePushOrAClearError(@TempDir Path tmp) throws Exception {
        long seed = Long.getLong("kiln.faultSeed", 20261128L);
        java.util.Random random = new java.util.Random(seed);
        int rounds = Integer.getInteger("kiln.faultRounds", 16);
        List<String> kinds = List.of("drop-patch", "drop-put", "5xx-post", "5xx-head", "5xx-patch", "5xx-manifest", "429-post",
                "416-patch", "slow-patch", "slow-manifest", "lie-blob", "lie-manifest");
        int injected = 0;
        int complete = 0;
        int errors = 0;
        for (int round = 0; round < rounds; round++) {
            List<String> chosen = new java.util.ArrayList<>();
            String repo = "faults/round-" + round;
            TestImage image = TestImage.build(tmp.resolve("src-" + round), "latest", 6L << 20, "round-" + seed + "-" + round);
            String error = null;
            try (FaultProxy proxy = new FaultProxy(registry.address)) {
                for (int k = 0, n = 1 + random.nextInt(3); k < n; k++) {
                    String kind = kinds.get(random.nextInt(kinds.size()));
                    int skip = random.nextInt(3);
                    int times = 1 + random.nextInt(2);
                    chosen.add(kind + " skip " + skip + " x" + times);
                    switch (kind) {
                        case "drop-patch" -> proxy.drop("PATCH", UPLOAD, skip, times);
                        case "drop-put" -> proxy.drop("PUT", UPLOAD, skip, times);
                        case "5xx-post" -> proxy.respond("POST", "/v2/.+/blobs/uploads/", skip, times, 500);
                        case "5xx-head" -> proxy.respond("HEAD", "/v2/.+/blobs/.+", skip, times, 503);
                        case "5xx-patch" -> proxy.respond("PATCH", UPLOAD, skip, times, 502);
                        case "5xx-manifest" -> proxy.respond("PUT", "/v2/.+/manifests/.+", skip, times, 503);
                        case "429-post" -> proxy.respond("POST", "/v2/.+/blobs/uploads/", skip, 1, 429, "Retry-After", "1");
                        case "416-patch" -> proxy.respond("PATCH", UPLOAD, skip, 1, 416);
                        case "slow-patch" -> proxy.delay("PATCH", UPLOAD, skip, 1, 1500);
                        case "slow-manifest" -> proxy.delay("PUT", "/v2/.+/manifests/.+", skip, 1, 1500);
                        case "lie-blob" -> proxy.lieAboutDigest("PUT", UPLOAD, skip, 1);
                        case "lie-manifest" -> proxy.lieAboutDigest("PUT", "/v2/.+/manifests/sha256:.+", skip, 1);
                        default -> throw new AssertionError(kind);
                    }
                }
                try {
                    assertEquals(image.index.digest(), push(image, proxy, repo + ":1", options()));
                } catch (RegistryException e) {
                    error = e.getMessage();
                }
                injected += (int) proxy.faults();
            }
            String where = "round " + round + " (seed " + seed + ", faults " + chosen + ")";
            System.out.printf("push faults %s -> %s%n", where, error == null ? "complete" : "error: " + error);
            if (error == null) {
                complete++;
                assertEquals(image.index.digest(), served(repo + ":1"), where);
                continue;
            }
            errors++;
            assertFalse(error.contains("\n"), where + ": " + error);
            assertTrue(error.contains("registry ") && error.contains(repo), where + ": " + error);
            assertEquals(404, directStatus("/v2/" + repo + "/manifests/1"), where + ": no tag after a failed push");
            TransferSummary rerun = new TransferSummary();
            try (RegistryDestination d = RegistryDestination.open(ImageReference.parse("docker://" + registry.address + "/" + repo + ":1"),
                    RegistryOptions.defaults().withProgress(rerun))) {
                assertEquals(image.index.digest(), MiniCopy.copy(new LayoutSource(image.layout, "latest", "oci:src"), d, List.of(), 4).digest());
            }
            assertEquals(image.index.digest(), served(repo + ":1"), where + ": the rerun");
            assertEquals(image.blobs.size(), rerun.blobsSkipped() + rerun.blobsTransferred() + rerun.blobsMounted(), where + ": " + rerun);
        }
        System.out.printf("push faults: %d injected in %d pushes; %d pushes ended valid (%d complete, %d clear one-line errors"
                + " with no tag; every rerun completed)%n", injected, rounds, complete + errors, complete, errors);
        assertTrue(injected >= rounds, "faults were injected: " + injected);
    }
}
