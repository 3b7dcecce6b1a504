package dev.kiln.cli;

import static dev.kiln.cli.KilnTestSupport.kiln;
import static dev.kiln.cli.KilnTestSupport.rootDigestOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.cli.KilnTestSupport.Run;
import dev.kiln.layout.archive.TestArtifacts;
import dev.kiln.layout.archive.TestImages;
import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.oci.LayoutTag;
import dev.kiln.testing.Registry;
import dev.kiln.testing.Tools;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Artifacts and Docker schema1 through the real Distribution registry, checked with skopeo and
 * oci-schema-check: a Helm chart and an OCI 1.1 artifact (empty config, artifactType, subject) go
 * up and come back byte for byte, each way between kiln and skopeo; a schema1 image pushed by
 * skopeo is refused in one line by pull and inspect, alone or in a manifest list, and the advice
 * the refusal gives (convert with skopeo) works.
 */
class ContentRegistryIT {
    @TempDir
    Path tmp;

    private static String sha256(String s) {
        return Digest.sha256(s.getBytes(StandardCharsets.UTF_8)).toString();
    }

    @Test
    void artifactsGoUpAndComeBackByteForByte() throws Exception {
        Path l = tmp.resolve("src");
        TestImages.Built built = TestImages.twoPlatforms(l, "img");
        TestArtifacts.helmChart(built.layout(), "chart");
        TestArtifacts.sbomFor(built.layout(), built.manifests().get("amd64"), "sbom");
        Tools.assertSchemaValid(l);
        try (Registry registry = Registry.start()) {
            String repo = "docker://" + registry.hostPort() + "/app";
            for (String tag : List.of("img", "chart", "sbom")) {
                String digest = rootDigestOf(l, tag);
                kiln("push", "oci:" + l + ":" + tag, repo + ":" + tag).ok();
                String raw = Tools.skopeo("inspect", "--raw", "--tls-verify=false", repo + ":" + tag).assertOk().stdout();
                assertEquals(digest, sha256(raw), tag + ": the registry holds the manifest byte for byte");
                assertEquals(digest, sha256(kiln("inspect", "--raw", repo + ":" + tag).ok().out()),
                        tag + ": kiln inspect --raw docker:// | sha256sum is the digest");
                Path back = tmp.resolve("back-" + tag);
                kiln("pull", repo + ":" + tag, "oci:" + back + ":" + tag).ok();
                assertEquals(digest, rootDigestOf(back, tag));
                kiln("verify", "--deep", "oci:" + back).ok();
                Tools.assertSchemaValid(back);
            }
            String shown = kiln("inspect", repo + ":chart").ok().out();
            assertTrue(shown.contains("ArtifactType: " + TestArtifacts.HELM_CONFIG), shown);

            // skopeo reads what kiln pushed, and kiln reads what skopeo pushed
            Path bySkopeo = tmp.resolve("skopeo");
            Tools.skopeo("copy", "--src-tls-verify=false", repo + ":chart", "oci:" + bySkopeo + ":chart").assertOk();
            assertEquals(rootDigestOf(l, "chart"), rootDigestOf(bySkopeo, "chart"));
            kiln("verify", "--deep", "oci:" + bySkopeo).ok();
            String other = "docker://" + registry.hostPort() + "/from-skopeo:sbom";
            Tools.skopeo("copy", "--dest-tls-verify=false", "oci:" + l + ":sbom", other).assertOk();
            Path pulled = tmp.resolve("from-skopeo");
            kiln("pull", other, "oci:" + pulled + ":sbom").ok();
            assertEquals(rootDigestOf(l, "sbom"), rootDigestOf(pulled, "sbom"));
        }
    }

    private static void assertRefusedAsSchema1(Run r) {
        assertEquals(1, r.code(), () -> r.out() + r.err());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), err);
        assertTrue(err.contains("Docker schema1 manifest (deprecated)") && err.contains("convert it first"), err);
    }

    @Test
    void schema1IsRefusedAndTheAdviceWorks() throws Exception {
        Path l = tmp.resolve("src");
        TestImages.Built built = TestImages.twoPlatforms(l, null);
        built.layout().tag(LayoutTag.parse("amd"), built.manifests().get("amd64"));
        try (Registry registry = Registry.builder().env("REGISTRY_COMPATIBILITY_SCHEMA1_ENABLED", "true").start()) {
            String s1 = "docker://" + registry.hostPort() + "/old:1";
            Tools.skopeo("copy", "--dest-tls-verify=false", "--format", "v2s1", "oci:" + l + ":amd", s1).assertOk();
            HttpClient http = HttpClient.newHttpClient();
            URI manifest = URI.create("http://" + registry.hostPort() + "/v2/old/manifests/1");
            HttpResponse<byte[]> got = http.send(HttpRequest.newBuilder(manifest).build(), HttpResponse.BodyHandlers.ofByteArray());
            String type = got.headers().firstValue("Content-Type").orElse("");
            assertTrue(type.startsWith("application/vnd.docker.distribution.manifest.v1"), type);
            String digest = got.headers().firstValue("Docker-Content-Digest").orElseThrow();
            // a manifest list naming the schema1 manifest, as old multi-arch repositories have them
            String list = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.list.v2+json\","
                    + "\"manifests\":[{\"mediaType\":\"" + type + "\",\"digest\":\"" + digest + "\",\"size\":"
                    + got.body().length + ",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}]}";
            HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create("http://" + registry.hostPort()
                            + "/v2/old/manifests/list")).header("Content-Type", "application/vnd.docker.distribution.manifest.list.v2+json")
                    .PUT(HttpRequest.BodyPublishers.ofString(list)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(201, put.statusCode(), put.body());
            String s1list = "docker://" + registry.hostPort() + "/old:list";

            for (String ref : List.of(s1, s1list)) {
                String name = ref.equals(s1) ? "single" : "list";
                Path dest = tmp.resolve("pulled-" + name);
                assertRefusedAsSchema1(kiln("pull", ref, "oci:" + dest + ":t"));
                assertFalse(Files.exists(dest), "a refused pull leaves no layout");
                assertRefusedAsSchema1(kiln("inspect", ref));
                assertRefusedAsSchema1(kiln("copy", ref, "docker://" + registry.hostPort() + "/copy:" + name));
            }

            // the advice: skopeo converts it, to schema2 in a registry or to OCI in a layout; kiln reads both
            String s2 = "docker://" + registry.hostPort() + "/converted:1";
            Tools.skopeo("copy", "--src-tls-verify=false", "--dest-tls-verify=false", "--format", "v2s2", s1, s2).assertOk();
            Path converted = tmp.resolve("converted");
            kiln("pull", s2, "oci:" + converted + ":1").ok();
            kiln("verify", "--deep", "oci:" + converted).ok();
            Path asOci = tmp.resolve("as-oci");
            Tools.skopeo("copy", "--src-tls-verify=false", s1, "oci:" + asOci + ":1").assertOk();
            kiln("verify", "--deep", "oci:" + asOci).ok();
            assertTrue(kiln("inspect", "oci:" + asOci + ":1").ok().out().contains("Platform:    linux/amd64"));
        }
    }
}
