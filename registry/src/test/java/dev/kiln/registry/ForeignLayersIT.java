package dev.kiln.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageManifest;
import dev.kiln.layout.spec.MediaTypes;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A manifest whose layer carries foreign {@code urls}: Distribution 2.8 refuses it by default (with
 * HTTP 500, UNKNOWN and MANIFEST_BLOB_UNKNOWN for the foreign layer; newer registries say
 * MANIFEST_INVALID), which must read as a clear message and not be retried; a registry started with
 * {@code REGISTRY_VALIDATION_MANIFESTS_URLS_ALLOW} accepts it.
 */
class ForeignLayersIT {
    static final byte[] CONFIG = "{\"architecture\":\"amd64\",\"os\":\"windows\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
            .getBytes(StandardCharsets.UTF_8);

    static void pushForeign(String address, String repo) {
        RegistryClient c = RegistryClient.connect(address, RegistryOptions.defaults());
        Descriptor config = new Descriptor(MediaTypes.OCI_CONFIG, Digest.sha256(CONFIG), CONFIG.length);
        c.pushBlob(repo, config, new ByteArrayInputStream(CONFIG), List.of());
        Descriptor foreign = new Descriptor(MediaTypes.DOCKER_LAYER_FOREIGN_GZIP, Digest.sha256("windows base layer"), 1234)
                .withUrls(List.of("https://mcr.microsoft.com/v2/windows/servercore/blobs/" + Digest.sha256("windows base layer")));
        Descriptor dockerConfig = config.withMediaType(MediaTypes.DOCKER_CONFIG);
        byte[] manifest = new ImageManifest(MediaTypes.DOCKER_MANIFEST, dockerConfig, List.of(foreign)).toBytes();
        Descriptor md = new Descriptor(MediaTypes.DOCKER_MANIFEST, Digest.sha256(manifest), manifest.length);
        c.putManifest(repo, "1", md, manifest);
    }

    @Test
    void aRegistryRefusingForeignUrlsSaysHowToAllowThem() throws Exception {
        try (TestRegistry registry = TestRegistry.start()) {
            long start = System.nanoTime();
            RegistryException e = assertThrows(RegistryException.class, () -> pushForeign(registry.address, "foreign/app"));
            assertTrue(System.nanoTime() - start < 2_000_000_000L, "a definite refusal is not retried");
            String m = e.getMessage();
            assertTrue(e.code() == ErrorCode.MANIFEST_INVALID || e.has(ErrorCode.MANIFEST_BLOB_UNKNOWN), m);
            assertTrue(m.contains("refuses layers with foreign URLs") && m.contains("REGISTRY_VALIDATION_MANIFESTS_URLS_ALLOW")
                    && m.contains("repository foreign/app"), m);
        }
    }

    @Test
    void aRegistryAllowingThemTakesTheManifest() throws Exception {
        try (TestRegistry registry = TestRegistry.start(Map.of("REGISTRY_VALIDATION_MANIFESTS_URLS_ALLOW", "[\"^https?://\"]"))) {
            pushForeign(registry.address, "foreign/app");
            Cmd.check("skopeo", "inspect", "--raw", "--tls-verify=false", "docker://" + registry.address + "/foreign/app:1");
        }
    }
}
