package dev.kiln.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Proves the test infrastructure works on this machine: scripts, registry, dockerd, podman. */
class PeersIT {

    @Test
    void findsTheRepoScriptsAndFailsOnAMissingTool() {
        assertTrue(Files.isExecutable(Peers.script("start-registry")));
        assertTrue(Peers.require("skopeo").isAbsolute());
        assertTrue(Peers.require("dockerd").isAbsolute(), "sbin folders are searched too");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Peers.require("no-such-tool-kiln"));
        assertEquals("peer tool no-such-tool-kiln not found: run scripts/install-test-tools", e.getMessage());
    }

    @Test
    void procCapturesExitCodeOutputAndRedactsSecrets() {
        Proc.Result r = Proc.of("sh", "-c", "printf out; echo \"err $SECRET\" >&2; exit 3")
                .env("SECRET", "hunter2").redact("hunter2").run();
        assertEquals(3, r.exitCode());
        assertEquals("out", r.stdout());
        assertEquals("err hunter2\n", r.stderr());
        AssertionError e = assertThrows(AssertionError.class, r::assertOk);
        assertTrue(e.getMessage().contains("`sh -c 'printf out;") && e.getMessage().contains("exited 3"), e.getMessage());
        assertTrue(e.getMessage().contains("err ***"), e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        r.assertFails().assertExit(3);
    }

    @Test
    void procTimesOutWithAClearMessage() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> Proc.of("sleep", "30").timeout(Duration.ofMillis(500)).run());
        assertTrue(e.getMessage().startsWith("timed out after 0 s: `sleep 30`"), e.getMessage());
        IllegalStateException m = assertThrows(IllegalStateException.class, () -> Proc.run("/no/such/binary"));
        assertTrue(m.getMessage().contains("/no/such/binary"), m.getMessage());
    }

    @Test
    void plainRegistryAnswersOnLoopback() {
        try (Registry reg = Registry.start()) {
            assertTrue(reg.hostPort().startsWith("127.0.0.1:"), reg.hostPort());
            assertEquals("200", curl("-w", "%{http_code}", reg.url() + "/v2/"));
        }
    }

    @Test
    void authTlsRegistryWantsCredentials() {
        try (Registry reg = Registry.builder().htpasswd("alice", "s3cret-pw").tls().start()) {
            assertEquals("https", reg.scheme());
            assertTrue(Files.isRegularFile(reg.certDir().resolve("ca.crt")));
            String cacert = reg.caCert().toString();
            assertEquals("401", curl("-w", "%{http_code}", "--cacert", cacert, reg.url() + "/v2/"));
            assertEquals("200", curl("-w", "%{http_code}", "--cacert", cacert, "-u", reg.credentials(), reg.url() + "/v2/"));
            Proc.Result r = Proc.run("sh", "-c", "echo s3cret-pw >&2; false");
            assertFalse(r.describe().contains("s3cret-pw"), "registry passwords are redacted everywhere");
        }
    }

    /**
     * Distribution refuses layer urls unless REGISTRY_VALIDATION_MANIFESTS_URLS_ALLOW says so.
     * Debian's 2.8.2 answers such a refusal with 500 and code UNKNOWN (not MANIFEST_INVALID),
     * plus MANIFEST_BLOB_UNKNOWN for the foreign layer.
     */
    @Test
    void registryEnvironmentReachesTheRegistry() throws Exception {
        try (Registry strict = Registry.start(); Registry lax = Registry.builder().allowForeignUrls().start()) {
            HttpResponse<String> refused = putForeignLayerManifest(strict);
            assertEquals(500, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("\"UNKNOWN\""), refused.body());
            HttpResponse<String> accepted = putForeignLayerManifest(lax);
            assertEquals(201, accepted.statusCode(), accepted.body());
        }
    }

    @Test
    void dockerEngineAnswersAndRunsAContainer() throws IOException {
        DockerEngine docker = DockerEngine.shared();
        assertSame(docker, DockerEngine.shared());
        String version = docker.docker("version", "--format", "{{.Server.Version}}").assertOk().stdout().strip();
        assertTrue(version.startsWith("20.10."), "dockerd version " + version);
        docker.docker("import", busyboxRootfsTar().toString(), "kiln-test/busybox:1").assertOk();
        String out = docker.docker("run", "--rm", "--network", "none", "kiln-test/busybox:1",
                "/bin/sh", "-c", "echo hello from docker").assertOk().stdout();
        assertEquals("hello from docker\n", out);
    }

    @Test
    void podmanWithItsOwnStorageRunsAContainer() throws IOException {
        Podman podman = Podman.fresh();
        podman.podman("import", busyboxRootfsTar().toString(), "localhost/kiln-test/busybox:1").assertOk();
        assertEquals("hello from podman\n", podman.run("localhost/kiln-test/busybox:1",
                "/bin/sh", "-c", "echo hello from podman").assertOk().stdout());
        assertTrue(Files.isDirectory(podman.root().resolve("vfs")), "vfs storage under " + podman.root());
    }

    @Test
    void peerToolsAnswer() {
        Tools.skopeo("--version").assertOk();
        Tools.umoci("--version").assertOk();
        Path empty = Peers.tempDir("empty-layout");
        assertTrue(Tools.schemaCheck(empty).assertFails().stdout().contains("oci-layout"));
    }

    // --- helpers ---

    private static String curl(String... args) {
        Peers.require("curl");
        String[] cmd = new String[args.length + 4];
        cmd[0] = "curl";
        cmd[1] = "-sS";
        cmd[2] = "-o";
        cmd[3] = "/dev/null";
        System.arraycopy(args, 0, cmd, 4, args.length);
        return Proc.run(cmd).assertOk().stdout();
    }

    /** A tar of a tiny rootfs: the static busybox as /bin/busybox and /bin/sh. */
    private static Path busyboxRootfsTar() throws IOException {
        Path dir = Peers.tempDir("rootfs");
        Path bin = Files.createDirectories(dir.resolve("rootfs/bin"));
        Files.copy(Peers.require("busybox"), bin.resolve("busybox"));
        Files.createSymbolicLink(bin.resolve("sh"), Path.of("busybox"));
        Path tar = dir.resolve("rootfs.tar");
        Proc.run("tar", "-C", dir.resolve("rootfs").toString(), "-cf", tar.toString(), ".").assertOk();
        return tar;
    }

    private static HttpResponse<String> putForeignLayerManifest(Registry reg) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String base = reg.url() + "/v2/kiln/foreign";
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
                .getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> start = http.send(HttpRequest.newBuilder(URI.create(base + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, start.statusCode(), start.body());
        URI upload = URI.create(reg.url()).resolve(start.headers().firstValue("Location").orElseThrow());
        String sep = upload.getQuery() == null ? "?" : "&";
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(upload + sep + "digest=" + sha256(config)))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(config)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, put.statusCode(), put.body());
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
                + sha256(config) + "\",\"size\":" + config.length + "},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip\","
                + "\"digest\":\"sha256:" + "ab".repeat(32) + "\",\"size\":1234,"
                + "\"urls\":[\"https://example.invalid/layer.tar.gz\"]}]}";
        return http.send(HttpRequest.newBuilder(URI.create(base + "/manifests/v1"))
                .header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                .PUT(HttpRequest.BodyPublishers.ofString(manifest)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String sha256(byte[] data) throws NoSuchAlgorithmException {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
