package dev.kiln.cli;

import static dev.kiln.cli.Hostile.Expect.fails;
import static dev.kiln.cli.RawTarWriter.utf8;

import dev.kiln.cli.Hostile.Expect;
import dev.kiln.layout.archive.TestImages;
import dev.kiln.layout.digest.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile manifests, indexes, configs and index.json files in a layout, through {@code kiln verify},
 * {@code kiln inspect}, {@code kiln copy} and as the base image of {@code kiln build}: malformed,
 * over 4 MiB, nested too deep, wrong media types, descriptors of negative or absurd size, digests of
 * unknown algorithms or bad hex, index cycles. Each ends in exit 1 and one line naming the document.
 */
class HostileJsonTest {
    @TempDir
    Path tmp;

    Path victim;

    @BeforeEach
    void victim() throws IOException {
        victim = tmp.resolve("victim");
        Files.createDirectories(victim);
        Files.writeString(victim.resolve("keep.txt"), "keep\n");
    }

    @AfterAll
    static void tally() {
        System.out.println(Hostile.writeTally());
    }

    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    static final String GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";

    /**
     * The documents of a layout as templates. {@code ${X_DESC}} is the descriptor of X, {@code ${X_DIGEST}}
     * and {@code ${X_SIZE}} its parts; {@code ${SELF}} in the index is the index's own (made-up) digest.
     */
    static final class Spec {
        String layer = null; // null: a valid gzip layer
        String config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Env\":[\"PATH=/bin\"]},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"${DIFF_ID}\"]},\"history\":[{\"created_by\":\"x\"}]}";
        String configDesc = "{\"mediaType\":\"" + OCI_CONFIG + "\",\"digest\":\"${CONFIG_DIGEST}\",\"size\":${CONFIG_SIZE}}";
        String layerDesc = "{\"mediaType\":\"" + GZIP + "\",\"digest\":\"${LAYER_DIGEST}\",\"size\":${LAYER_SIZE}}";
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":${CONFIG_DESC},\"layers\":[${LAYER_DESC}]}";
        String manifestDesc = "{\"mediaType\":\"" + OCI_MANIFEST + "\",\"digest\":\"${MANIFEST_DIGEST}\",\"size\":${MANIFEST_SIZE}"
                + ",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}";
        /** null: index.json points at the manifest directly. */
        String index = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX + "\",\"manifests\":[${MANIFEST_DESC}]}";
        String indexDesc = "{\"mediaType\":\"" + OCI_INDEX + "\",\"digest\":\"${INDEX_DIGEST}\",\"size\":${INDEX_SIZE}"
                + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"t\"}}";
        /** Store the index under this digest instead of its own (for cycles). */
        Digest indexUnder;
        String indexJson = "{\"schemaVersion\":2,\"manifests\":[${INDEX_DESC}]}";
        final Map<String, String> values = new LinkedHashMap<>();

        String fill(String template) {
            String s = template;
            for (Map.Entry<String, String> e : values.entrySet()) {
                s = s.replace("${" + e.getKey() + "}", e.getValue());
            }
            return s;
        }

        /** Writes the layout; returns it. */
        Path write(Path dir) throws IOException {
            Files.createDirectories(dir.resolve("blobs/sha256"));
            Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
            byte[] tar = new RawTarWriter().file("hello.txt", "hello\n").bytes();
            byte[] gz = layer == null ? RawTarWriter.gzip(tar) : utf8(layer);
            values.put("DIFF_ID", Digest.sha256(tar).toString());
            put(dir, "LAYER", gz);
            put(dir, "CONFIG", utf8(fill(config)));
            values.put("CONFIG_DESC", fill(configDesc));
            values.put("LAYER_DESC", fill(layerDesc));
            put(dir, "MANIFEST", utf8(fill(manifest)));
            values.put("MANIFEST_DESC", fill(manifestDesc));
            if (index == null) {
                values.put("INDEX_DESC", fill(manifestDesc.replace(",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}",
                        ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"t\"}")));
            } else {
                if (indexUnder != null) {
                    values.put("SELF", indexUnder.toString());
                    byte[] b = utf8(fill(index));
                    Files.write(dir.resolve("blobs/sha256/" + indexUnder.hex()), b);
                    values.put("INDEX_DIGEST", indexUnder.toString());
                    values.put("INDEX_SIZE", String.valueOf(b.length));
                } else {
                    put(dir, "INDEX", utf8(fill(index)));
                }
                values.put("INDEX_DESC", fill(indexDesc));
            }
            Files.write(dir.resolve("index.json"), utf8(fill(indexJson)));
            return dir;
        }

