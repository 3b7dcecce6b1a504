package dev.kiln.cli;

import static dev.kiln.cli.KilnTestSupport.MAPPER;
import static dev.kiln.cli.KilnTestSupport.kiln;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.layout.archive.ArchiveShapes;
import dev.kiln.layout.archive.ArchiveShapes.Shape;
import dev.kiln.layout.archive.TestImages;
import dev.kiln.testing.DockerEngine;
import dev.kiln.testing.Peers;
import dev.kiln.testing.Podman;
import dev.kiln.testing.Proc;
import dev.kiln.testing.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Archives as the real tools write them (skopeo, podman, buildah, umoci with GNU tar, the Docker
 * 20.10 engine), and the hand-written shapes of the tools that cannot run here
 * ({@link ArchiveShapes}), each read by kiln the three ways a user reads an archive: {@code inspect},
 * {@code copy} into a layout, {@code build} with the archive as {@code FROM}. Every copy and build is
 * then checked by peers: scripts/oci-schema-check, {@code skopeo inspect} (platform, Env) and
 * {@code umoci unpack} (the files of the image).
 */
class ArchiveShapesIT {
    @TempDir
    static Path dir;
    static Path layout;

    @BeforeAll
    static void image() throws IOException {
        layout = dir.resolve("layout");
        TestImages.twoPlatforms(layout, "1.0");
    }

    /**
     * inspect, copy (of {@code platform} alone when {@code whole} is false) and build FROM
     * {@code ref}; the copy and the build checked by the peers.
     */
    static void readAndCheck(String id, String ref, String platform, boolean whole) throws IOException {
        readAndCheck(id, ref, platform, whole, true);
    }

    /** As above; {@code unpack} false for an image with a foreign layer the archive does not ship (nothing can unpack it). */
    static void readAndCheck(String id, String ref, String platform, boolean whole, boolean unpack) throws IOException {
        String arch = platform.split("/")[1];
        assertTrue(kiln("inspect", "--platform", platform, ref).ok().out().contains("GREETING=hello " + arch), id);
        Path copy = dir.resolve("copy-" + id);
        List<String> args = new ArrayList<>(List.of("copy", ref, "oci:" + copy + ":t"));
        if (!whole) {
            args.addAll(1, List.of("--platform", platform));
        }
        kiln(args.toArray(String[]::new)).ok();
        peerCheck(id, copy, "t", arch, null, unpack);

        Path ctx = Files.createDirectories(dir.resolve("ctx-" + id));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM " + ref + "\nENV SHAPE=" + id + "\n");
        Path built = dir.resolve("built-" + id);
        kiln("build", ctx.toString(), "--platform", platform, "-t", "1", "-o", "oci:" + built).ok();
        peerCheck(id + " (built FROM)", built, "1", arch, "SHAPE=" + id, unpack);
    }

    /** oci-schema-check, skopeo inspect and umoci unpack of {@code layout:tag}'s {@code arch} image. */
    static void peerCheck(String id, Path out, String tag, String arch, String env, boolean unpack) throws IOException {
        JsonNode index = KilnTestSupport.json(out.resolve("index.json"));
        Tools.schemaCheck(out).assertOk();
        JsonNode inspect = MAPPER.readTree(Tools.skopeo("--override-os", "linux", "--override-arch", arch, "inspect",
                "oci:" + out + ":" + tag).assertOk().stdout());
        assertEquals(arch, inspect.path("Architecture").asText(), id + ": " + inspect);
        assertTrue(inspect.path("Env").toString().contains("GREETING=hello " + arch), id + ": " + inspect);
        if (env != null) {
            assertTrue(inspect.path("Env").toString().contains(env), id + ": " + inspect);
        }
        if (!unpack) {
            return;
        }
        // umoci unpacks a tag that names one manifest: tag the platform's manifest
        String manifest = platformManifest(out, index.at("/manifests/0"), arch);
        ObjectNode entry = MAPPER.createObjectNode().put("mediaType", "application/vnd.oci.image.manifest.v1+json")
                .put("digest", manifest).put("size", Files.size(KilnTestSupport.blob(out, manifest)));
        entry.putObject("annotations").put("org.opencontainers.image.ref.name", "umoci-" + arch);
        ((ArrayNode) index.get("manifests")).add(entry);
        Files.writeString(out.resolve("index.json"), MAPPER.writeValueAsString(index));
        Path bundle = dir.resolve("bundle-" + id.replaceAll("[^A-Za-z0-9.-]", "_"));
        Tools.umoci("unpack", "--rootless", "--image", out + ":umoci-" + arch, bundle.toString()).assertOk();
        assertEquals("hello from " + arch + "\n", Files.readString(bundle.resolve("rootfs/hello.txt")), id);
    }

