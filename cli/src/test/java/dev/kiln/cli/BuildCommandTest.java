package dev.kiln.cli;

import static dev.kiln.cli.KilnTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildCommandTest {
    @TempDir
    static Path shared;
    static Path layout;

    @TempDir
    Path tmp;

    @BeforeAll
    static void buildOnce() {
        layout = shared.resolve("example");
        buildExample(example(), layout);
    }

    // ---------------------------------------------------------------- build output

    @Test
    void buildsThePlatformsIntoOneTaggedIndex() throws IOException {
        JsonNode top = json(layout.resolve("index.json"));
        assertEquals(1, top.get("manifests").size());
        JsonNode d = top.get("manifests").get(0);
        assertEquals("application/vnd.oci.image.index.v1+json", d.get("mediaType").asText());
        assertEquals("1.0", d.at("/annotations/org.opencontainers.image.ref.name").asText());
        assertEquals(PLATFORMS, List.copyOf(platformManifests(layout).keySet()));
        for (JsonNode m : platformManifests(layout).values()) {
            assertEquals("application/vnd.oci.image.manifest.v1+json", m.get("mediaType").asText());
        }
        assertEquals("{\"imageLayoutVersion\":\"1.0.0\"}",
                Files.readString(layout.resolve("oci-layout")).trim().replace(" ", ""));
        kiln("verify", "--deep", "oci:" + layout).ok();
    }

    @Test
    void sameInputsGiveSameDigests() throws IOException {
        Path a = tmp.resolve("a/out");
        Path b = tmp.resolve("b/other");
        buildExample(example(), a);
        buildExample(example(), b);
        Path ctxCopy = tmp.resolve("elsewhere/ctx");
        copyTree(example(), ctxCopy);
        Path c = tmp.resolve("c");
        buildExample(ctxCopy, c);
        List<String> expected = allDigests(layout);
        assertEquals(1 + 3 * (1 + 1 + 4), expected.size(), "index + 3 x (manifest, config, 4 layers)");
        assertEquals(expected, allDigests(a));
        assertEquals(expected, allDigests(b));
        assertEquals(expected, allDigests(c), "a copy of the context in another folder must give the same digests");
        assertArrayEquals(Files.readAllBytes(layout.resolve("index.json")), Files.readAllBytes(c.resolve("index.json")));
    }

    @Test
    void configOfEveryPlatform() throws IOException {
        for (Map.Entry<String, JsonNode> e : platformManifests(layout).entrySet()) {
            String platform = e.getKey();
            JsonNode manifest = blobJson(layout, e.getValue().get("digest").asText());
            JsonNode cfg = blobJson(layout, manifest.at("/config/digest").asText());
            String[] p = platform.split("/");
            assertEquals(p[0], cfg.get("os").asText(), platform);
            assertEquals(p[1], cfg.get("architecture").asText(), platform);
            if (p.length > 2) {
                assertEquals(p[2], cfg.get("variant").asText(), platform);
            }
            assertEquals("1970-01-01T00:00:00Z", cfg.get("created").asText(), platform);
            JsonNode c = cfg.get("config");
            assertEquals(List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                    "APP_HOME=/srv/hello", "GREETING=hello from kiln"), strings(c.get("Env")),
                    platform + ": FROM scratch gets BuildKit's default PATH");
            assertEquals("/srv/hello", c.get("WorkingDir").asText());
            assertEquals("1000:1000", c.get("User").asText());
            assertEquals(List.of("/srv/hello/bin/hello"), strings(c.get("Entrypoint")));
            assertEquals(List.of("--greet", "world"), strings(c.get("Cmd")));
            assertEquals("hello", c.at("/Labels/org.opencontainers.image.title").asText());
            assertEquals("1.0", c.at("/Labels/org.opencontainers.image.version").asText());
            assertEquals(2, c.get("Labels").size());
            assertEquals(Set.of("8080/tcp", "9090/tcp"), fieldNames(c.get("ExposedPorts")));

            JsonNode history = cfg.get("history");
            int layers = manifest.get("layers").size();
            assertEquals(layers, cfg.at("/rootfs/diff_ids").size());
            int nonEmpty = 0;
            List<String> emptyOnes = new ArrayList<>();
            for (JsonNode h : history) {
                assertEquals("1970-01-01T00:00:00Z", h.get("created").asText());
                String by = h.get("created_by").asText();
                boolean empty = h.path("empty_layer").asBoolean(false);
                if (empty) {
                    emptyOnes.add(by.split(" ")[0]);
                } else {
                    nonEmpty++;
                }
                if (by.startsWith("COPY")) {
                    assertFalse(empty, by);
                }
            }
            assertEquals(layers, nonEmpty, "non-empty history entries == layers for " + platform);
            assertEquals(List.of("LABEL", "ENV", "USER", "EXPOSE", "ENTRYPOINT", "CMD"), emptyOnes);
        }
    }

    @Test
    void timestampChangesCreated() throws IOException {
        Path out = tmp.resolve("ts");
        buildExample(example(), out, "--timestamp", "1700000000");
        assertNotEquals(rootDigest(layout), rootDigest(out));
        for (JsonNode d : platformManifests(out).values()) {
            JsonNode cfg = blobJson(out, blobJson(out, d.get("digest").asText()).at("/config/digest").asText());
            assertEquals("2023-11-14T22:13:20Z", cfg.get("created").asText());
            for (JsonNode h : cfg.get("history")) {
                assertEquals("2023-11-14T22:13:20Z", h.get("created").asText());
            }
        }
        for (TarFile f : flatten(out, platformManifests(out).get("linux/amd64")).values()) {
            // file times are not in TarFile; the layer digests differing is enough (checked above)
            assertNotNull(f.name());
        }
    }

    @Test
    void perArchitectureFilesAndOwnership() throws IOException {
        for (Map.Entry<String, JsonNode> e : platformManifests(layout).entrySet()) {
            Map<String, TarFile> files = flatten(layout, e.getValue());
            TarFile hello = files.get("srv/hello/bin/hello");
            assertNotNull(hello, "srv/hello/bin/hello in " + e.getKey() + ": " + files.keySet());
            String text = new String(hello.content(), StandardCharsets.UTF_8);
            assertTrue(text.contains(expectedArchWord(e.getKey())), e.getKey() + " got: " + text);
            for (String other : PLATFORMS) {
                if (!other.equals(e.getKey()) && !expectedArchWord(e.getKey()).startsWith(expectedArchWord(other))) {
                    assertFalse(text.contains(expectedArchWord(other) + "\""), e.getKey() + " has " + other + "'s file");
                }
            }
            assertEquals(0755, hello.mode(), "mode of bin/hello");
            assertEquals(0, hello.uid());
            assertEquals(0, hello.gid());

            TarFile readme = files.get("usr/share/doc/hello/README.txt");
            assertNotNull(readme, "README.txt: " + files.keySet());
            assertEquals(1000, readme.uid());
            assertEquals(1000, readme.gid());
            assertArrayEquals(Files.readAllBytes(example().resolve("docs/README.txt")), readme.content());

            TarFile conf = files.get("srv/hello/hello.conf");
            assertNotNull(conf);
            assertEquals(0644, conf.mode());
            assertArrayEquals(Files.readAllBytes(example().resolve("app/hello.conf")), conf.content());
            assertEquals(0644, files.get("srv/hello/static/index.html").mode());
            // --chmod covers what is copied (static/ as buildah does), never the destination (WORKDIR) itself
            assertEquals(0755, files.get("srv/hello").mode(), "WORKDIR /srv/hello must stay traversable");
            assertEquals(0644, files.get("srv/hello/static").mode());

            for (String name : files.keySet()) {
                assertFalse(name.endsWith(".tmp"), ".dockerignore'd file in the image: " + name);
                assertFalse(name.endsWith("Dockerfile"), name);
            }
            assertFalse(files.containsKey("usr/share/doc/hello/notes.tmp"));
            assertFalse(files.containsKey("docs/notes.tmp"));
        }
    }

    // ---------------------------------------------------------------- errors

    @Test
    void runIsRefusedWithTheLineAndNoTraceAndNoOutput() throws IOException {
        Path ctx = tmp.resolve("ctx");
        Files.createDirectories(ctx);
        Files.writeString(ctx.resolve("a.txt"), "a\n");
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY a.txt /a.txt\n\nRUN echo hi\nCMD [\"x\"]\n");
        Path out = tmp.resolve("never");
        Run r = kiln("build", ctx.toString(), "-t", "x:1", "-o", "oci:" + out);
        assertEquals(1, r.code(), r.err());
        List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), "one line: " + r.err());
        assertTrue(lines.get(0).contains("Dockerfile:4"), r.err());
        assertNoStackTrace(r.err());
        assertFalse(Files.exists(out), "a failed build must not create the output layout: " + listTree(out));

        // an existing layout is left as it was
        Path existing = tmp.resolve("existing");
        copyTree(layout, existing);
        List<String> before = listTree(existing);
        byte[] index = Files.readAllBytes(existing.resolve("index.json"));
        Run again = kiln("build", ctx.toString(), "-t", "x:1", "-o", "oci:" + existing);
        assertEquals(1, again.code());
        assertArrayEquals(index, Files.readAllBytes(existing.resolve("index.json")));
        assertEquals(before, listTree(existing));
    }

    @Test
    void usageErrors() {
        Path ctx = example();
        String out = "oci:" + tmp.resolve("u");
        Run noOutput = kiln("build", ctx.toString(), "-t", "x:1");
        assertEquals(2, noOutput.code(), noOutput.err());
        assertTrue(noOutput.err().contains("--output") || noOutput.err().contains("-o"), noOutput.err());
        for (String bad : List.of("linux", "linux/", "/amd64", "a/b/c/d")) {
            Run r = kiln("build", ctx.toString(), "-t", "x:1", "-o", out, "--platform", bad);
            assertEquals(2, r.code(), "--platform " + bad + ": " + r.err());
            assertNoStackTrace(r.err());
        }
        for (String bad : List.of("yesterday", "-5", "1.5", "99999999999999")) {
            Run r = kiln("build", ctx.toString(), "-t", "x:1", "-o", out, "--timestamp", bad);
            assertEquals(2, r.code(), "--timestamp " + bad + ": " + r.err());
            assertTrue(r.err().contains("--timestamp"), r.err());
            assertNoStackTrace(r.err());
        }
        assertFalse(Files.exists(tmp.resolve("u")), "usage errors must not create the layout");
    }

    // ---------------------------------------------------------------- output kinds and formats

    @Test
    void archivesAreWritten() throws IOException {
        Path oci = tmp.resolve("image-oci.tar");
        Path docker = tmp.resolve("image-docker.tar");
        kiln("build", example().toString(), "--platform", PLATFORM_ARG, "-t", "example.com/hello:1.0",
                "-o", "oci-archive:" + oci).ok();
        kiln("build", example().toString(), "--platform", "linux/amd64", "-t", "example.com/hello:1.0",
                "-o", "docker-archive:" + docker).ok();
        Set<String> ociNames = tarNames(oci);
        assertTrue(ociNames.contains("index.json") && ociNames.contains("oci-layout"), ociNames.toString());
        assertTrue(ociNames.contains("blobs/sha256/" + rootDigest(layout).substring(7)), "same index as the layout");
        Set<String> dockerNames = tarNames(docker);
        assertTrue(dockerNames.contains("manifest.json"), dockerNames.toString());
        kiln("inspect", "oci-archive:" + oci).ok();
        Run i = kiln("inspect", "--json", "docker-archive:" + docker).ok();
        assertTrue(i.out().contains("linux/amd64"), i.out());
    }

    @Test
    void anArchiveBuiltDirectlyEqualsTheLayoutCopiedIntoOne() throws IOException {
        // the build writes archives from its own scratch layout, without copying or hashing blobs again
        Path lay = tmp.resolve("layout");
        String name = "example.com/hello:1.0";
        kiln("build", example().toString(), "--platform", PLATFORM_ARG, "-t", name, "-o", "oci:" + lay).ok();
        for (String kind : List.of("oci-archive", "docker-archive")) {
            Path built = tmp.resolve(kind + "-built.tar");
            Path copied = tmp.resolve(kind + "-copied.tar");
            kiln("build", example().toString(), "--platform", PLATFORM_ARG, "-t", name, "-o", kind + ":" + built).ok();
            kiln("copy", "oci:" + lay + ":" + name, kind + ":" + copied + ":" + name).ok();
            assertArrayEquals(Files.readAllBytes(copied), Files.readAllBytes(built), kind);
        }
        try (var left = Files.list(tmp)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().endsWith(".partial")));
        }
    }

    @Test
    void zstdCompression() throws IOException {
        Path out = tmp.resolve("zstd");
        buildExample(example(), out, "--compression", "zstd");
        for (JsonNode d : platformManifests(out).values()) {
            for (JsonNode l : blobJson(out, d.get("digest").asText()).get("layers")) {
                assertEquals("application/vnd.oci.image.layer.v1.tar+zstd", l.get("mediaType").asText());
                byte[] magic = Arrays4.head(blob(out, l.get("digest").asText()), 4);
                assertArrayEquals(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd}, magic, "zstd frame magic");
            }
        }
        kiln("verify", "--deep", "oci:" + out).ok();
    }

    @Test
    void dockerFormat() throws IOException {
        Path out = tmp.resolve("docker");
        buildExample(example(), out, "--format", "docker");
        JsonNode top = json(out.resolve("index.json")).get("manifests").get(0);
        assertEquals("application/vnd.docker.distribution.manifest.list.v2+json", top.get("mediaType").asText());
        assertEquals("application/vnd.docker.distribution.manifest.list.v2+json",
                blobJson(out, top.get("digest").asText()).get("mediaType").asText());
        for (JsonNode d : platformManifests(out).values()) {
            assertEquals("application/vnd.docker.distribution.manifest.v2+json", d.get("mediaType").asText());
            JsonNode m = blobJson(out, d.get("digest").asText());
            assertEquals("application/vnd.docker.distribution.manifest.v2+json", m.get("mediaType").asText());
            assertEquals("application/vnd.docker.container.image.v1+json", m.at("/config/mediaType").asText());
            for (JsonNode l : m.get("layers")) {
                assertEquals("application/vnd.docker.image.rootfs.diff.tar.gzip", l.get("mediaType").asText());
            }
        }
        kiln("verify", "--deep", "oci:" + out).ok();
    }

    // ---------------------------------------------------------------- other commands

    @Test
    void lsJson() throws IOException {
        Run r = kiln("ls", "--json", "oci:" + layout).ok();
        JsonNode a = MAPPER.readTree(r.out());
        assertEquals(1, a.size());
        assertEquals("example.com/hello:1.0", a.get(0).get("name").asText());
        assertEquals("1.0", a.get(0).get("tag").asText());
        assertEquals(rootDigest(layout), a.get(0).get("digest").asText());
        assertEquals(PLATFORMS, strings(a.get(0).get("platforms")));
    }

    @Test
    void tagAddAndDelete() throws IOException {
        Path l = tmp.resolve("tagged");
        copyTree(layout, l);
        kiln("tag", "oci:" + l + ":1.0", "latest").ok();
        JsonNode a = MAPPER.readTree(kiln("ls", "--json", "oci:" + l).ok().out());
        assertEquals(2, a.size(), a.toString());
        Set<String> tags = new TreeSet<>();
        for (JsonNode e : a) {
            tags.add(e.get("tag").asText());
            assertEquals(rootDigest(layout), e.get("digest").asText());
        }
        assertEquals(Set.of("1.0", "latest"), tags);
        kiln("tag", "--delete", "oci:" + l + ":latest").ok();
        a = MAPPER.readTree(kiln("ls", "--json", "oci:" + l).ok().out());
        assertEquals(1, a.size());
        assertEquals("1.0", a.get(0).get("tag").asText());
        Run gone = kiln("tag", "--delete", "oci:" + l + ":latest");
        assertEquals(1, gone.code(), gone.err());
        assertNoStackTrace(gone.err());
    }

    @Test
    void inspectRaw() throws IOException {
        Run r = kiln("inspect", "--raw", "oci:" + layout + ":1.0").ok();
        assertEquals(Files.readString(blob(layout, rootDigest(layout))).trim(), r.out().trim());
        Run arm = kiln("inspect", "--raw", "--platform", "linux/arm64", "oci:" + layout + ":1.0").ok();
        String armDigest = platformManifests(layout).get("linux/arm64").get("digest").asText();
        assertEquals(Files.readString(blob(layout, armDigest)).trim(), arm.out().trim());
    }

    @Test
    void verifyFailsOnACorruptedBlob() throws IOException {
        Path l = tmp.resolve("corrupt");
        copyTree(layout, l);
        String layer = blobJson(l, platformManifests(l).get("linux/arm64").get("digest").asText())
                .get("layers").get(1).get("digest").asText();
        Path b = blob(l, layer);
        byte[] bytes = Files.readAllBytes(b);
        bytes[bytes.length / 2] ^= 0x55;
        Files.write(b, bytes);
        Run r = kiln("verify", "oci:" + l);
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.out().contains(layer.substring(7, 19)) || r.out().contains(layer), r.out());
        assertNoStackTrace(r.err());
    }

    @Test
    void gcRemovesUnreferencedBlobs() throws Exception {
        Path l = tmp.resolve("gc");
        copyTree(layout, l);
        byte[] junk = "nobody points at me\n".getBytes(StandardCharsets.UTF_8);
        String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(junk));
        Path orphan = l.resolve("blobs/sha256/" + hex);
        Files.write(orphan, junk);
        List<String> reachable = allDigests(l);
        kiln("gc", "oci:" + l).ok();
        assertFalse(Files.exists(orphan), "gc should remove the unreferenced blob");
        for (String d : reachable) {
            assertTrue(Files.exists(blob(l, d)), "gc removed a reachable blob " + d);
        }
        kiln("verify", "--deep", "oci:" + l).ok();
    }

    @Test
    void copyKeepsTheDigestAndPlatformMakesANewIndex() throws IOException {
        Path dst = tmp.resolve("copy");
        kiln("copy", "oci:" + layout + ":1.0", "oci:" + dst + ":1.0").ok();
        assertEquals(rootDigest(layout), rootDigest(dst));
        assertEquals(allDigests(layout), allDigests(dst));
        kiln("verify", "--deep", "oci:" + dst).ok();

        Path arm = tmp.resolve("arm");
        Run r = kiln("copy", "--platform", "linux/arm64", "oci:" + layout + ":1.0", "oci:" + arm + ":1.0").ok();
        assertNotEquals(rootDigest(layout), rootDigest(arm), r.out());
        Map<String, JsonNode> pm = platformManifests(arm);
        assertEquals(List.of("linux/arm64"), List.copyOf(pm.keySet()));
        assertEquals(platformManifests(layout).get("linux/arm64").get("digest").asText(),
                pm.get("linux/arm64").get("digest").asText(), "the platform manifest itself is unchanged");
        kiln("verify", "--deep", "oci:" + arm).ok();
    }

    // ---------------------------------------------------------------- helpers

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    static Set<String> fieldNames(JsonNode o) {
        Set<String> out = new TreeSet<>();
        o.fieldNames().forEachRemaining(out::add);
        return out;
    }

    static Set<String> tarNames(Path tar) throws IOException {
        Set<String> out = new TreeSet<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(tar))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                out.add(e.getName().replaceFirst("^\\./", "").replaceFirst("/$", ""));
            }
        }
        return out;
    }

    static final class Arrays4 {
        static byte[] head(Path p, int n) throws IOException {
            try (var in = Files.newInputStream(p)) {
                return in.readNBytes(n);
            }
        }
    }
}
