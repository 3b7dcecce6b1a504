package dev.kiln.cli;

import static dev.kiln.cli.KilnTestSupport.allDigests;
import static dev.kiln.cli.KilnTestSupport.buildExample;
import static dev.kiln.cli.KilnTestSupport.example;
import static dev.kiln.cli.KilnTestSupport.kiln;
import static dev.kiln.cli.KilnTestSupport.rootDigest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.testing.DockerEngine;
import dev.kiln.testing.Registry;
import dev.kiln.testing.Tools;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kiln push, pull and copy through docker:// against the real Docker Distribution registry, checked
 * with skopeo and a Docker 20.10 engine. Every test uses a fresh registry, so nothing passes because
 * a blob was already there.
 */
class RegistryCliIT {
    @TempDir
    static Path work;
    static Path layout;
    static String index;

    @BeforeAll
    static void buildExampleOnce() throws Exception {
        layout = work.resolve("example");
        buildExample(example(), layout);
        index = rootDigest(layout);
    }

    @Test
    void pushesTheWholeIndexThatSkopeoAndDockerAccept() throws Exception {
        try (Registry registry = Registry.start()) {
            String ref = "docker://" + registry.hostPort() + "/hello:1.0";
            kiln("push", "oci:" + layout + ":1.0", ref, "-t", "latest").ok();

            String raw = Tools.skopeo("inspect", "--raw", "--tls-verify=false", ref).assertOk().stdout();
            JsonNode pushed = new ObjectMapper().readTree(raw);
            assertEquals("application/vnd.oci.image.index.v1+json", pushed.get("mediaType").asText());
            assertEquals(3, pushed.get("manifests").size());
            String digest = "sha256:" + sha256(raw);
            assertEquals(index, digest, "the registry holds the layout's index byte for byte");
            String latest = Tools.skopeo("inspect", "--raw", "--tls-verify=false",
                    "docker://" + registry.hostPort() + "/hello:latest").assertOk().stdout();
            assertEquals(raw, latest, "-t latest tags the same index");

            DockerEngine docker = DockerEngine.shared();
            for (String platform : KilnTestSupport.PLATFORMS) {
                docker.docker("pull", "--platform", platform, registry.hostPort() + "/hello:1.0").assertOk();
                String arch = docker.docker("image", "inspect", "--format", "{{.Architecture}}",
                        registry.hostPort() + "/hello:1.0").assertOk().stdout().trim();
                assertEquals(platform.split("/")[1], arch, "docker pull --platform " + platform);
            }
        }
    }

    @Test
    void pullBackKeepsEveryDigest() throws Exception {
        try (Registry registry = Registry.start()) {
            String ref = "docker://" + registry.hostPort() + "/round/trip:1.0";
            kiln("push", "oci:" + layout + ":1.0", ref).ok();
            Path pulled = work.resolve("pulled-" + System.nanoTime());
            kiln("pull", ref, "oci:" + pulled + ":1.0").ok();
            assertEquals(index, rootDigest(pulled));
            assertEquals(allDigests(layout), allDigests(pulled));
            kiln("verify", "--deep", pulled.toString()).ok();

            // a rerun fetches nothing new
            KilnTestSupport.Run again = kiln("pull", "--json", ref, "oci:" + pulled + ":1.0").ok();
            assertEquals(0, new ObjectMapper().readTree(again.out()).get("blobsCopied").asInt(), again.out());
        }
    }

    @Test
    void aPullThatFailsKeepsItsBlobsAndARerunFetchesOnlyTheRest() throws Exception {
        try (Registry registry = Registry.start()) {
            String ref = "docker://" + registry.hostPort() + "/cut/short:1.0";
            kiln("push", "oci:" + layout + ":1.0", ref).ok();
            // the last platform's config goes missing from the registry's storage
            String armManifest = KilnTestSupport.platformManifests(layout).get("linux/arm/v7").get("digest").asText();
            String config = KilnTestSupport.blobJson(layout, armManifest).get("config").get("digest").asText();
            String hex = config.substring("sha256:".length());
            Path data = registry.dir().resolve("data/docker/registry/v2/blobs/sha256/" + hex.substring(0, 2) + "/" + hex + "/data");
            Path aside = work.resolve("aside-" + System.nanoTime());
            java.nio.file.Files.move(data, aside);

            Path pulled = work.resolve("cut-" + System.nanoTime());
            KilnTestSupport.Run failed = kiln("pull", "-j", "1", ref, "oci:" + pulled + ":1.0");
            assertEquals(1, failed.code(), failed.err());
            KilnTestSupport.assertNoStackTrace(failed.err());
            assertEquals(1, failed.err().strip().lines().count(), failed.err());
            assertTrue(failed.err().contains(config), failed.err());
            assertTrue(failed.err().contains("run the command again to resume"), failed.err());
            assertTrue(java.nio.file.Files.isDirectory(pulled), "the layout with the fetched blobs is kept");
            assertFalse(kiln("ls", pulled.toString()).ok().out().contains("1.0"), "a failed pull writes no tag");
            kiln("verify", "--deep", pulled.toString()).ok();

            java.nio.file.Files.move(aside, data);
            JsonNode rerun = new ObjectMapper().readTree(kiln("pull", "--json", ref, "oci:" + pulled + ":1.0").ok().out());
            long total = allDigests(layout).stream().distinct().count();
            assertTrue(rerun.get("blobsSkipped").asInt() > 0, rerun.toString());
            assertTrue(rerun.get("blobsCopied").asInt() < total, "the rerun fetched everything again: " + rerun);
            assertEquals(index, rootDigest(pulled));
            kiln("verify", "--deep", pulled.toString()).ok();
        }
    }

