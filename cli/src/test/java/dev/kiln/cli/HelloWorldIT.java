package dev.kiln.cli;

import static dev.kiln.cli.HelloWorldTest.CONTEXT;
import static dev.kiln.cli.HelloWorldTest.buildBoth;
import static dev.kiln.cli.HelloWorldTest.kiln;
import static dev.kiln.cli.HelloWorldTest.recipe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.oci.LayoutTag;
import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageConfig;
import dev.kiln.layout.spec.ImageManifest;
import dev.kiln.testing.DockerEngine;
import dev.kiln.testing.Peers;
import dev.kiln.testing.Podman;
import dev.kiln.testing.Proc;
import dev.kiln.testing.Registry;
import dev.kiln.testing.TestHost;
import dev.kiln.testing.Tools;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code docker manifest} "Hello World" end to end with the real peers: the Linux half runs
 * (chroot into umoci's unpacked rootfs, docker load + run, podman load + run), the two-platform tag
 * goes to a Distribution registry that allows foreign URLs, where skopeo and the docker CLI read it
 * and docker pulls the Linux image; kiln's index equals the one {@code docker manifest create/push}
 * makes from the same images. The bases use Debian's static busybox, so the Linux image really runs.
 */
class HelloWorldIT {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final String HELLO_LINUX = "Hello World from Linux";

    @TempDir
    static Path work;
    static HelloWorldBases.Bases bases;
    static Path out;

    @BeforeAll
    static void buildOnce() throws IOException {
        bases = HelloWorldBases.write(work.resolve("bases"));
        out = work.resolve("out");
        buildBoth(bases.dir(), out).ok();
        kiln("verify", "--deep", "oci:" + out).ok();
    }

    @Test
    void peersAcceptTheLayoutAndSeeBothPlatforms() throws IOException {
        Tools.assertSchemaValid(out);
        JsonNode index = MAPPER.readTree(Tools.skopeo("inspect", "--raw", "oci:" + out + ":latest").assertOk().stdout());
        assertEquals(2, index.get("manifests").size(), index.toString());
        assertEquals("10.0.17763.5576", index.get("manifests").get(1).get("platform").get("os.version").asText());
        JsonNode windows = MAPPER.readTree(Tools.skopeo("--override-os", "windows", "inspect", "--config",
                "oci:" + out + ":latest").assertOk().stdout());
        assertEquals("windows", windows.get("os").asText());
        assertEquals("10.0.17763.5576", windows.get("os.version").asText());
        assertEquals("[\"cmd\",\"/S\",\"/C\",\"echo \\\"Hello World from Windows\\\"\"]", windows.get("config").get("Cmd").toString());
        JsonNode linux = MAPPER.readTree(Tools.skopeo("inspect", "--config", "oci:" + out + ":latest").assertOk().stdout());
        assertEquals("linux", linux.get("os").asText(), "skopeo picks the host's platform from the index");
    }

    @Test
    void linuxImageRunsInAChrootOfItsUnpackedRootfs() throws IOException {
        // umoci unpacks a tag that names ONE manifest: give the Linux manifest a tag of its own in a copy
        Path u = work.resolve("umoci");
        kiln("copy", "oci:" + out + ":latest", "oci:" + u + ":latest").ok();
        OciLayout layout = OciLayout.open(u);
        Descriptor linux = HelloWorldTest.index(layout, layout.resolve("latest")).manifests().get(0);
        layout.tag(LayoutTag.parse("latest-linux-amd64"), linux.withPlatform(null));
        Path bundle = work.resolve("bundle");
        Tools.umoci("unpack", "--rootless", "--image", u + ":latest-linux-amd64", bundle.toString()).assertOk();

        ImageManifest manifest = ImageManifest.parse(layout.blobs().readSmall(linux), "linux manifest");
        ImageConfig config = ImageConfig.parse(layout.blobs().readSmall(manifest.config()), "linux config");
        List<String> command = new ArrayList<>(List.of(Peers.require("chroot").toString(), bundle.resolve("rootfs").toString()));
        command.addAll(config.config().cmd()); // /bin/sh -c 'echo "Hello World from Linux"'
        Proc.Result r = Proc.of(command).run().assertOk();
        assertEquals(HELLO_LINUX + "\n", r.stdout());
    }

    @Test
    void dockerAndPodmanLoadAndRunTheLinuxPlatform() {
        Path tar = work.resolve("hello-world-linux.tar");
        kiln("copy", "--platform", "linux/amd64", "oci:" + out + ":latest", "docker-archive:" + tar + ":hello-world:latest").ok();
        DockerEngine docker = DockerEngine.shared();
        docker.docker("load", "-i", tar.toString()).assertOk();
        assertEquals(HELLO_LINUX + "\n", docker.docker("run", "--rm", "--network", "none", "hello-world:latest").assertOk().stdout());

        Podman podman = Podman.fresh();
        podman.podman("load", "-i", tar.toString()).assertOk();
        assertEquals(HELLO_LINUX + "\n", podman.run("docker.io/library/hello-world:latest").assertOk().stdout());
    }

    @Test
    void pushTheTwoPlatformTagThenSkopeoReadsItAndDockerPullsLinux() throws IOException {
        try (Registry registry = Registry.builder().allowForeignUrls().start()) {
            String name = registry.hostPort() + "/hello-world:latest";
            HelloWorldTest.Run push = kiln("push", "oci:" + out + ":latest", "docker://" + name).ok();
            assertTrue(push.out().contains("1 foreign layer referenced by url, not copied"), push.out());

            String raw = Tools.skopeo("inspect", "--raw", "--tls-verify=false", "docker://" + name).assertOk().stdout();
            assertEquals(OciLayout.open(out).resolve("latest").digest(), Digest.sha256(raw.getBytes(StandardCharsets.UTF_8)),
                    "the registry holds kiln's index byte for byte");
            JsonNode index = MAPPER.readTree(raw);
            assertEquals("application/vnd.oci.image.index.v1+json", index.get("mediaType").asText());
            assertEquals(2, index.get("manifests").size());
            assertEquals("linux", index.get("manifests").get(0).get("platform").get("os").asText());
            JsonNode windows = index.get("manifests").get(1);
            assertEquals("windows", windows.get("platform").get("os").asText());
            assertEquals("10.0.17763.5576", windows.get("platform").get("os.version").asText());

            // the Windows manifest in the registry still points at MCR for its base layer
            JsonNode manifest = MAPPER.readTree(Tools.skopeo("inspect", "--raw", "--tls-verify=false",
                    "docker://" + registry.hostPort() + "/hello-world@" + windows.get("digest").asText()).assertOk().stdout());
            assertEquals(bases.foreignLayer().urls().get(0), manifest.get("layers").get(0).get("urls").get(0).asText());

            // the docker CLI reads it like any manifest list, and the engine pulls and runs its platform
            DockerEngine docker = DockerEngine.shared();
            JsonNode seen = MAPPER.readTree(docker.docker("manifest", "inspect", "--insecure", name).assertOk().stdout());
            assertEquals("10.0.17763.5576", seen.get("manifests").get(1).get("platform").get("os.version").asText());
            docker.docker("pull", "--platform", "linux/amd64", name).assertOk();
            assertEquals(HELLO_LINUX + "\n", docker.docker("run", "--rm", "--network", "none", name).assertOk().stdout());

            // build and push in one command: the same index
            kiln("build", CONTEXT.toString(), "--base-layout", bases.dir().toString(), "--timestamp", "0",
                    "--file-for", "linux/amd64=" + recipe("linux"), "--file-for", "windows/amd64=" + recipe("windows"),
                    "-o", "docker://" + registry.hostPort() + "/hello-world:direct").ok();
            String direct = Tools.skopeo("inspect", "--raw", "--tls-verify=false",
                    "docker://" + registry.hostPort() + "/hello-world:direct").assertOk().stdout();
            assertEquals(raw, direct);
        }
    }

    /**
     * The classic workflow with the real docker CLI next to kiln's: the same two images pushed as
     * {@code :linux} and {@code :windows}; {@code docker manifest create/annotate/push} on one side,
     * {@code kiln index create} + {@code kiln push} on the other. Same entries, same platforms.
     */
    @Test
    void kilnIndexCreateMatchesDockerManifestCreate() throws IOException {
        Path two = work.resolve("docker-format");
        kiln("build", CONTEXT.toString(), "--base-layout", bases.dir().toString(), "--format", "docker",
                "-f", recipe("linux"), "-t", "linux", "-o", "oci:" + two).ok();
        kiln("build", CONTEXT.toString(), "--base-layout", bases.dir().toString(), "--format", "docker",
                "-f", recipe("windows"), "--platform", "windows/amd64", "-t", "windows", "-o", "oci:" + two).ok();
        kiln("index", "create", "oci:" + two + ":latest", "oci:" + two + ":linux", "oci:" + two + ":windows").ok();
        try (Registry registry = Registry.builder().allowForeignUrls().start()) {
            String repo = registry.hostPort() + "/hello-world";
            kiln("push", "oci:" + two + ":linux", "docker://" + repo + ":linux").ok();
            kiln("push", "oci:" + two + ":windows", "docker://" + repo + ":windows").ok();
            DockerEngine docker = DockerEngine.shared();
            docker.docker("manifest", "create", "--insecure", repo + ":by-docker", repo + ":linux", repo + ":windows").assertOk();
            docker.docker("manifest", "annotate", repo + ":by-docker", repo + ":windows", "--os-version", "10.0.17763.5576").assertOk();
            docker.docker("manifest", "push", "--insecure", repo + ":by-docker").assertOk();
            kiln("push", "oci:" + two + ":latest", "docker://" + repo + ":by-kiln").ok();

            JsonNode byDocker = MAPPER.readTree(Tools.skopeo("inspect", "--raw", "--tls-verify=false",
                    "docker://" + repo + ":by-docker").assertOk().stdout());
            JsonNode byKiln = MAPPER.readTree(Tools.skopeo("inspect", "--raw", "--tls-verify=false",
                    "docker://" + repo + ":by-kiln").assertOk().stdout());
            assertEquals(byDocker.get("mediaType"), byKiln.get("mediaType"));
            assertEquals("application/vnd.docker.distribution.manifest.list.v2+json", byKiln.get("mediaType").asText());
            assertEquals(byDocker.get("manifests"), byKiln.get("manifests"), "same entries: digests, sizes, platforms");

            // docker manifest create + push in one step, straight on the registry: the same index as the local one
            kiln("index", "create", "docker://" + repo + ":remote", "docker://" + repo + ":linux", "docker://" + repo + ":windows").ok();
            String remote = Tools.skopeo("inspect", "--raw", "--tls-verify=false", "docker://" + repo + ":remote").assertOk().stdout();
            assertEquals(OciLayout.open(two).resolve("latest").digest(), Digest.sha256(remote.getBytes(StandardCharsets.UTF_8)));
            kiln("index", "create", "docker://" + repo + ":x", "docker://" + repo + ":linux", "docker://" + repo + ":windws")
                    .failsWith(1, "getting manifest windws failed: HTTP 404 MANIFEST_UNKNOWN");
            kiln("index", "create", "docker://" + repo + ":x", "docker://" + repo + ":linux", "docker://" + repo + ":linux")
                    .failsWith(1, "two images for platform linux/amd64");
            kiln("index", "create", "docker://" + repo + ":x", "docker://" + repo + ":remote")
                    .failsWith(1, "docker://" + repo + ":remote names an image index (2 platforms), not a single image");
            Tools.skopeo("inspect", "--raw", "--tls-verify=false", "docker://" + repo + ":x").assertFails();
        }
    }

    @Test
    void aRegistryThatRefusesForeignUrlsGetsAClearMessage() throws IOException {
        // a build whose base layout holds the foreign blob, so --include-nondistributable can upload it
        Path mirror = work.resolve("mirror");
        HelloWorldBases.Bases full = HelloWorldBases.write(mirror);
        OciLayout.open(mirror).blobs().put(full.foreignLayer(), new ByteArrayInputStream(full.foreignBlob()));
        Path withBlob = work.resolve("with-blob");
        buildBoth(mirror, withBlob).ok();
        try (Registry strict = Registry.start()) {
            HelloWorldTest.Run r = kiln("push", "oci:" + out + ":latest", "docker://" + strict.hostPort() + "/hello-world:latest");
            r.failsWith(1, "the registry refuses layers with foreign URLs");
            assertTrue(r.err().contains("REGISTRY_VALIDATION_MANIFESTS_URLS_ALLOW"), r.err());
            // uploading the blob does not help: the manifest still carries the urls
            kiln("push", "--include-nondistributable", "oci:" + withBlob + ":latest",
                    "docker://" + strict.hostPort() + "/hello-world:with-blob")
                    .failsWith(1, "the registry refuses layers with foreign URLs");
            Tools.tool("curl", "-sf", "-I", strict.url() + "/v2/hello-world/blobs/" + full.foreignLayer().digest())
                    .run().assertOk();
        }
    }

    /**
     * Plain HTTP to a registry that is not on loopback: refused without --insecure, with a message that
     * says why; with --insecure kiln talks to it. The "registry" is a plain HTTP server (python's
     * http.server answering 200 to {@code GET /v2/} and 400 to a TLS hello) on a test host of our own:
     * a network namespace joined by veth, so the address is not loopback and no traffic leaves the machine.
     */
    @Test
    void plainHttpToANonLoopbackRegistryNeedsInsecure() throws Exception {
        Path root = work.resolve("plain-http-root");
        Files.createDirectories(root.resolve("v2"));
        Files.writeString(root.resolve("v2/index.html"), "{}");
        Path log = work.resolve("plain-http.log");
        int port = 18000 + (int) (ProcessHandle.current().pid() % 1000);
        try (TestHost host = TestHost.create()) {
            host.start(log, "python3", "-u", "-m", "http.server", String.valueOf(port), "--bind", host.address(),
                    "--directory", root.toString());
            String url = "http://" + host.address() + ":" + port + "/v2/";
            for (int i = 0; i < 50 && !Tools.tool("curl", "-sf", "-m", "1", url).run().ok(); i++) {
                Thread.sleep(100);
            }
            Tools.tool("curl", "-sf", "-m", "2", url).run().assertOk();
            String before = Files.readString(log);
            String ref = "docker://" + host.address() + ":" + port + "/hello-world:latest";
            HelloWorldTest.Run refused = kiln("push", "oci:" + out + ":latest", ref);
            refused.failsWith(1, "the registry seems to speak plain HTTP, which kiln uses only for loopback registries"
                    + " (as Docker does) or with --insecure");
            String during = Files.readString(log).substring(before.length());
            assertFalse(during.contains("\"GET ") || during.contains("\"HEAD ") || during.contains("\"PUT ")
                    || during.contains("\"POST "), "nothing was sent over plain HTTP: " + during);

            kiln("push", "--insecure", "oci:" + out + ":latest", ref); // the stand-in takes no blobs; it is asked
            String after = Files.readString(log).substring(before.length());
            assertTrue(after.contains("\"GET /v2/ HTTP/1.1\""), "with --insecure kiln pings over plain HTTP: " + after);
        }
    }
}
