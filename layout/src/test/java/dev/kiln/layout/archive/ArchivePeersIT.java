package dev.kiln.layout.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.layout.json.Json;
import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.spec.ContainerConfig;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageIndex;
import dev.kiln.layout.spec.MediaTypes;
import dev.kiln.layout.transport.CopyOptions;
import dev.kiln.layout.transport.Copier;
import dev.kiln.layout.transport.ImageDestination;
import dev.kiln.layout.transport.ImageReader;
import dev.kiln.layout.transport.ImageReference;
import dev.kiln.layout.transport.ImageSource;
import dev.kiln.layout.transport.LayoutDestination;
import dev.kiln.layout.transport.TransportOptions;
import dev.kiln.layout.transport.Transports;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * kiln's archives against the real peers: skopeo, umoci, podman, docker 20.10. A tiny two-platform
 * image (linux/amd64, linux/arm64; real gzip layers; Env and Cmd) is built in a layout, written as
 * an oci-archive and a docker-archive, and handed to each tool; what the tools write ({@code docker
 * save}, {@code podman save}) is read back through kiln's readers. A missing tool fails the test.
 */
class ArchivePeersIT {
    private static final String NAME = "example.com/hello:1.0";
    private static final String INSTALL = " (install the peers with scripts/install-test-tools)";
    private static Path work;
    private static TestImages.Built image;
    private static Path ociTar;
    private static Path dockerTar;
    private static final List<Path> shortDirs = new ArrayList<>();

    @BeforeAll
    static void build() throws IOException {
        work = Files.createTempDirectory("kiln-peers-");
        image = TestImages.twoPlatforms(work.resolve("layout"), NAME);
        ociTar = work.resolve("hello-oci.tar");
        new OciArchiveWriter().writeImage(image.layout(), image.index(), List.of(NAME), ociTar);
        dockerTar = work.resolve("hello-docker.tar");
        TransportOptions options = TransportOptions.defaults().withTempDir(work.resolve("tmp"));
        try (ImageSource src = Transports.standard().openSource(ImageReference.parse("oci:" + image.layout().root() + ":" + NAME),
                FileSystems.getDefault(), options);
             ImageDestination dst = Transports.standard().openDestination(
                     ImageReference.parse("docker-archive:" + dockerTar + ":" + NAME), FileSystems.getDefault(), options)) {
            new Copier(CopyOptions.defaults().withDefaultPlatform(TestImages.AMD64)).copy(src, dst);
        }
    }

    @AfterAll
    static void cleanUp() throws IOException {
        for (Path p : shortDirs) {
            exec(Duration.ofSeconds(60), List.of("rm", "-rf", "--one-file-system", p.toString()));
        }
        if (work != null) {
            exec(Duration.ofSeconds(120), List.of("rm", "-rf", "--one-file-system", work.toString()));
        }
    }

    // ---- skopeo ----

    @Test
    void skopeoInspectsAndCopiesTheOciArchive() throws IOException {
        String skopeo = tool("skopeo");
        JsonNode amd = json(run(skopeo, "inspect", "oci-archive:" + ociTar + ":1.0"));
        assertEquals("amd64", amd.path("Architecture").asText(), amd.toString());
        assertTrue(amd.path("Env").toString().contains("GREETING=hello amd64"), amd.toString());
        JsonNode arm = json(run(skopeo, "--override-arch", "arm64", "inspect", "oci-archive:" + ociTar + ":1.0"));
        assertEquals("arm64", arm.path("Architecture").asText(), arm.toString());
        JsonNode raw = json(run(skopeo, "inspect", "--raw", "oci-archive:" + ociTar + ":1.0"));
        assertEquals(MediaTypes.OCI_INDEX, raw.path("mediaType").asText());
        assertEquals(2, raw.path("manifests").size());

        Path copy = work.resolve("skopeo-copy");
        run(skopeo, "copy", "--all", "oci-archive:" + ociTar + ":1.0", "oci:" + copy + ":copied");
        OciLayout layout = OciLayout.open(copy);
        assertEquals(image.index().digest(), layout.resolve("copied").digest(), "skopeo keeps the index digest");
        schemaCheck(copy);
        // and kiln reads skopeo's oci-archive
        Path skopeoTar = work.resolve("skopeo-oci.tar");
        run(skopeo, "copy", "--all", "oci-archive:" + ociTar + ":1.0", "oci-archive:" + skopeoTar + ":again");
        try (ArchiveSource s = OciArchiveReader.open(skopeoTar, "again")) {
            assertEquals(image.index().digest(), s.root().digest());
        }
        // the OCI part of the docker-archive is a valid layout too
        Path dockerDir = Files.createDirectories(work.resolve("docker-archive-extracted"));
        run(tool("tar"), "-xf", dockerTar.toString(), "-C", dockerDir.toString());
        schemaCheck(dockerDir);
        // the docker-archive is one image to skopeo (its OCI part is not read): the default platform
        JsonNode docker = json(run(skopeo, "inspect", "docker-archive:" + dockerTar + ":" + NAME));
        assertEquals("amd64", docker.path("Architecture").asText(), docker.toString());
    }