    @Test
    void aPullFromARegistryThatFailsAtOnceLeavesNoLayout() throws Exception {
        try (Registry registry = Registry.start()) {
            Path pulled = work.resolve("nothing-" + System.nanoTime());
            KilnTestSupport.Run failed = kiln("pull", "docker://" + registry.hostPort() + "/absent:1.0", "oci:" + pulled + ":1.0");
            assertEquals(1, failed.code(), failed.err());
            assertFalse(java.nio.file.Files.exists(pulled), "a pull that fetched nothing leaves no layout");
        }
    }

    @Test
    void airGappedRoundTripThroughAnOciArchive() throws Exception {
        try (Registry connected = Registry.start(); Registry airGapped = Registry.start()) {
            String source = "docker://" + connected.hostPort() + "/hello:1.0";
            kiln("push", "oci:" + layout + ":1.0", source).ok();
            Path mirror = work.resolve("mirror-" + System.nanoTime());
            kiln("pull", source, "oci:" + mirror + ":hello-1.0").ok();
            Path tar = work.resolve("carry-" + System.nanoTime() + ".tar");
            kiln("copy", "oci:" + mirror + ":hello-1.0", "oci-archive:" + tar + ":1.0").ok();
            String target = "docker://" + airGapped.hostPort() + "/hello:1.0";
            kiln("push", "oci-archive:" + tar + ":1.0", target).ok();
            String raw = Tools.skopeo("inspect", "--raw", "--tls-verify=false", target).assertOk().stdout();
            assertEquals(index, "sha256:" + sha256(raw));
        }
    }

    @Test
    void platformSubsetMakesANewIndexAndSaysSo() throws Exception {
        try (Registry registry = Registry.start()) {
            String ref = "docker://" + registry.hostPort() + "/arm:1.0";
            KilnTestSupport.Run run = kiln("push", "--platform", "linux/arm64", "oci:" + layout + ":1.0", ref).ok();
            assertTrue(run.out().contains("new"), run.out());
            String raw = Tools.skopeo("inspect", "--raw", "--tls-verify=false", ref).assertOk().stdout();
            JsonNode pushed = new ObjectMapper().readTree(raw);
            assertEquals(1, pushed.get("manifests").size());
            assertEquals("arm64", pushed.get("manifests").get(0).get("platform").get("architecture").asText());
            assertNotEquals(index, "sha256:" + sha256(raw));
        }
    }

    @Test
    void basicAuthOverTlsWithCertDirAndNoSecretInErrors() throws Exception {
        try (Registry registry = Registry.builder().htpasswd("alice", "s3cret-Pa55").tls().start()) {
            String ref = "docker://" + registry.hostPort() + "/private/hello:1.0";
            KilnTestSupport.Run denied = kiln("push", "--cert-dir", registry.certDir().toString(),
                    "--creds", "alice:wrong-Pa55word", "oci:" + layout + ":1.0", ref);
            assertEquals(1, denied.code(), denied.err());
            assertFalse((denied.out() + denied.err()).contains("wrong-Pa55word"), "the password must not be printed");
            assertEquals(1, denied.err().strip().lines().count(), denied.err());

            // --debug shows every request and answer, and still no secret in any form
            KilnTestSupport.Run debug = kiln("push", "--debug", "--cert-dir", registry.certDir().toString(),
                    "--creds", "alice:wrong-Pa55word", "oci:" + layout + ":1.0", ref);
            String all = debug.out() + debug.err();
            assertEquals(1, debug.code());
            assertTrue(all.contains("debug:"), "--debug prints the requests: " + all);
            for (String secret : new String[] {"wrong-Pa55word", java.util.Base64.getEncoder().encodeToString(
                    "alice:wrong-Pa55word".getBytes(java.nio.charset.StandardCharsets.UTF_8))}) {
                assertFalse(all.contains(secret), "a secret leaked into --debug output");
            }

            KilnTestSupport.Run noCa = kiln("push", "--creds", "alice:s3cret-Pa55", "oci:" + layout + ":1.0",
                    "docker://localhost:" + registry.port() + "/private/hello:1.0");
            assertEquals(1, noCa.code(), "a self-signed certificate is refused without --cert-dir: " + noCa.out());
            assertFalse((noCa.out() + noCa.err()).contains("s3cret-Pa55"));

            kiln("push", "--cert-dir", registry.certDir().toString(), "--creds", "alice:s3cret-Pa55",
                    "oci:" + layout + ":1.0", ref).ok();
            String raw = Tools.skopeo("inspect", "--raw", "--cert-dir", registry.certDir().toString(),
                    "--creds", "alice:s3cret-Pa55", ref).assertOk().stdout();
            assertEquals(index, "sha256:" + sha256(raw));
        }
    }

