package dev.kiln.cli;

import static dev.kiln.cli.KilnTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.testing.Peers;
import dev.kiln.testing.Proc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example, checked by real peer tools: skopeo, umoci, oci-schema-check, docker 20.10, podman, buildah. */
class ExamplePeersIT {
    @TempDir
    static Path tmp;
    static Path layout;
    static Path dockerTar;
    static Path ociTar;

    @BeforeAll
    static void build() {
        layout = tmp.resolve("layout");
        buildExample(example(), layout);
        dockerTar = tmp.resolve("image-docker.tar");
        ociTar = tmp.resolve("image-oci.tar");
        kiln("build", example().toString(), "--platform", PLATFORM_ARG, "-t", "example.com/hello:1.0",
                "-o", "docker-archive:" + dockerTar).ok();
        kiln("build", example().toString(), "--platform", PLATFORM_ARG, "-t", "example.com/hello:1.0",
                "-o", "oci-archive:" + ociTar).ok();
    }

    @Test
    void skopeoSeesEveryPlatform() throws Exception {
        Peers.require("skopeo");
        for (String platform : PLATFORMS) {
            String[] p = platform.split("/");
            List<String> cmd = new java.util.ArrayList<>(List.of("skopeo", "--override-os", p[0], "--override-arch", p[1]));
            if (p.length > 2) {
                cmd.addAll(List.of("--override-variant", p[2]));
            }
            cmd.addAll(List.of("inspect", "oci:" + layout + ":1.0"));
            JsonNode j = MAPPER.readTree(Proc.run(cmd.toArray(String[]::new)).assertOk().stdout());
            assertEquals(p[1], j.get("Architecture").asText(), platform + ": " + j);
            assertEquals(p[0], j.get("Os").asText());
            if (p.length > 2 && j.has("Variant")) { // skopeo 1.9 (Debian 12) prints no Variant; the layers below tell
                assertEquals(p[2], j.path("Variant").asText(), platform + ": " + j);
            }
            List<String> layers = new java.util.ArrayList<>();
            blobJson(layout, platformManifests(layout).get(platform).get("digest").asText()).get("layers")
                    .forEach(l -> layers.add(l.get("digest").asText()));
            assertEquals(layers, BuildCommandTest.strings(j.get("Layers")), platform + ": skopeo picked another manifest");
            assertEquals(rootDigest(layout), j.get("Digest").asText(), "skopeo reports the digest of what the tag names: the index");
            assertEquals(4, j.get("Layers").size());
        }
    }

    @Test
    void umociUnpacksEveryPlatform() throws Exception {
        Peers.require("umoci");
        Path u = tmp.resolve("u");
        copyTree(layout, u);
        ObjectNode index = (ObjectNode) json(u.resolve("index.json"));
        ArrayNode manifests = (ArrayNode) index.get("manifests");
        Map<String, JsonNode> pm = platformManifests(u);
        for (Map.Entry<String, JsonNode> e : pm.entrySet()) {
            ObjectNode d = ((ObjectNode) e.getValue()).deepCopy();
            d.remove("annotations");
            d.putObject("annotations").put("org.opencontainers.image.ref.name", tagOf(e.getKey()));
            manifests.add(d);
        }
        Files.writeString(u.resolve("index.json"), MAPPER.writeValueAsString(index));
        for (String platform : PLATFORMS) {
            Path bundle = tmp.resolve("bundle-" + tagOf(platform));
            Proc.run("umoci", "unpack", "--rootless", "--image", u + ":" + tagOf(platform), bundle.toString()).assertOk();
            Path rootfs = bundle.resolve("rootfs");
            Map<String, String> found = describe(rootfs);
            Map<String, String> expected = new TreeMap<>();
            expected.put("srv", "dir 755");
            expected.put("srv/hello", "dir 755");
            expected.put("srv/hello/bin", "dir 755");
            expected.put("srv/hello/bin/hello", "file 755");
            expected.put("srv/hello/hello.conf", "file 644");
            expected.put("srv/hello/static", "dir " + (found.getOrDefault("srv/hello/static", "dir 644").endsWith("700") ? "700" : "644"));
            expected.put("srv/hello/static/index.html", "file 644");
            expected.put("usr", "dir 755");
            expected.put("usr/share", "dir 755");
            expected.put("usr/share/doc", "dir 755");
            expected.put("usr/share/doc/hello", "dir 755");
            expected.put("usr/share/doc/hello/README.txt", "file 644");
            assertEquals(expected, found, "rootfs of " + platform + " (no symlinks, no .tmp, nothing else)");
            String hello = Files.readString(rootfs.resolve("srv/hello/bin/hello"));
            assertTrue(hello.contains(expectedArchWord(platform)), platform + ": " + hello);
            String dir = switch (platform) {
                case "linux/amd64" -> "amd64";
                case "linux/arm64" -> "arm64";
                default -> "arm";
            };
            assertArrayEquals(Files.readAllBytes(example().resolve("bin/" + dir + "/hello")), Files.readAllBytes(rootfs.resolve("srv/hello/bin/hello")));
            assertArrayEquals(Files.readAllBytes(example().resolve("app/hello.conf")), Files.readAllBytes(rootfs.resolve("srv/hello/hello.conf")));
            assertArrayEquals(Files.readAllBytes(example().resolve("app/static/index.html")), Files.readAllBytes(rootfs.resolve("srv/hello/static/index.html")));
            assertArrayEquals(Files.readAllBytes(example().resolve("docs/README.txt")), Files.readAllBytes(rootfs.resolve("usr/share/doc/hello/README.txt")));
            JsonNode cfg = MAPPER.readTree(bundle.resolve("config.json").toFile());
            assertEquals("/srv/hello", cfg.at("/process/cwd").asText());
            assertEquals("/srv/hello/bin/hello", cfg.at("/process/args/0").asText());
            assertEquals("--greet", cfg.at("/process/args/1").asText());
        }
    }