    private static String platformManifest(Path out, JsonNode d, String arch) throws IOException {
        if (!d.path("mediaType").asText().contains("index") && !d.path("mediaType").asText().contains("list")) {
            return d.path("digest").asText();
        }
        for (JsonNode c : KilnTestSupport.blobJson(out, d.path("digest").asText()).path("manifests")) {
            if (arch.equals(c.at("/platform/architecture").asText())) {
                return platformManifest(out, c, arch);
            }
        }
        throw new AssertionError("no " + arch + " manifest under " + d);
    }

    @Test
    void theHandWrittenShapesOfToolsThatCannotRunHere() throws IOException {
        for (Shape s : ArchiveShapes.writeAll(dir.resolve("shapes"))) {
            if (s.expect().ok()) {
                // a foreign layer is referenced by its url, not shipped: no peer can unpack such an image here
                readAndCheck(s.id(), s.reference(), s.expect().platform(), s.expect().whole(), !s.id().contains("foreign"));
            }
        }
    }

    @Test
    void skopeoArchives() throws IOException {
        Path docker = dir.resolve("skopeo-docker.tar");
        Path oci = dir.resolve("skopeo-oci.tar");
        Tools.skopeo("copy", "oci:" + layout + ":1.0", "docker-archive:" + docker + ":example.com/hello:1.0").assertOk();
        Tools.skopeo("copy", "--all", "oci:" + layout + ":1.0", "oci-archive:" + oci + ":1.0").assertOk();
        readAndCheck("skopeo-docker-archive", "docker-archive:" + docker, "linux/amd64", true);
        readAndCheck("skopeo-oci-archive", "oci-archive:" + oci + ":1.0", "linux/arm64", true);
    }

    @Test
    void podmanSaves() throws IOException {
        Podman p = Podman.fresh();
        Path in = dir.resolve("podman-in.tar");
        kiln("copy", "oci:" + layout + ":1.0", "oci-archive:" + in + ":example.com/hello:1.0").ok();
        p.podman("load", "-i", in.toString()).assertOk();
        p.podman("tag", "example.com/hello:1.0", "example.com/other:2").assertOk();
        Path docker = dir.resolve("podman-docker.tar");
        Path oci = dir.resolve("podman-oci.tar");
        Path multi = dir.resolve("podman-multi.tar");
        p.podman("save", "--format", "docker-archive", "-o", docker.toString(), "example.com/hello:1.0").assertOk();
        p.podman("save", "--format", "oci-archive", "-o", oci.toString(), "example.com/hello:1.0").assertOk();
        p.podman("save", "--format", "docker-archive", "-m", "-o", multi.toString(), "example.com/hello:1.0", "example.com/other:2").assertOk();
        readAndCheck("podman-docker-archive", "docker-archive:" + docker, "linux/amd64", true);
        readAndCheck("podman-oci-archive", "oci-archive:" + oci, "linux/amd64", true);
        readAndCheck("podman-multi-image", "docker-archive:" + multi + ":example.com/other:2", "linux/amd64", true);
    }

