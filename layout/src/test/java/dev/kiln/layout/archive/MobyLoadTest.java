package dev.kiln.layout.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.layout.archive.MobyLoad.Loaded;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageManifest;
import dev.kiln.layout.transport.CopyOptions;
import dev.kiln.layout.transport.Copier;
import dev.kiln.layout.transport.ImageDestination;
import dev.kiln.layout.transport.ImageReference;
import dev.kiln.layout.transport.ImageSource;
import dev.kiln.layout.transport.TransportOptions;
import dev.kiln.layout.transport.Transports;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The docker-archives kiln writes, read as {@code docker load} of Docker 25+ reads them
 * ({@link MobyLoad}: the containerd store and the classic store), on linux/amd64 and linux/arm64: each
 * load finds the image under its names, the right platform's config, every layer decompressing to
 * its diff_id. No Docker 25+ engine runs here; Docker 20.10 loads the same archives for real in
 * ArchivePeersIT and ExamplePeersIT. The model itself is checked on the shapes Docker 25 writes and
 * on what it refuses.
 */
class MobyLoadTest {
    static Path dir;
    static TestImages.Built image;

    @BeforeAll
    static void build() throws IOException {
        dir = Files.createTempDirectory("kiln-moby-");
        image = TestImages.twoPlatforms(dir.resolve("layout"), "1.0");
    }

    @AfterAll
    static void clean() throws IOException {
        ArchiveFiles.deleteTree(dir);
    }

    private static String config(String arch) throws IOException {
        Descriptor m = image.manifests().get(arch);
        return ImageManifest.parse(image.layout().blobs().readSmall(m), "m").config().digest().toString();
    }

    /** kiln copy oci:LAYOUT:1.0 docker-archive:FILE[:NAME], the default platform first. */
    private static Path copy(String file, String name, CopyOptions options) throws IOException {
        Path out = dir.resolve(file);
        TransportOptions t = TransportOptions.defaults().withTempDir(dir.resolve("tmp"));
        try (ImageSource src = Transports.standard().openSource(ImageReference.parse("oci:" + image.layout().root() + ":1.0"),
                FileSystems.getDefault(), t);
             ImageDestination dst = Transports.standard().openDestination(ImageReference.parse("docker-archive:" + out
                     + (name == null ? "" : ":" + name)), FileSystems.getDefault(), t)) {
            new Copier(options).copy(src, dst);
        }
        return out;
    }

    @Test
    void aMultiPlatformArchiveLoadsOnEitherPlatformInBothStores() throws IOException {
        Path tar = copy("multi.tar", "example.com/hello:1.0", CopyOptions.defaults().withDefaultPlatform(TestImages.AMD64));
        for (String arch : List.of("amd64", "arm64")) {
            MobyLoad load = MobyLoad.of(tar, "linux", arch);
            assertEquals(List.of(new Loaded("example.com/hello:1.0", config(arch))), load.containerdStore(), arch);
            assertEquals(List.of(new Loaded("example.com/hello:1.0", config("amd64")),
                    new Loaded("example.com/hello:1.0-linux-arm64", config("arm64"))), load.classicStore(), arch);
            assertEquals(List.of(), load.problems(), arch);
        }
    }

    @Test
    void oneImageUntaggedOrDockerHubNamed() throws IOException {
        Path one = copy("one.tar", "hello:1.0", CopyOptions.defaults().withPlatforms(List.of(TestImages.ARM64)));
        MobyLoad load = MobyLoad.of(one, "linux", "arm64");
        assertEquals(List.of(new Loaded("docker.io/library/hello:1.0", config("arm64"))), load.containerdStore());
        assertEquals(List.of(new Loaded("hello:1.0", config("arm64"))), load.classicStore());
        assertEquals(List.of(), load.problems());

        Path untagged = dir.resolve("untagged.tar");
        new DockerArchiveWriter().write(image.layout(), image.manifests().get("amd64"), List.of(), untagged);
        load = MobyLoad.of(untagged, "linux", "amd64");
        assertEquals(List.of(new Loaded(null, config("amd64"))), load.containerdStore(), "a dangling image, as for docker save IMAGE-ID");
        assertEquals(List.of(new Loaded(null, config("amd64"))), load.classicStore());
        assertEquals(List.of(), load.problems());
    }

    @Test
    void theModelLoadsWhatDocker25SavesAndRefusesWhatDockerRefuses() throws IOException {
        List<ArchiveShapes.Shape> shapes = ArchiveShapes.writeAll(dir.resolve("shapes"));
        for (String id : List.of("docker25-graphdriver", "docker25-containerd", "docker25-containerd-pulled", "docker25-containerd-all-platforms")) {
            MobyLoad load = MobyLoad.of(ArchiveShapes.byId(shapes, id).file(), "linux", "amd64");
            String config = ArchiveShapes.byId(shapes, id).expect().config().toString();
            assertEquals(List.of(new Loaded("docker.io/library/hello:1.0", config)), load.containerdStore(), id);
            assertEquals(List.of(new Loaded("hello:1.0", config)), load.classicStore(), id);
            assertEquals(List.of(), load.problems(), id);
        }
        // Docker 25.0's "manifests": null loads nothing in the containerd store; the classic store reads manifest.json
        MobyLoad byId = MobyLoad.of(ArchiveShapes.byId(shapes, "docker25.0-graphdriver-by-id").file(), "linux", "amd64");
        assertEquals(List.of(), byId.containerdStore());
        assertEquals(1, byId.classicStore().size());
        assertTrue(byId.problems().get(0).contains("lists no image"), byId.problems().toString());
        // a manifest without its layers (Docker 25.0.0) cannot be unpacked
        MobyLoad noLayers = MobyLoad.of(ArchiveShapes.byId(shapes, "docker25.0.0-graphdriver").file(), "linux", "amd64");
        noLayers.containerdStore();
        assertTrue(noLayers.problems().toString().contains("0 layers, 2 diff_ids"), noLayers.problems().toString());
        // an archive of manifest.json alone is no OCI layout
        MobyLoad crane = MobyLoad.of(ArchiveShapes.byId(shapes, "crane-tarball").file(), "linux", "amd64");
        assertEquals(List.of(), crane.containerdStore());
        assertEquals(List.of(new Loaded("example.com/hello:1.0", ArchiveShapes.byId(shapes, "crane-tarball").expect().config().toString())),
                crane.classicStore());
        assertTrue(MobyLoad.normalized("docker.io/library/hello:1.0") && !MobyLoad.normalized("hello:1.0")
                && !MobyLoad.normalized("1.0") && MobyLoad.normalized("localhost/hello:1.0"));
    }
}