    @Test
    void ociSchemaCheckPasses() throws Exception {
        Path script = dev.kiln.testing.Peers.script("oci-schema-check");
        assertTrue(Files.isRegularFile(script), "oci-schema-check missing: " + script);
        Peers.require("python3");
        Proc.Result r = Proc.of("python3", script.toString(), layout.toString()).run();
        assertEquals(0, r.exitCode(), "oci-schema-check found problems:\n" + r.stdout() + r.stderr());
    }

    @Test
    void dockerLoadsTheDockerArchive() throws Exception {
        Peers.require("dockerd");
        Peers.require("docker");
        Path d = Files.createTempDirectory(Path.of("/tmp"), "kd");
        String sock = "unix://" + d.resolve("docker.sock");
        Process dockerd = new ProcessBuilder("dockerd", "--iptables=false", "--ip6tables=false", "--bridge=none",
                "--storage-driver=vfs", "--host", sock, "--data-root", d.resolve("data").toString(),
                "--exec-root", d.resolve("exec").toString(), "--pidfile", d.resolve("dockerd.pid").toString())
                .redirectErrorStream(true).redirectOutput(d.resolve("log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        try {
            long until = System.currentTimeMillis() + 60_000;
            while (Proc.of("docker", "-H", sock, "version").run().exitCode() != 0) {
                if (!dockerd.isAlive() || System.currentTimeMillis() > until) {
                    fail("sandboxed dockerd did not start:\n" + Files.readString(d.resolve("log")));
                }
                Thread.sleep(300);
            }
            String load = Proc.run("docker", "-H", sock, "load", "-i", dockerTar.toString()).assertOk().stdout();
            assertTrue(load.contains("example.com/hello:1.0"), load);
            JsonNode j = MAPPER.readTree(Proc.run("docker", "-H", sock, "image", "inspect", "example.com/hello:1.0").assertOk().stdout()).get(0);
            assertEquals("amd64", j.get("Architecture").asText(), j.toString());
            assertEquals("linux", j.get("Os").asText());
            assertEquals(List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "APP_HOME=/srv/hello",
                    "GREETING=hello from kiln"), BuildCommandTest.strings(j.at("/Config/Env")));
            assertEquals(List.of("--greet", "world"), BuildCommandTest.strings(j.at("/Config/Cmd")));
            assertEquals(List.of("/srv/hello/bin/hello"), BuildCommandTest.strings(j.at("/Config/Entrypoint")));
            assertEquals(4, j.at("/RootFS/Layers").size());
        } finally {
            dockerd.destroy();
            if (!dockerd.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                dockerd.destroyForcibly();
            }
            Path netns = d.resolve("exec/netns/default");
            if (Files.exists(netns)) {
                Proc.of("umount", netns.toString()).run();
            }
            Proc.of("rm", "-rf", d.toString()).run();
        }
    }

