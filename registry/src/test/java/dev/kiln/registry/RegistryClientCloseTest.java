package dev.kiln.registry;

import static dev.kiln.registry.FakeServer.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.layout.transport.ImageReference;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Closing a client stops its HTTP client's selector thread, which would hold up the JVM's exit. */
class RegistryClientCloseTest {
    static Set<String> selectorThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("HttpClient-") && n.endsWith("-SelectorManager")).collect(Collectors.toSet());
    }

    @Test
    void aDestinationThatOpenedItsClientStopsItsSelectorThreadOnClose() throws Exception {
        try (FakeServer s = new FakeServer((ex, body) -> send(ex, 200, "{}"))) {
            Set<String> before = selectorThreads();
            RegistryDestination d = RegistryDestination.open(ImageReference.parse("docker://" + s.address() + "/team/app:1"), RegistryOptions.defaults());
            Set<String> mine = selectorThreads();
            mine.removeAll(before);
            assertEquals(1, mine.size(), "the new client's selector thread: " + mine);
            d.close();
            Set<String> after = selectorThreads();
            assertTrue(after.stream().noneMatch(mine::contains), "still running: " + after);

            // a destination given a client leaves it open for its owner
            RegistryClient shared = RegistryClient.connect(s.address(), RegistryOptions.defaults());
            new RegistryDestination(shared, "team/app", "1", null, java.util.List.of()).close();
            assertTrue(shared.blobSize("team/app", dev.kiln.layout.digest.Digest.sha256("x")).isPresent(), "the shared client still works");
            shared.close();
            // the JDK 17 client never answers once its selector thread is gone: a closed client refuses at once
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(10),
                    () -> org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                            () -> shared.blobSize("team/app", dev.kiln.layout.digest.Digest.sha256("x"))));
            assertTrue(e.getMessage().contains("the client was closed"), e.getMessage());
        }
    }
}
