package dev.kiln.registry;

import static dev.kiln.registry.FakeServer.error;
import static dev.kiln.registry.FakeServer.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.MediaTypes;
import dev.kiln.registry.auth.Credentials;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The client against scripted servers on 127.0.0.1: auth, retries, redirects, refusals. */
class RegistryClientTest {
    static final String PASSWORD = "pa55-W0RD-unit";
    static final byte[] INDEX = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":[]}")
            .getBytes(StandardCharsets.UTF_8);
    static final Descriptor INDEX_DESC = new Descriptor(MediaTypes.OCI_INDEX, Digest.sha256(INDEX), INDEX.length);
    static final Digest BLOB = Digest.sha256("blob");

    final Queue<String> log = new ConcurrentLinkedQueue<>();

    RegistryOptions options() {
        return RegistryOptions.defaults().withRetry(new RetryPolicy(5, Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofSeconds(5)))
                .withDebug(log::add);
    }

    void assertLogHasNoSecrets(String... secrets) {
        for (String line : log) {
            for (String s : secrets) {
                assertFalse(line.contains(s), "secret in debug log: " + line);
            }
        }
    }

    @Test
    void bearerTokensAreFetchedOnceCachedAndRefreshedWhenTheRegistryRefusesThem() throws Exception {
        AtomicInteger issued = new AtomicInteger();
        Set<String> valid = ConcurrentHashMap.newKeySet();
        Queue<String> scopes = new ConcurrentLinkedQueue<>();
        String[] realm = new String[1];
        try (FakeServer s = new FakeServer((ex, body) -> {
            String path = ex.getRequestURI().getPath();
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            String challenge = "Bearer realm=\"" + realm[0] + "\",service=\"fake\",scope=\"repository:team/app:pull\"";
            if (path.equals("/token")) {
                String expected = "Basic " + Base64.getEncoder().encodeToString(("alice:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
                if (!expected.equals(auth)) {
                    send(ex, 401, "{}");
                    return;
                }
                scopes.add(ex.getRequestURI().getRawQuery());
                String token = "tok-" + issued.incrementAndGet() + "-SECRETTOKEN";
                valid.add(token);
                send(ex, 200, "{\"token\":\"" + token + "\",\"expires_in\":300}", "Content-Type", "application/json");
            } else if (auth == null || !valid.contains(auth.substring("Bearer ".length()))) {
                send(ex, 401, error("UNAUTHORIZED", "authentication required"), "WWW-Authenticate", challenge);
            } else {
                send(ex, 200, null, "Content-Length", "4", "Docker-Content-Digest", BLOB.toString());
            }
        })) {
            realm[0] = "http://" + s.address() + "/token";
            RegistryClient c = RegistryClient.connect(s.address(), options().withCredentials(new Credentials("alice", PASSWORD)));
            for (int i = 0; i < 3; i++) {
                assertEquals(4L, c.blobSize("team/app", BLOB).orElseThrow());
            }
            assertEquals(1, issued.get(), "one token serves every request of the scope");
            assertEquals("service=fake&scope=repository%3Ateam%2Fapp%3Apull", scopes.peek());
            valid.clear(); // the token expires mid-push
            assertEquals(4L, c.blobSize("team/app", BLOB).orElseThrow());
            assertEquals(2, issued.get(), "a refused token is replaced");
            assertLogHasNoSecrets(PASSWORD, "SECRETTOKEN", Base64.getEncoder().encodeToString(("alice:" + PASSWORD).getBytes(StandardCharsets.UTF_8)));
            assertTrue(log.stream().anyMatch(l -> l.contains("Authorization: Bearer REDACTED")), String.join("\n", log));
        }
    }

    @Test
    void aWrongPasswordIsOneLineWithoutThePassword() throws Exception {
        String[] realm = new String[1];
        try (FakeServer s = new FakeServer((ex, body) -> {
            if (ex.getRequestURI().getPath().equals("/token")) {
                send(ex, 401, "{\"details\":\"incorrect username or password\"}");
            } else {
                send(ex, 401, error("UNAUTHORIZED", "authentication required"),
                        "WWW-Authenticate", "Bearer realm=\"" + realm[0] + "\",service=\"fake\"");
            }
        })) {
            realm[0] = "http://" + s.address() + "/token";
            RegistryClient c = RegistryClient.connect(s.address(), options().withCredentials(new Credentials("alice", "wrong-" + PASSWORD)));
            RegistryException e = assertThrows(RegistryException.class, () -> c.getManifest("team/app", "latest"));
            String m = e.getMessage();
            assertFalse(m.contains(PASSWORD), m);
            assertFalse(m.contains("\n"), m);
            assertTrue(m.contains("registry " + s.address()) && m.contains("repository team/app") && m.contains("latest"), m);
            assertTrue(m.contains("refused the credentials of user alice"), m);
            assertLogHasNoSecrets(PASSWORD);
        }
    }

    @Test
    void basicCredentialsGoOnlyToTheRegistryNotToWhereItRedirects() throws Exception {
        try (FakeServer storage = new FakeServer((ex, body) -> send(ex, 200, "blob"));
             FakeServer s = new FakeServer((ex, body) -> {
                 if (ex.getRequestHeaders().getFirst("Authorization") == null) {
                     send(ex, 401, error("UNAUTHORIZED", "no"), "WWW-Authenticate", "Basic realm=\"fake\"");
                 } else {
                     send(ex, 307, null, "Location", "http://" + storage.address() + "/bucket/blob?X-Amz-Signature=sig");
                 }
             })) {
            RegistryClient c = RegistryClient.connect(s.address(), options().withCredentials(new Credentials("bob", PASSWORD)));
            Descriptor blob = new Descriptor("application/octet-stream", BLOB, 4);
            try (InputStream in = c.openBlob("team/app", blob)) {
                assertEquals("blob", new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            assertTrue(s.seen.stream().anyMatch(x -> x.header("Authorization") != null), "the registry got credentials");
            assertEquals(1, storage.seen.size());
            assertNull(storage.seen.get(0).header("Authorization"), "storage on another origin gets none");
            assertLogHasNoSecrets(PASSWORD, "sig");
        }
    }

    @Test
    void fiveHundredsAndTooManyRequestsAreRetriedHonouringRetryAfter() throws Exception {
        AtomicInteger puts = new AtomicInteger();
        try (FakeServer s = new FakeServer((ex, body) -> {
            if (ex.getRequestURI().getPath().equals("/v2/")) {
                send(ex, 200, "{}");
                return;
            }
            int n = puts.incrementAndGet();
            if (n <= 2) {
                send(ex, n == 1 ? 500 : 503, "oops");
            } else if (n == 3) {
                send(ex, 429, error("TOOMANYREQUESTS", "slow down"), "Retry-After", "1");
            } else {
                send(ex, 201, null, "Docker-Content-Digest", INDEX_DESC.digest().toString());
            }
        })) {
            TransferSummary summary = new TransferSummary();
            RegistryClient c = RegistryClient.connect(s.address(), options().withProgress(summary));
            long start = System.nanoTime();
            c.putManifest("team/app", "v1", INDEX_DESC, INDEX);
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertEquals(4, puts.get());
            assertEquals(3, summary.retries());
            assertTrue(ms >= 1000, "waited for Retry-After: " + ms + " ms");
            assertEquals(MediaTypes.OCI_INDEX, s.seen.get(s.seen.size() - 1).header("Content-Type"));
        }
    }

    @Test
    void retriesAreBounded() throws Exception {
        try (FakeServer s = new FakeServer((ex, body) -> send(ex, ex.getRequestURI().getPath().equals("/v2/") ? 200 : 502, "bad gateway"))) {
            RegistryClient c = RegistryClient.connect(s.address(), options());
            RegistryException e = assertThrows(RegistryException.class, () -> c.getManifest("team/app", "v1"));
            assertEquals(5, s.count("GET", "/v2/team/app/manifests/v1"));
            assertEquals(502, e.status());
        }
    }

    @Test
    void aServerErrorWhoseCodesAreDefiniteIsNotRetried() throws Exception {
        try (FakeServer s = new FakeServer((ex, body) -> send(ex, ex.getRequestURI().getPath().equals("/v2/") ? 200 : 500,
                "{\"errors\":[{\"code\":\"UNKNOWN\",\"message\":\"unknown error\"},{\"code\":\"MANIFEST_BLOB_UNKNOWN\",\"message\":\"blob unknown to registry\"}]}"))) {
            RegistryClient c = RegistryClient.connect(s.address(), options());
            RegistryException e = assertThrows(RegistryException.class, () -> c.putManifest("team/app", "v1", INDEX_DESC, INDEX));
            assertEquals(1, s.count("PUT", "/v2/team/app/manifests/v1"));
            assertTrue(e.getMessage().contains("push children before parents"), e.getMessage());
        }
    }

    @Test
    void aRegistryRefusingOciIndexesCarriesTheDockerMediaTypesHint() throws Exception {
        try (FakeServer s = new FakeServer((ex, body) -> {
            if (ex.getRequestURI().getPath().equals("/v2/")) {
                send(ex, 200, "{}");
            } else {
                send(ex, 400, error("MANIFEST_INVALID", "manifest invalid"));
            }
        })) {
            RegistryClient c = RegistryClient.connect(s.address(), options());
            RegistryException e = assertThrows(RegistryException.class, () -> c.putManifest("team/app", "v1", INDEX_DESC, INDEX));
            assertEquals(ErrorCode.MANIFEST_INVALID, e.code());
            String m = e.getMessage();
            assertTrue(m.contains("does not seem to accept OCI") && m.contains(INDEX_DESC.digest().toString())
                    && m.contains("repository team/app"), m);
            assertFalse(m.contains("--"), "the library names no command-line flag: " + m);
            assertEquals(dev.kiln.layout.Hint.DOCKER_MEDIA_TYPES, e.hint(), "the command line words the hint");
        }
        try (FakeServer s = new FakeServer((ex, body) -> send(ex, ex.getRequestURI().getPath().equals("/v2/") ? 200 : 415, ""))) {
            RegistryClient c = RegistryClient.connect(s.address(), options());
            RegistryException e = assertThrows(RegistryException.class, () -> c.putManifest("team/app", "v1", INDEX_DESC, INDEX));
            assertTrue(e.getMessage().contains("does not seem to accept OCI"), e.getMessage());
            assertEquals(dev.kiln.layout.Hint.DOCKER_MEDIA_TYPES, e.hint());
        }
    }

    @Test
    void aManifestWhoseDigestTheRegistryMisreportsIsRefused() throws Exception {
        try (FakeServer s = new FakeServer((ex, body) -> {
            if (ex.getRequestURI().getPath().equals("/v2/")) {
                send(ex, 200, "{}");
            } else {
                send(ex, 200, new String(INDEX, StandardCharsets.UTF_8), "Content-Type", MediaTypes.OCI_INDEX,
                        "Docker-Content-Digest", BLOB.toString());
            }
        })) {
            RegistryClient c = RegistryClient.connect(s.address(), options());
            RegistryException e = assertThrows(RegistryException.class, () -> c.getManifest("team/app", "v1"));
            assertTrue(e.getMessage().contains("reports digest " + BLOB), e.getMessage());
            RegistryException byDigest = assertThrows(RegistryException.class, () -> c.getManifest("team/app", BLOB.toString()));
            assertTrue(byDigest.getMessage().contains("not the digest asked for"), byDigest.getMessage());
        }
    }

    @Test
    void credentialsNeverGoOverPlainHttpToAHostThatIsNotLoopback() throws Exception {
        try (FakeServer s = new FakeServer((ex, body) -> send(ex, 401, error("UNAUTHORIZED", "no"),
                "WWW-Authenticate", "Bearer realm=\"http://auth.example.invalid/token\",service=\"x\""))) {
            RegistryClient c = RegistryClient.connect(s.address(), options().withCredentials(new Credentials("carol", PASSWORD)));
            RegistryException e = assertThrows(RegistryException.class, () -> c.getManifest("team/app", "v1"));
            assertTrue(e.getMessage().contains("refusing to send credentials over plain HTTP to token server auth.example.invalid"), e.getMessage());
            assertFalse(e.getMessage().contains(PASSWORD));
        }
    }

    @Test
    void anonymousAccessThatIsRefusedSaysHowToLogIn() throws Exception {
        try (FakeServer s = new FakeServer((ex, body) -> send(ex, 401, error("UNAUTHORIZED", "authentication required"),
                "WWW-Authenticate", "Basic realm=\"fake\""))) {
            RegistryClient c = RegistryClient.connect(s.address(), options());
            RegistryException e = assertThrows(RegistryException.class, () -> c.getManifest("team/app", "v1"));
            assertTrue(e.getMessage().contains("authentication required: pass --creds USER:PASSWORD or log in"), e.getMessage());
            assertEquals(ErrorCode.UNAUTHORIZED, e.code());
        }
    }

    @Test
    void somethingThatIsNoRegistryIsNamed() throws Exception {
        try (FakeServer s = new FakeServer((ex, body) -> send(ex, 404, "not here"))) {
            RegistryException e = assertThrows(RegistryException.class, () -> RegistryClient.connect(s.address(), options()));
            assertTrue(e.getMessage().contains("is this an OCI registry?"), e.getMessage());
        }
    }

    @Test
    void nothingListeningIsAConnectionError() throws Exception {
        int port;
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        RegistryException e = assertThrows(RegistryException.class,
                () -> RegistryClient.connect("127.0.0.1:" + port, options().withRetry(RetryPolicy.none())));
        assertTrue(e.getMessage().contains("connection refused"), e.getMessage());
    }

    @Test
    void uploadsRefuseContentThatIsNotTheDescriptors() throws Exception {
        try (FakeServer s = new FakeServer((ex, body) -> {
            if (ex.getRequestURI().getPath().equals("/v2/")) {
                send(ex, 200, "{}");
            } else {
                send(ex, 202, null, "Location", "/v2/team/app/blobs/uploads/u1");
            }
        })) {
            RegistryClient c = RegistryClient.connect(s.address(), options());
            Descriptor blob = new Descriptor("application/octet-stream", BLOB, 4);
            RegistryException e = assertThrows(RegistryException.class, () -> c.pushBlob("team/app", blob,
                    new java.io.ByteArrayInputStream("BLOB".getBytes(StandardCharsets.UTF_8)), List.of()));
            assertTrue(e.getMessage().contains("does not hash to the descriptor's digest"), e.getMessage());
            assertEquals(0, s.count("PUT", "/"), "nothing was sent");
        }
    }
}