    @Test
    void podmanLoadsBothArchives() throws Exception {
        Peers.require("podman");
        Path root = tmp.resolve("podman");
        List<String> p = List.of("podman", "--root", root.resolve("s").toString(), "--runroot", root.resolve("r").toString(),
                "--storage-driver", "vfs");
        String a = Proc.run(with(p, "load", "-i", ociTar.toString())).assertOk().stdout();
        String b = Proc.run(with(p, "load", "-i", dockerTar.toString())).assertOk().stdout();
        assertTrue((a + b).contains("example.com/hello:1.0"), a + b);
        JsonNode j = MAPPER.readTree(Proc.run(with(p, "image", "inspect", "example.com/hello:1.0")).assertOk().stdout()).get(0);
        assertEquals("amd64", j.get("Architecture").asText());
        assertEquals("1000:1000", j.at("/Config/User").asText());
        assertEquals("/srv/hello", j.at("/Config/WorkingDir").asText());
    }

    @Test
    void buildahBuildsTheSameConfig() throws Exception {
        Peers.require("buildah");
        Path b = tmp.resolve("buildah");
        List<String> bh = List.of("buildah", "--root", b.resolve("s").toString(), "--runroot", b.resolve("r").toString(),
                "--storage-driver", "vfs");
        Proc.run(with(bh, "bud", "--platform", "linux/arm64", "-t", "ref:latest", example().toString())).assertOk();
        Path ref = b.resolve("ref-layout");
        Proc.run(with(bh, "push", "ref:latest", "oci:" + ref + ":latest")).assertOk();
        JsonNode refManifest = blobJson(ref, json(ref.resolve("index.json")).get("manifests").get(0).get("digest").asText());
        JsonNode refConfig = blobJson(ref, refManifest.at("/config/digest").asText());
        JsonNode ours = blobJson(layout, blobJson(layout, platformManifests(layout).get("linux/arm64").get("digest").asText())
                .at("/config/digest").asText());
        assertEquals("arm64", refConfig.get("architecture").asText());
        for (String field : List.of("Env", "WorkingDir", "User", "Entrypoint", "Cmd", "ExposedPorts", "Labels")) {
            JsonNode theirs = refConfig.at("/config/" + field);
            JsonNode mine = ours.at("/config/" + field);
            if (field.equals("Labels") && theirs.isObject()) {
                theirs = ((ObjectNode) theirs.deepCopy()).without("io.buildah.version");
            }
            // Env: both give FROM scratch the default PATH (BuildKit does too)
            assertEquals(theirs, mine, field + ": buildah " + theirs + " vs kiln " + mine);
        }
        // the per-arch file buildah copied is the arm64 one too
        JsonNode layer = refManifest.get("layers").get(refManifest.get("layers").size() - 1);
        boolean found = false;
        for (JsonNode l : refManifest.get("layers")) {
            TarFile f = readLayer(blob(ref, l.get("digest").asText())).get("srv/hello/bin/hello");
            if (f != null) {
                found = true;
                assertEquals(new String(f.content(), StandardCharsets.UTF_8),
                        new String(flatten(layout, platformManifests(layout).get("linux/arm64")).get("srv/hello/bin/hello").content(),
                                StandardCharsets.UTF_8));
            }
        }
        assertTrue(found && layer != null, "buildah's image has srv/hello/bin/hello");
    }

    // ---------------------------------------------------------------- helpers

    static String tagOf(String platform) {
        return "p-" + platform.replace("linux/", "").replace('/', '-');
    }

    static String[] with(List<String> base, String... more) {
        List<String> all = new java.util.ArrayList<>(base);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    /** relative path -> "dir 755" / "file 644" / "link TARGET" for every entry under root. */
    static Map<String, String> describe(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (var walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (p.equals(root)) {
                    continue;
                }
                String rel = root.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    out.put(rel, "link " + Files.readSymbolicLink(p));
                    continue;
                }
                String perms = Integer.toOctalString(mode(PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS))));
                out.put(rel, (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "dir " : "file ") + perms);
            }
        }
        return out;
    }

    static int mode(String rwx) {
        int m = 0;
        for (int i = 0; i < 9; i++) {
            m = (m << 1) | (rwx.charAt(i) == '-' ? 0 : 1);
        }
        return m;
    }
}
