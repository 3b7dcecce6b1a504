package dev.kiln.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.testing.HostileRegistry;
import dev.kiln.testing.MiniDistribution;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Answers that never end, trickle, or are too big: every body kiln reads into memory (the ping, an
 * error, a manifest, a token answer) has a cap and a deadline, and a body it does not need is not read.
 * The servers count what they managed to write, which shows that kiln stopped reading.
 */
class RegistryLimitsTest {
    /** Far below what an endless body would reach in the seconds a test runs, far above socket buffers. */
    static final long BOUNDED = 64L << 20;
    final SecurityFixture f = new SecurityFixture();

    @Test
    void anEndlessPingBodyIsNotRead() {
        try (HostileRegistry registry = HostileRegistry.start(2, ex -> {
            if (ex.path().equals("/v2/")) {
                ex.endless(200, "application/json"); // drove the heap to 2 GB in 3 s when it was read whole
            } else {
                ex.send(404, MiniDistribution.error("NAME_UNKNOWN", "none"));
            }
        })) {
            RegistryClient c = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> RegistryClient.connect(registry.address(), f.options()));
            assertEquals("http", c.baseUri().getScheme());
            sleep(300);
            assertTrue(registry.bytesSent() < BOUNDED, "the ping body was read: " + registry.bytesSent() + " bytes");
        }
    }

    @Test
    void anEndlessErrorBodyIsCappedAndTheErrorStillSaysWhat() {
        try (HostileRegistry registry = HostileRegistry.start(2, ex -> {
            if (ex.path().equals("/v2/")) {
                ex.send(200, "{}");
            } else {
                ex.endless(404, "application/json");
            }
        })) {
            RegistryClient c = RegistryClient.connect(registry.address(), f.options());
            RegistryException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
                    () -> assertThrows(RegistryException.class, () -> c.getManifest("team/app", "1")));
            assertTrue(e.getMessage().contains("repository team/app: getting manifest 1 failed: HTTP 404"), e.getMessage());
            sleep(300);
            assertTrue(registry.bytesSent() < BOUNDED, registry.bytesSent() + " bytes");
        }
    }

    @Test
    void anEndlessPingErrorIsCappedToo() {
        try (HostileRegistry registry = HostileRegistry.start(2, ex -> ex.endless(500, "text/html"))) {
            RegistryException e = assertTimeoutPreemptively(Duration.ofSeconds(30),
                    () -> assertThrows(RegistryException.class, () -> RegistryClient.connect(registry.address(), f.options())));
            assertTrue(e.getMessage().contains("registry " + registry.address()), e.getMessage());
            sleep(300);
            assertTrue(registry.bytesSent() < BOUNDED, registry.bytesSent() + " bytes");
        }
    }

    @Test
    void anEndlessManifestIsRefusedAtTheDocumentLimit() {
        try (HostileRegistry registry = HostileRegistry.start(2, ex -> {
            if (ex.path().equals("/v2/")) {
                ex.send(200, "{}");
            } else {
                ex.endless(200, "application/vnd.oci.image.manifest.v1+json");
            }
        })) {
            RegistryClient c = RegistryClient.connect(registry.address(), f.options());
            RegistryException e = assertThrows(RegistryException.class, () -> c.getManifest("team/app", "1"));
            assertTrue(e.getMessage().contains("repository team/app: getting manifest 1: the manifest is over the"), e.getMessage());
            sleep(300);
            assertTrue(registry.bytesSent() < BOUNDED, registry.bytesSent() + " bytes");
        }
    }

    @Test
    void aTricklingErrorBodyMeetsItsDeadline() {
        try (HostileRegistry registry = HostileRegistry.start(2, ex -> {
            if (ex.path().equals("/v2/")) {
                ex.send(200, "{}");
            } else {
                ex.trickle(404, "application/json", 50); // a byte every 50 ms never trips the read timeout
            }
        })) {
            RegistryClient c = RegistryClient.connect(registry.address(), f.options().withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(1)));
            RegistryException e = assertTimeoutPreemptively(Duration.ofSeconds(30),
                    () -> assertThrows(RegistryException.class, () -> c.getManifest("team/app", "1")));
            assertTrue(e.getMessage().contains("getting manifest 1 failed: the body did not end within 1 s"), e.getMessage());
        }
    }

    @Test
    void anEndlessTokenAnswerIsCapped() {
        MiniDistribution mini = new MiniDistribution();
        try (HostileRegistry tokens = HostileRegistry.start(3, ex -> ex.endless(200, "application/json"));
             HostileRegistry registry = HostileRegistry.start(2, mini)) {
            mini.bearer(tokens.url() + "/token");
            RegistryClient c = RegistryClient.connect(registry.address(), f.options());
            RegistryException e = assertTimeoutPreemptively(Duration.ofSeconds(30),
                    () -> assertThrows(RegistryException.class, () -> c.getManifest("team/app", "1")));
            assertTrue(e.getMessage().contains("answered more than 1048576 bytes"), e.getMessage());
            sleep(300);
            assertTrue(tokens.bytesSent() < BOUNDED, tokens.bytesSent() + " bytes");
        }
    }

    @Test
    void aTricklingTokenAnswerMeetsItsDeadline() {
        MiniDistribution mini = new MiniDistribution();
        try (HostileRegistry tokens = HostileRegistry.start(3, ex -> ex.trickle(200, "application/json", 50));
             HostileRegistry registry = HostileRegistry.start(2, mini)) {
            mini.bearer(tokens.url() + "/token");
            RegistryClient c = RegistryClient.connect(registry.address(), f.options().withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(1)));
            RegistryException e = assertTimeoutPreemptively(Duration.ofSeconds(30),
                    () -> assertThrows(RegistryException.class, () -> c.getManifest("team/app", "1")));
            assertTrue(e.getMessage().contains("cannot get a token from " + tokens.host() + " after 3 tries"), e.getMessage());
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