    @Test
    void buildPushesStraightToARegistry() throws Exception {
        try (Registry registry = Registry.start()) {
            String ref = "docker://" + registry.hostPort() + "/built:1.0";
            kiln("build", example().toString(), "--platform", KilnTestSupport.PLATFORM_ARG, "-o", ref).ok();
            String raw = Tools.skopeo("inspect", "--raw", "--tls-verify=false", ref).assertOk().stdout();
            assertEquals(index, "sha256:" + sha256(raw), "the same inputs give the same index, pushed or written");
        }
    }

    @Test
    void aCopyWithinOneRegistryMountsEveryBlobFromTheSourceRepository() throws Exception {
        try (Registry registry = Registry.start()) {
            String a = "docker://" + registry.hostPort() + "/mount/a:1.0";
            kiln("push", "oci:" + layout + ":1.0", a).ok();
            long blobs = allDigests(layout).stream().distinct().count() - 4; // less the index, its child index and manifests
            int logBefore = java.nio.file.Files.readAllLines(registry.log()).size();

            KilnTestSupport.Run copy = kiln("copy", a, "docker://" + registry.hostPort() + "/mount/b:1.0").ok();
            assertTrue(copy.out().contains("0 already there, " + blobs + " mounted from another repository)"), copy.out());
            java.util.List<String> log = java.nio.file.Files.readAllLines(registry.log());
            java.util.List<String> during = log.subList(logBefore, log.size());
            long mounts = during.stream().filter(l -> l.contains("\"POST /v2/mount/b/blobs/uploads/?mount=") && l.contains("\" 201 ")).count();
            long uploads = during.stream().filter(l -> l.contains("PUT /v2/mount/b/blobs/uploads/") || l.contains("PATCH /v2/mount/b/blobs/uploads/")).count();
            long downloads = during.stream().filter(l -> l.contains("\"GET /v2/mount/a/blobs/")).count();
            System.out.println("copy within one registry: " + mounts + " mounts, " + uploads + " uploads, " + downloads + " blob downloads"
                    + " (registry log)");
            assertEquals(blobs, mounts, "every blob mounted: " + String.join("\n", during));
            assertEquals(0, uploads, "no blob uploaded again");
            assertEquals(0, downloads, "no blob downloaded");
            String raw = Tools.skopeo("inspect", "--raw", "--tls-verify=false", "docker://" + registry.hostPort() + "/mount/b:1.0")
                    .assertOk().stdout();
            assertEquals(index, "sha256:" + sha256(raw));
        }
    }

    @Test
    void aCopyBetweenTwoRegistriesGivesEachItsOwnCredentials() throws Exception {
        try (Registry from = Registry.builder().htpasswd("alice", "from-Pa55-word").start();
             Registry to = Registry.builder().htpasswd("bob", "to-Pa55-word").start()) {
            String src = "docker://" + from.hostPort() + "/hello:1.0";
            kiln("push", "--creds", "alice:from-Pa55-word", "oci:" + layout + ":1.0", src).ok();
            String dst = "docker://" + to.hostPort() + "/hello:1.0";
            KilnTestSupport.Run plain = kiln("copy", "--creds", "alice:from-Pa55-word", src, dst);
            assertEquals(2, plain.code(), "--creds names no side: " + plain.err());
            kiln("copy", "--src-creds", "alice:from-Pa55-word", "--dest-creds", "bob:to-Pa55-word", src, dst).ok();
            String raw = Tools.skopeo("inspect", "--raw", "--tls-verify=false", "--creds", "bob:to-Pa55-word", dst).assertOk().stdout();
            assertEquals(index, "sha256:" + sha256(raw));
        }
    }

    private static String sha256(String s) throws Exception {
        byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return java.util.HexFormat.of().formatHex(d);
    }
}