        private void put(Path dir, String name, byte[] raw) throws IOException {
            byte[] bytes = badUtf8(raw);
            Digest d = Digest.sha256(bytes);
            Files.write(dir.resolve("blobs/sha256/" + d.hex()), bytes);
            values.put(name + "_DIGEST", d.toString());
            values.put(name + "_SIZE", String.valueOf(bytes.length));
        }
    }

    /** Replaces {@code @BAD@} by bytes that are not UTF-8. */
    static byte[] badUtf8(byte[] b) {
        String s = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
        return s.replace("@BAD@", "\u00ff\u00fe\u00c3\u0028").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** A case: how to break the spec, and what the error line must name (templates allowed). */
    record JsonCase(String id, Consumer<Spec> change, String... mentions) {
        @Override
        public String toString() {
            return id;
        }
    }

    static String big(int bytes) {
        return "x".repeat(bytes);
    }

    static String nested(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }

    static List<JsonCase> cases() {
        List<JsonCase> c = new ArrayList<>();
        // malformed documents
        c.add(new JsonCase("manifest-not-json", s -> s.manifest = "{\"schemaVersion\":2,", "${MANIFEST_DIGEST}"));
        c.add(new JsonCase("manifest-empty", s -> s.manifest = "", "${MANIFEST_DIGEST}"));
        c.add(new JsonCase("manifest-an-array", s -> s.manifest = "[1,2,3]", "${MANIFEST_DIGEST}"));
        c.add(new JsonCase("manifest-trailing-garbage", s -> s.manifest = s.manifest + " {}", "${MANIFEST_DIGEST}"));
        c.add(new JsonCase("manifest-duplicate-key", s -> s.manifest = s.manifest.replace("{\"schemaVersion\":2,",
                "{\"schemaVersion\":2,\"schemaVersion\":2,"), "${MANIFEST_DIGEST}"));
        c.add(new JsonCase("manifest-invalid-utf8", s -> s.manifest = s.manifest.replace("\"layers\"", "\"x\":\"@BAD@\",\"layers\""),
                "${MANIFEST_DIGEST}"));
        c.add(new JsonCase("manifest-layers-not-an-array", s -> s.manifest = s.manifest.replace("\"layers\":[${LAYER_DESC}]", "\"layers\":\"x\""),
                "${MANIFEST_DIGEST}", "layers"));
        c.add(new JsonCase("manifest-config-missing", s -> s.manifest = s.manifest.replace("\"config\":${CONFIG_DESC},", ""),
                "${MANIFEST_DIGEST}", "config"));
        c.add(new JsonCase("manifest-schema-version-1", s -> s.manifest = s.manifest.replace("\"schemaVersion\":2", "\"schemaVersion\":1"),
                "${MANIFEST_DIGEST}", "schemaVersion"));
        c.add(new JsonCase("manifest-schema-version-string", s -> s.manifest = s.manifest.replace("\"schemaVersion\":2", "\"schemaVersion\":\"2\""),
                "${MANIFEST_DIGEST}", "schemaVersion"));
        c.add(new JsonCase("manifest-number-too-long", s -> s.manifest = s.manifest.replace("\"schemaVersion\":2", "\"schemaVersion\":" + "9".repeat(5000)),
                "${MANIFEST_DIGEST}"));
        c.add(new JsonCase("manifest-over-4MiB", s -> s.manifest = s.manifest.replace("\"layers\"", "\"annotations\":{\"a\":\"" + big(5 << 20) + "\"},\"layers\""),
                "${MANIFEST_DIGEST}", "limit"));
        c.add(new JsonCase("manifest-deeply-nested", s -> s.manifest = s.manifest.replace("\"layers\"", "\"x\":" + nested(100) + ",\"layers\""),
                "${MANIFEST_DIGEST}"));
        c.add(new JsonCase("manifest-very-deeply-nested", s -> s.manifest = s.manifest.replace("\"layers\"", "\"x\":" + nested(200_000) + ",\"layers\""),
                "${MANIFEST_DIGEST}"));
        c.add(new JsonCase("index-not-json", s -> s.index = "{{{", "${INDEX_DIGEST}"));
        c.add(new JsonCase("index-over-4MiB", s -> s.index = s.index.replace("\"manifests\"", "\"annotations\":{\"a\":\"" + big(5 << 20) + "\"},\"manifests\""),
                "${INDEX_DIGEST}", "limit"));
        c.add(new JsonCase("index-deeply-nested", s -> s.index = s.index.replace("\"manifests\"", "\"x\":" + nested(100) + ",\"manifests\""),
                "${INDEX_DIGEST}"));
        c.add(new JsonCase("index-manifests-null", s -> s.index = s.index.replace("[${MANIFEST_DESC}]", "null"), "${INDEX_DIGEST}"));
        c.add(new JsonCase("config-not-json", s -> s.config = "not json at all", "${CONFIG_DIGEST}"));
        c.add(new JsonCase("config-over-4MiB", s -> s.config = s.config.replace("\"config\"", "\"x\":\"" + big(5 << 20) + "\",\"config\""),
                "${CONFIG_DIGEST}", "limit"));
        c.add(new JsonCase("config-deeply-nested", s -> s.config = s.config.replace("\"config\"", "\"x\":" + nested(100) + ",\"config\""),
                "${CONFIG_DIGEST}"));
        c.add(new JsonCase("config-env-not-strings", s -> s.config = s.config.replace("[\"PATH=/bin\"]", "[1,{}]"), "${CONFIG_DIGEST}", "Env"));
        c.add(new JsonCase("config-diff-ids-bad", s -> s.config = s.config.replace("\"${DIFF_ID}\"", "\"sha256:nothex\""), "${CONFIG_DIGEST}"));
        c.add(new JsonCase("config-os-missing", s -> s.config = s.config.replace("\"os\":\"linux\",", ""), "${CONFIG_DIGEST}"));
        c.add(new JsonCase("index-json-not-json", s -> s.indexJson = "{\"schemaVersion\":2,\"manifests\":[", "index.json"));
        c.add(new JsonCase("index-json-empty", s -> s.indexJson = "", "index.json"));
        c.add(new JsonCase("index-json-over-4MiB", s -> s.indexJson = s.indexJson.replace("\"manifests\"", "\"annotations\":{\"a\":\"" + big(5 << 20) + "\"},\"manifests\""),
                "index.json", "limit"));
        c.add(new JsonCase("index-json-deeply-nested", s -> s.indexJson = s.indexJson.replace("\"manifests\"", "\"x\":" + nested(100) + ",\"manifests\""),
                "index.json"));
        // media types
        c.add(new JsonCase("manifest-says-it-is-an-index", s -> s.manifest = s.manifest.replace(OCI_MANIFEST, OCI_INDEX), "${MANIFEST_DIGEST}", "media"));
        // an index may list artifacts of any type: copy keeps them, readers of images find none
        // an entry kiln cannot read: inspect finds no image in the index; copy refuses it (naming the type)
        // rather than copy it as a plain blob without what it may reference
        c.add(new JsonCase("manifest-descriptor-unknown-type", s -> s.manifestDesc = s.manifestDesc.replace(OCI_MANIFEST, "application/x-evil"),
                "${INDEX_DIGEST}"));
        c.add(new JsonCase("index-entry-is-a-layer", s -> s.manifestDesc = s.manifestDesc.replace(OCI_MANIFEST, GZIP), "${INDEX_DIGEST}", "no image manifest"));
        c.add(new JsonCase("config-descriptor-is-a-manifest", s -> s.configDesc = s.configDesc.replace(OCI_CONFIG, OCI_MANIFEST), "${CONFIG_DIGEST}"));
        c.add(new JsonCase("layer-descriptor-is-a-config", s -> s.layerDesc = s.layerDesc.replace(GZIP, OCI_CONFIG), "${LAYER_DIGEST}"));
        c.add(new JsonCase("media-type-with-newline", s -> s.manifestDesc = s.manifestDesc.replace(OCI_MANIFEST, OCI_MANIFEST + "\\nX-Injected: 1"),
                "${INDEX_DIGEST}", "invalid mediaType"));
        // descriptors: sizes
        c.add(new JsonCase("layer-negative-size", s -> s.layerDesc = s.layerDesc.replace("${LAYER_SIZE}", "-1"), "size"));
        c.add(new JsonCase("manifest-negative-size", s -> s.manifestDesc = s.manifestDesc.replace("${MANIFEST_SIZE}", "-5"), "size"));
        c.add(new JsonCase("root-absurd-size", s -> s.indexDesc = s.indexDesc.replace("${INDEX_SIZE}", "9223372036854775807"), "${INDEX_DIGEST}"));
        c.add(new JsonCase("root-size-beyond-long", s -> s.indexDesc = s.indexDesc.replace("${INDEX_SIZE}", "99999999999999999999999"), "size"));
        c.add(new JsonCase("root-size-fraction", s -> s.indexDesc = s.indexDesc.replace("${INDEX_SIZE}", "12.5"), "size"));
        c.add(new JsonCase("layer-absurd-size", s -> s.layerDesc = s.layerDesc.replace("${LAYER_SIZE}", "4611686018427387904"), "${LAYER_DIGEST}"));
        c.add(new JsonCase("config-size-too-small", s -> s.configDesc = s.configDesc.replace("${CONFIG_SIZE}", "3"), "${CONFIG_DIGEST}"));
        c.add(new JsonCase("manifest-size-too-big", s -> s.manifestDesc = s.manifestDesc.replace("${MANIFEST_SIZE}", "100000"), "${MANIFEST_DIGEST}"));
        // descriptors: digests
        c.add(new JsonCase("digest-unknown-algorithm", s -> s.manifestDesc = s.manifestDesc.replace("${MANIFEST_DIGEST}", "md5:" + "a".repeat(32)), "md5"));
        c.add(new JsonCase("digest-bad-hex", s -> s.layerDesc = s.layerDesc.replace("${LAYER_DIGEST}", "sha256:" + "Z".repeat(64)), "digest"));
        c.add(new JsonCase("digest-upper-case", s -> s.configDesc = s.configDesc.replace("${CONFIG_DIGEST}", "sha256:" + "A".repeat(64)), "digest"));
        c.add(new JsonCase("digest-path-traversal", s -> s.manifestDesc = s.manifestDesc.replace("${MANIFEST_DIGEST}", "sha256:../../../../victim/keep.txt"),
                "digest"));
        c.add(new JsonCase("digest-no-colon", s -> s.configDesc = s.configDesc.replace("${CONFIG_DIGEST}", "deadbeef"), "digest"));
        c.add(new JsonCase("digest-short", s -> s.layerDesc = s.layerDesc.replace("${LAYER_DIGEST}", "sha256:abc"), "digest"));
        c.add(new JsonCase("digest-missing-blob", s -> s.layerDesc = s.layerDesc.replace("${LAYER_DIGEST}", "sha256:" + "e".repeat(64)),
                "sha256:" + "e".repeat(64)));
        c.add(new JsonCase("digest-a-number", s -> s.configDesc = s.configDesc.replace("\"${CONFIG_DIGEST}\"", "12"), "digest"));
        // descriptor fields of the wrong shape
        c.add(new JsonCase("platform-os-empty", s -> s.manifestDesc = s.manifestDesc.replace("\"os\":\"linux\"", "\"os\":\"\""), "${INDEX_DIGEST}"));
        c.add(new JsonCase("platform-not-an-object", s -> s.manifestDesc = s.manifestDesc.replace("{\"architecture\":\"amd64\",\"os\":\"linux\"}", "\"linux/amd64\""),
                "${INDEX_DIGEST}"));
        // a platform is only a name: odd values are kept (verify warns), and no image matches linux/amd64
        c.add(new JsonCase("platform-architecture-unknown", s -> s.manifestDesc = s.manifestDesc.replace("\"amd64\"", "\"../../etc\""), "linux/amd64"));
        c.add(new JsonCase("annotations-not-strings", s -> s.indexDesc = s.indexDesc.replace("\"t\"}", "\"t\",\"x\":{\"y\":1}}"), "index.json"));
        c.add(new JsonCase("urls-not-a-list", s -> s.layerDesc = s.layerDesc.replace("}", ",\"urls\":\"http://x\"}"), "${MANIFEST_DIGEST}"));
        c.add(new JsonCase("config-platform-unknown-os", s -> s.config = s.config.replace("\"os\":\"linux\"", "\"os\":\"\\u0000\\u001b[31m\""), "linux/amd64"));
        // cycles
        c.add(new JsonCase("index-cycle-self", s -> {
            s.indexUnder = Digest.sha256("loop");
            s.index = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX + "\",\"manifests\":[{\"mediaType\":\"" + OCI_INDEX
                    + "\",\"digest\":\"${SELF}\",\"size\":${INDEX_SIZE_GUESS}}]}";
        }, "${INDEX_DIGEST}"));
        c.add(new JsonCase("index-nested-1000-deep", s -> s.index = null, "more than 8"));
        return c;
    }

    Path layout(JsonCase c, Path dir) throws IOException {
        Spec s = new Spec();
        c.change().accept(s);
        s.values.put("INDEX_SIZE_GUESS", "300");
        if (c.id().equals("index-nested-1000-deep")) {
            return deepIndexes(dir, 1000);
        }
        return s.write(dir);
    }

    /** index.json -> index -> index -> ... (depth) -> manifest: a chain far deeper than any real image. */
    Path deepIndexes(Path dir, int depth) throws IOException {
        Spec s = new Spec();
        s.index = null;
        s.write(dir);
        String child = s.values.get("MANIFEST_DESC");
        for (int i = 0; i < depth; i++) {
            byte[] b = utf8("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX + "\",\"manifests\":[" + child + "]}");
            Digest d = Digest.sha256(b);
            Files.write(dir.resolve("blobs/sha256/" + d.hex()), b);
            child = "{\"mediaType\":\"" + OCI_INDEX + "\",\"digest\":\"" + d + "\",\"size\":" + b.length + "}";
        }
        Files.writeString(dir.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":["
                + child.replace("}", ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"t\"}}") + "]}");
        s.values.put("INDEX_DIGEST", "index.json");
        return dir;
    }

    String[] mentions(JsonCase c, Path layout) throws IOException {
        Spec s = new Spec();
        c.change().accept(s);
        s.values.put("INDEX_SIZE_GUESS", "300");
        if (!c.id().equals("index-nested-1000-deep")) {
            s.write(tmp.resolve("again-" + System.nanoTime()));
        }
        List<String> out = new ArrayList<>();
        for (String m : c.mentions()) {
            out.add(s.fill(m));
        }
        return out.toArray(String[]::new);
    }

    /** Cases a command may finish: copy keeps artifacts and configs whose schema is wrong (verify reports them); inspect reads no layer. */
    static Expect expect(String command, JsonCase c, String[] mentions) {
        if (List.of("platform-architecture-unknown", "config-platform-unknown-os").contains(c.id()) && !command.equals("build")) {
            return Expect.okOrFails(mentions);
        }
        boolean ok = switch (command) {
            case "copy" -> List.of("index-entry-is-a-layer", "config-env-not-strings",
                    "config-diff-ids-bad", "config-os-missing").contains(c.id());
            case "inspect" -> c.id().equals("digest-missing-blob");
            // valid by the spec, so verify only warns; the readers refuse to follow that deep
            case "verify" -> c.id().equals("index-nested-1000-deep");
            default -> false;
        };
        return ok ? Expect.ok() : fails(mentions);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void verify(JsonCase c) throws IOException {
        Path l = layout(c, tmp.resolve("l"));
        KilnTestSupport.Run r = Hostile.attempt("json: verify", c.id(), expect("verify", c, new String[0]), victim, l,
                () -> Hostile.kiln("verify", "oci:" + l));
        if (c.id().equals("index-nested-1000-deep")) {
            org.junit.jupiter.api.Assertions.assertTrue(r.out().contains("warning:") && r.out().contains("nested"), r.out());
        }
        org.junit.jupiter.api.Assertions.assertFalse(r.out().chars().anyMatch(ch -> ch < 0x20 && ch != '\n' || ch == 0x7f),
                () -> "control characters in the report: " + r.out());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void inspect(JsonCase c) throws IOException {
        Path l = layout(c, tmp.resolve("l"));
        Hostile.attempt("json: inspect", c.id(), expect("inspect", c, mentions(c, l)), victim, l,
                () -> Hostile.kiln("inspect", "--platform", "linux/amd64", "oci:" + l + ":t"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void copy(JsonCase c) throws IOException {
        Path l = layout(c, tmp.resolve("l"));
        Path dest = tmp.resolve("dest");
        TestImages.twoPlatforms(dest, "old");
        Hostile.attempt("json: copy", c.id(), expect("copy", c, mentions(c, l)), victim, dest,
                () -> Hostile.kiln("copy", "oci:" + l + ":t", "oci:" + dest + ":new"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void buildFrom(JsonCase c) throws IOException {
        Path l = layout(c, tmp.resolve("l"));
        Path ctx = tmp.resolve("ctx");
        Files.createDirectories(ctx);
        Files.writeString(ctx.resolve("Dockerfile"), "FROM oci:" + l + ":t AS base\nFROM scratch\nCOPY --from=base / /\n");
        Path out = tmp.resolve("out");
        List<String> m = new ArrayList<>(List.of(mentions(c, l)));
        m.add("Dockerfile:");
        Hostile.attempt("json: build FROM", c.id(), new Expect(1, m), victim, out,
                () -> Hostile.kiln("build", ctx.toString(), "--platform", "linux/amd64", "-t", "x:1", "-o", "oci:" + out));
    }
}