    // ---- umoci ----

    @Test
    void umociUnpacksEachPlatformOfTheOciArchive() throws IOException {
        String umoci = tool("umoci");
        String tar = tool("tar");
        Path dir = work.resolve("umoci-layout");
        Files.createDirectories(dir);
        run(tar, "-xf", ociTar.toString(), "-C", dir.toString()); // an extractor that is not kiln's
        schemaCheck(dir);
        // umoci resolves a tag to one manifest: tag each platform manifest (as the tools README shows)
        ImageIndex index = ImageIndex.parse(Files.readAllBytes(dir.resolve("index.json")), "index.json");
        List<Descriptor> entries = new ArrayList<>(index.manifests());
        for (Descriptor m : ImageIndex.parse(Files.readAllBytes(dir.resolve("blobs/sha256/" + image.index().digest().hex())), "i").manifests()) {
            entries.add(m.withAnnotations(Map.of(MediaTypes.ANNOTATION_REF_NAME, "1.0-" + m.platform().architecture())));
        }
        Files.write(dir.resolve("index.json"), index.withManifests(entries).toBytes());
        for (String arch : List.of("amd64", "arm64")) {
            Path bundle = work.resolve("bundle-" + arch);
            run(umoci, "unpack", "--rootless", "--image", dir + ":1.0-" + arch, bundle.toString());
            assertEquals("hello from " + arch + "\n", Files.readString(bundle.resolve("rootfs/hello.txt")));
            assertEquals("NAME=kiln-test\n", Files.readString(bundle.resolve("rootfs/etc/os-release")));
            JsonNode config = json(Files.readString(bundle.resolve("config.json")));
            assertTrue(config.path("process").path("env").toString().contains("GREETING=hello " + arch), config.toString());
            assertEquals("[\"/bin/cat\",\"/hello.txt\"]", config.path("process").path("args").toString());
        }
    }

    // ---- podman ----

    @Test
    void podmanLoadsBothArchivesAndKilnReadsWhatPodmanSaves() throws IOException {
        List<String> oci = podman("oci-root");
        String out = run(cmd(oci, "load", "-i", ociTar.toString()));
        assertTrue(out.contains(NAME), out);
        checkPodmanImage(oci, NAME);

        List<String> docker = podman("docker-root");
        out = run(cmd(docker, "load", "-i", dockerTar.toString()));
        assertTrue(out.contains(NAME), out);
        checkPodmanImage(docker, NAME);

        // what podman writes, read by kiln
        Path savedOci = work.resolve("podman-save-oci.tar");
        run(cmd(oci, "save", "--format", "oci-archive", "-o", savedOci.toString(), NAME));
        Path savedDocker = work.resolve("podman-save-docker.tar");
        run(cmd(oci, "save", "--format", "docker-archive", "-o", savedDocker.toString(), NAME));
        // containers/image writes <digest>.tar layers and links the legacy <id>/layer.tar to them
        assertTrue(Tars.read(savedDocker).stream().anyMatch(r -> r.entry().isSymbolicLink()
                && r.name().endsWith("/layer.tar")), "podman's docker-archive has legacy layer links");
        try (ArchiveSource s = OciArchiveReader.open(savedOci, null)) {
            checkKilnRead(s, "podman save --format oci-archive");
        }
        try (ArchiveSource s = DockerArchiveReader.open(savedDocker, NAME)) {
            checkKilnRead(s, "podman save --format docker-archive");
        }
    }

