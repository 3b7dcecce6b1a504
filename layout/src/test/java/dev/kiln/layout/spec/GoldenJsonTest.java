package dev.kiln.layout.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Golden documents under {@code src/test/resources/golden/}, read and written both ways. They are
 * compact JSON exactly as kiln writes it, with no trailing newline: bytes, not just trees, must match.
 */
class GoldenJsonTest {
    private static final String CREATED = "2026-01-01T00:00:00Z";

    static byte[] golden(String name) throws IOException {
        try (InputStream in = GoldenJsonTest.class.getResourceAsStream("/golden/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing golden file " + name);
            }
            return in.readAllBytes();
        }
    }

    private static void assertSameBytes(byte[] expected, byte[] actual) {
        assertEquals(new String(expected, StandardCharsets.UTF_8), new String(actual, StandardCharsets.UTF_8));
    }

    @Test
    void manifestBothWays() throws IOException {
        byte[] golden = golden("manifest.json");
        ImageManifest parsed = ImageManifest.parse(golden, "manifest.json");
        assertSameBytes(golden, parsed.toBytes());

        Descriptor config = new Descriptor(MediaTypes.OCI_CONFIG, Digest.sha256("config"), 1234);
        List<Descriptor> layers = List.of(new Descriptor(MediaTypes.OCI_LAYER_GZIP, Digest.sha256("layer1"), 100),
                new Descriptor(MediaTypes.OCI_LAYER_ZSTD, Digest.sha256("layer2"), 200));
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("org.opencontainers.image.title", "hello");
        annotations.put(MediaTypes.ANNOTATION_CREATED, CREATED);
        ImageManifest built = new ImageManifest(2, MediaTypes.OCI_MANIFEST, null, config, layers, null, annotations, null);
        assertSameBytes(golden, built.toBytes());
        assertEquals(built, parsed);
    }

    @Test
    void indexBothWays() throws IOException {
        byte[] golden = golden("index.json");
        ImageIndex parsed = ImageIndex.parse(golden, "index.json");
        assertSameBytes(golden, parsed.toBytes());

        List<Descriptor> manifests = List.of(
                new Descriptor(MediaTypes.OCI_MANIFEST, Digest.sha256("amd64"), 500).withPlatform(Platform.parse("linux/amd64")),
                new Descriptor(MediaTypes.OCI_MANIFEST, Digest.sha256("arm64"), 501).withPlatform(Platform.parse("linux/arm64/v8")),
                new Descriptor(MediaTypes.OCI_MANIFEST, Digest.sha256("windows"), 502)
                        .withPlatform(Platform.parse("windows(10.0.17763.5576)/amd64")));
        ImageIndex built = new ImageIndex(MediaTypes.OCI_INDEX, manifests)
                .withAnnotations(Map.of(MediaTypes.ANNOTATION_CREATED, CREATED));
        assertSameBytes(golden, built.toBytes());
        assertEquals(built, parsed);
    }

    @Test
    void configBothWays() throws IOException {
        byte[] golden = golden("config.json");
        ImageConfig parsed = ImageConfig.parse(golden, "config.json");
        assertSameBytes(golden, parsed.toBytes());

        ContainerConfig.Builder c = new ContainerConfig.Builder();
        c.user = "1000:1000";
        c.exposedPorts = List.of("8080/tcp");
        c.env = List.of("PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8");
        c.entrypoint = List.of("/app");
        c.cmd = List.of("--help");
        c.volumes = List.of("/data");
        c.workingDir = "/srv";
        c.labels = Map.of("b", "2", "a", "1");
        c.stopSignal = "SIGTERM";
        c.healthcheck = new HealthCheck(List.of("CMD", "/app", "health"), 30_000_000_000L, null, null, null, 3L, null);
        List<History> history = List.of(new History(CREATED, "COPY app /app", false),
                new History(CREATED, "COPY data /data", false), new History(CREATED, "CMD [\"--help\"]", true));
        ImageConfig built = new ImageConfig(CREATED, null, "amd64", "linux", null, null, null, c.build(),
                List.of(Digest.sha256("tar1"), Digest.sha256("tar2")), history, null);
        assertSameBytes(golden, built.toBytes());
        assertEquals(built, parsed);
        assertEquals(2, parsed.layerHistoryCount());
        assertEquals(Map.of("PATH", "/usr/local/bin:/usr/bin:/bin", "LANG", "C.UTF-8"), parsed.config().envMap());
    }

    @ParameterizedTest
    @ValueSource(strings = {"manifest-unknown-fields.json", "index-unknown-fields.json", "config-unknown-fields.json"})
    void unknownFieldsSurviveARoundTripByteForByte(String name) throws IOException {
        byte[] golden = golden(name);
        byte[] written = switch (name) {
            case "manifest-unknown-fields.json" -> ImageManifest.parse(golden, name).toBytes();
            case "index-unknown-fields.json" -> ImageIndex.parse(golden, name).toBytes();
            default -> ImageConfig.parse(golden, name).toBytes();
        };
        assertSameBytes(golden, written);
    }

    @Test
    void unknownFieldsAnywhereSurviveAsTrees() {
        String json = "{\"x-first\":{\"deep\":[1,{\"a\":null}]},\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST
                + "\",\"config\":{\"x-before\":1,\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\""
                + Digest.sha256("c") + "\",\"size\":2},\"layers\":[]}";
        ImageManifest m = ImageManifest.parse(json.getBytes(StandardCharsets.UTF_8), "m");
        ObjectNode original = Json.parseObject(json.getBytes(StandardCharsets.UTF_8), "original");
        ObjectNode written = Json.parseObject(m.toBytes(), "written");
        assertEquals(original, written, "same tree, though kiln writes known fields first");
        assertTrue(Json.toString(written).endsWith("\"x-first\":{\"deep\":[1,{\"a\":null}]}}"), Json.toString(written));
    }

    @Test
    void configRootfsExtrasAndDockerFieldsAreKept() throws IOException {
        ImageConfig c = ImageConfig.parse(golden("config-unknown-fields.json"), "c");
        assertEquals("abc", c.extra().get("container").textValue());
        assertEquals(new Platform("linux", "arm64", "v8"), c.platform());
        assertEquals(1, c.config().extra().get("x-cc").intValue());
    }
}
