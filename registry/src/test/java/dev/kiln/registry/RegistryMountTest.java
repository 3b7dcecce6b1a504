package dev.kiln.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.testing.HostileRegistry;
import dev.kiln.testing.MiniDistribution;
import java.io.ByteArrayInputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A destination mounts what its mount sources hold before anything reads the blob's content. */
class RegistryMountTest {
    final SecurityFixture f = new SecurityFixture();

    @Test
    void hasBlobMountsFromTheSourceRepositoryWithoutDownloadingOrUploading() throws Exception {
        MiniDistribution mini = new MiniDistribution();
        try (HostileRegistry registry = HostileRegistry.start(2, mini)) {
            String digest = mini.putBlob("team/a", f.layer);
            TransferSummary summary = new TransferSummary();
            RegistryClient c = RegistryClient.connect(registry.address(), f.options().withProgress(summary));
            RegistryDestination d = new RegistryDestination(c, "team/b", "1", null, List.of("team/a"));
            assertTrue(d.hasBlob(f.layerDescriptor), "mounted from team/a");
            assertTrue(mini.hasBlob("team/b", digest));
            assertEquals(1, summary.blobsMounted());
            assertFalse(registry.requests().stream().anyMatch(r -> r.method().equals("GET") && r.path().contains("/blobs/")
                    || r.method().equals("PUT") || r.method().equals("PATCH")), registry.requests().toString());
        }
    }

    @Test
    void aRefusedMountUploadsInTheSessionItOpened() throws Exception {
        MiniDistribution mini = new MiniDistribution();
        try (HostileRegistry registry = HostileRegistry.start(2, mini)) {
            RegistryClient c = RegistryClient.connect(registry.address(), f.options());
            RegistryDestination d = new RegistryDestination(c, "team/b", "1", null, List.of("team/a"));
            assertFalse(d.hasBlob(f.layerDescriptor), "team/a does not hold it");
            d.putBlob(f.layerDescriptor, new ByteArrayInputStream(f.layer));
            assertTrue(mini.hasBlob("team/b", f.layerDescriptor.digest().toString()));
            assertEquals(1, registry.requests().stream().filter(r -> r.method().equals("POST")).count(),
                    "the session the refused mount opened is used: " + registry.requests());
        }
    }
}