    @Test
    void buildahPushes() throws IOException {
        Path b = Peers.tempDir("buildah");
        List<String> bh = List.of(Peers.require("buildah").toString(), "--root", b.resolve("s").toString(),
                "--runroot", b.resolve("r").toString(), "--storage-driver", "vfs");
        Proc.of(with(bh, "pull", "--platform", "linux/arm64", "oci:" + layout + ":1.0")).run().assertOk();
        JsonNode images = MAPPER.readTree(Proc.of(with(bh, "images", "--json")).run().assertOk().stdout());
        String id = images.get(0).path("id").asText();
        Path docker = dir.resolve("buildah-docker.tar");
        Path oci = dir.resolve("buildah-oci.tar");
        Proc.of(with(bh, "push", id, "docker-archive:" + docker + ":example.com/hello:1.0")).run().assertOk();
        Proc.of(with(bh, "push", id, "oci-archive:" + oci + ":1.0")).run().assertOk();
        readAndCheck("buildah-docker-archive", "docker-archive:" + docker, "linux/arm64", true);
        readAndCheck("buildah-oci-archive", "oci-archive:" + oci + ":1.0", "linux/arm64", true);
    }

    @Test
    void umociLayoutTarredWithExtraFiles() throws IOException {
        // a layout umoci made and changed, tarred by GNU tar (./ names, folders) with a README beside it
        Path u = dir.resolve("umoci-layout");
        kiln("copy", "--platform", "linux/amd64", "oci:" + layout + ":1.0", "oci:" + u + ":in").ok();
        Path bundle = dir.resolve("umoci-bundle");
        String manifest = platformManifest(u, KilnTestSupport.json(u.resolve("index.json")).at("/manifests/0"), "amd64");
        ObjectNode index = (ObjectNode) KilnTestSupport.json(u.resolve("index.json"));
        ObjectNode entry = MAPPER.createObjectNode().put("mediaType", "application/vnd.oci.image.manifest.v1+json")
                .put("digest", manifest).put("size", Files.size(KilnTestSupport.blob(u, manifest)));
        entry.putObject("annotations").put("org.opencontainers.image.ref.name", "base");
        ((ArrayNode) index.get("manifests")).add(entry);
        Files.writeString(u.resolve("index.json"), MAPPER.writeValueAsString(index));
        Tools.umoci("unpack", "--rootless", "--image", u + ":base", bundle.toString()).assertOk();
        Files.writeString(bundle.resolve("rootfs/umoci.txt"), "repacked by umoci\n");
        Tools.umoci("repack", "--image", u + ":1.0", bundle.toString()).assertOk();
        Files.writeString(u.resolve("README.md"), "a layout umoci repacked\n");
        Path tar = dir.resolve("umoci.tar");
        Tools.tool("tar", "-C", u.toString(), "-cf", tar.toString(), ".").run().assertOk();
        readAndCheck("umoci-gnu-tar", "oci-archive:" + tar + ":1.0", "linux/amd64", true);
    }

    @Test
    void docker2010Saves() throws IOException {
        DockerEngine d = DockerEngine.shared();
        Path in = dir.resolve("docker-in.tar");
        kiln("copy", "oci:" + layout + ":1.0", "docker-archive:" + in + ":example.com/hello:1.0").ok();
        d.docker("load", "-i", in.toString()).assertOk();
        d.docker("tag", "example.com/hello:1.0", "example.com/shapes:2").assertOk();
        Path saved = dir.resolve("docker-save.tar");
        // two names of images sharing a layer: the classic save links the second copy of the layer
        d.docker("save", "-o", saved.toString(), "example.com/hello:1.0", "example.com/hello:1.0-linux-arm64").assertOk();
        readAndCheck("docker-20.10-save", "docker-archive:" + saved + ":example.com/hello:1.0", "linux/amd64", true);
        readAndCheck("docker-20.10-save-arm64", "docker-archive:" + saved + ":example.com/hello:1.0-linux-arm64", "linux/arm64", true);
        Path gz = dir.resolve("docker-save.tar.gz");
        Files.write(gz, TestImages.gzip(Files.readAllBytes(saved)));
        readAndCheck("docker-20.10-save-gzip", "docker-archive:" + gz + ":example.com/hello:1.0", "linux/amd64", true);
    }

    private static String[] with(List<String> base, String... more) {
        List<String> all = new ArrayList<>(base);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }
}
