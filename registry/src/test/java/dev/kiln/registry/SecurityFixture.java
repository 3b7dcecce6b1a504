package dev.kiln.registry;

import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.MediaTypes;
import dev.kiln.testing.HostileRegistry;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;

/** A small image and client options for the registry security tests (hostile servers on 127.0.0.N). */
final class SecurityFixture {
    final String user = "alice";
    final String password = "pw-" + UUID.randomUUID();
    final byte[] layer = ("layer " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
    final Descriptor layerDescriptor = new Descriptor(MediaTypes.OCI_LAYER_GZIP, Digest.sha256(layer), layer.length);
    final Queue<String> log = new ConcurrentLinkedQueue<>();

    RegistryOptions options() {
        return RegistryOptions.defaults()
                .withRetry(new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofSeconds(1)))
                .withDebug(log::add);
    }

    RegistryOptions withCredentials() {
        return options().withCredentials(new dev.kiln.registry.auth.Credentials(user, password));
    }

    RegistryClient.BlobPushResult pushLayer(RegistryClient client, String repository) {
        return client.pushBlob(repository, layerDescriptor, new ByteArrayInputStream(layer), List.of());
    }

    String debugLog() {
        return String.join("\n", log);
    }

    static String requestsAt(HostileRegistry server) {
        return server.requests().toString();
    }
}