    /** podman on a fresh store of its own (so no blob is known already); the runroot must be under 50 characters. */
    private static List<String> podman(String name) throws IOException {
        Path root = Files.createDirectories(work.resolve("podman-" + name));
        Path run = Files.createTempDirectory(Path.of("/tmp"), "kp");
        shortDirs.add(run);
        return List.of(tool("podman"), "--root", root.resolve("storage").toString(), "--runroot", run.toString(),
                "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs", "--events-backend", "file");
    }

    private static void checkPodmanImage(List<String> podman, String name) {
        JsonNode inspect = json(run(cmd(podman, "image", "inspect", name))).get(0);
        assertEquals("amd64", inspect.path("Architecture").asText(), inspect.toString());
        assertTrue(inspect.path("Config").path("Env").toString().contains("GREETING=hello amd64"), inspect.toString());
        assertEquals("[\"/bin/cat\",\"/hello.txt\"]", inspect.path("Config").path("Cmd").toString());
    }

    // ---- docker 20.10 ----

    @Test
    void dockerLoadsTheDockerArchiveAndKilnReadsDockerSave() throws Exception {
        String docker = tool("docker");
        String dockerd = tool("dockerd");
        // a short folder: the socket path must fit in 108 bytes
        Path d = Files.createTempDirectory(Path.of("/tmp"), "kd");
        Path pidFile = d.resolve("dockerd.pid");
        Process daemon = null;
        try {
            daemon = new ProcessBuilder(dockerd, "--iptables=false", "--ip6tables=false", "--bridge=none", "--storage-driver=vfs",
                    "--host", "unix://" + d.resolve("docker.sock"), "--data-root", d.resolve("data").toString(),
                    "--exec-root", d.resolve("exec").toString(), "--pidfile", pidFile.toString())
                    .redirectErrorStream(true).redirectOutput(d.resolve("log").toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            List<String> cli = List.of(docker, "-H", "unix://" + d.resolve("docker.sock"));
            waitForDocker(cli, daemon, d.resolve("log"));

            String out = run(Duration.ofMinutes(3), cmd(cli, "load", "-i", dockerTar.toString()));
            assertTrue(out.contains("Loaded image: " + NAME), out);
            assertTrue(out.contains("Loaded image: " + NAME + "-linux-arm64"), out);
            for (String arch : List.of("amd64", "arm64")) {
                String tag = arch.equals("amd64") ? NAME : NAME + "-linux-arm64";
                JsonNode inspect = json(run(cmd(cli, "image", "inspect", tag))).get(0);
                assertEquals(arch, inspect.path("Architecture").asText(), inspect.toString());
                assertEquals("linux", inspect.path("Os").asText());
                assertTrue(inspect.path("Config").path("Env").toString().contains("GREETING=hello " + arch), inspect.toString());
                assertEquals("[\"/bin/cat\",\"/hello.txt\"]", inspect.path("Config").path("Cmd").toString());
                assertEquals(2, inspect.path("RootFS").path("Layers").size());
            }

            // docker 20.10 save writes the classic format: kiln reads it
            Path saved = work.resolve("docker-save.tar");
            run(Duration.ofMinutes(3), cmd(cli, "save", "-o", saved.toString(), NAME, NAME + "-linux-arm64"));
            List<String> names = Tars.names(saved);
            assertTrue(names.contains("manifest.json") && !names.contains("index.json")
                    && names.stream().anyMatch(n -> n.endsWith("/layer.tar")), "expected a classic docker save: " + names);
            try (ArchiveSource s = DockerArchiveReader.open(saved, NAME)) {
                assertEquals(MediaTypes.OCI_MANIFEST, s.root().mediaType());
                checkKilnRead(s, "docker save");
            }
            try (ArchiveSource s = DockerArchiveReader.open(saved, NAME + "-linux-arm64")) {
                assertEquals("linux/arm64", new ImageReader(s).image(s.root()).platform().toString());
            }
        } finally {
            stopDocker(daemon, pidFile, d);
        }
    }

    private static void waitForDocker(List<String> cli, Process daemon, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!daemon.isAlive()) {
                fail("dockerd exited with " + daemon.exitValue() + ": " + tail(log));
            }
            Result r = exec(Duration.ofSeconds(10), cmd(cli, "version", "--format", "{{.Server.Version}}"));
            if (r.exit == 0) {
                return;
            }
            Thread.sleep(500);
        }
        fail("dockerd did not answer within 60 s: " + tail(log));
    }

    private static void stopDocker(Process daemon, Path pidFile, Path dir) throws Exception {
        if (daemon != null && daemon.isAlive()) {
            daemon.destroy(); // SIGTERM to the dockerd we started; it stops its containerd
            if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
                daemon.waitFor(10, TimeUnit.SECONDS);
            }
        }
        Path netns = dir.resolve("exec/netns/default");
        if (Files.exists(netns)) {
            exec(Duration.ofSeconds(10), List.of("umount", netns.toString()));
        }
        exec(Duration.ofSeconds(60), List.of("rm", "-rf", "--one-file-system", dir.toString()));
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    // ---- checks shared by the tests ----

    /** An image a peer wrote, read by kiln: the amd64 config, its layers verified while copied into a layout. */
    private static void checkKilnRead(ArchiveSource s, String what) throws IOException {
        ImageReader.Image img = new ImageReader(s).image(TestImages.AMD64);
        assertEquals("linux/amd64", img.platform().toString(), what);
        ContainerConfig c = img.config().value().config();
        assertEquals("hello amd64", c.envMap().get("GREETING"), what);
        assertEquals(List.of("/bin/cat", "/hello.txt"), c.cmd(), what);
        assertEquals(2, img.manifest().value().layers().size(), what);
        assertEquals(img.config().value().diffIds().size(), img.manifest().value().layers().size(), what);
        Path dir = work.resolve("kiln-read-" + what.replaceAll("[^a-z]+", "-"));
        OciLayout layout = OciLayout.openOrCreate(dir);
        try (LayoutDestination d = new LayoutDestination(layout, "read", what)) {
            new Copier(CopyOptions.defaults().withPlatforms(List.of(TestImages.AMD64))).copy(s, d);
        }
        // the layers' content survives: the hello.txt layer is there, uncompressed or not
        Descriptor top = img.manifest().value().layers().get(1);
        try (InputStream in = layout.blobs().openVerified(top)) {
            assertTrue(in.readAllBytes().length > 0);
        }
    }

    private static void schemaCheck(Path dir) {
        Path check = dev.kiln.testing.Peers.script("oci-schema-check");
        if (!Files.isExecutable(check)) {
            fail("oci-schema-check is missing at " + check);
        }
        run(check.toString(), dir.toString());
    }

    // ---- processes ----

    private record Result(int exit, String out, String err) {
    }

    /** The path of a tool, or a failed test that says it is missing. */
    private static String tool(String name) {
        List<String> dirs = new ArrayList<>(Arrays.asList(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"));
        for (String dir : dirs) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                return p.toString();
            }
        }
        fail(name + " is not installed or not on PATH" + INSTALL);
        return null;
    }

    private static List<String> cmd(List<String> base, String... more) {
        List<String> all = new ArrayList<>(base);
        all.addAll(List.of(more));
        return all;
    }

    private static String run(String... command) {
        return run(Duration.ofMinutes(2), List.of(command));
    }

    private static String run(List<String> command) {
        return run(Duration.ofMinutes(2), command);
    }

    /** Runs a command that must succeed; its stdout. */
    private static String run(Duration timeout, List<String> command) {
        Result r = exec(timeout, command);
        if (r.exit != 0) {
            fail(String.join(" ", command) + " failed (exit " + r.exit + "): " + (r.err + " " + r.out).trim());
        }
        return r.out;
    }

    private static Result exec(Duration timeout, List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                fail(String.join(" ", command) + " did not finish within " + timeout.toSeconds() + " s");
            }
            return new Result(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
        } catch (IOException e) {
            fail("cannot run " + command.get(0) + ": " + e.getMessage() + INSTALL);
            return null;
        } catch (Exception e) {
            throw new IllegalStateException(String.join(" ", command) + ": " + e, e);
        }
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode json(String text) {
        try {
            return Json.mapper().readTree(text);
        } catch (IOException e) {
            fail("not JSON: " + text);
            return null;
        }
    }
}
