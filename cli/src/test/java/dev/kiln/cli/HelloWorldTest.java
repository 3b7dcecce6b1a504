package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.builder.image.WindowsLayout;
import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageConfig;
import dev.kiln.layout.spec.ImageIndex;
import dev.kiln.layout.spec.ImageManifest;
import dev.kiln.layout.spec.MediaTypes;
import dev.kiln.layout.spec.Platform;
import dev.kiln.testing.Peers;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The classic {@code docker manifest} "Hello World" (one Linux and one Windows image under one name)
 * done with kiln, in-process: one build with {@code --file-for}, or two builds joined by
 * {@code kiln index create}; the Windows image's shape; the errors {@code docker manifest} users meet.
 * The bases come from {@link HelloWorldBases} (with a placeholder busybox: nothing runs here).
 */
class HelloWorldTest {
    static final String FOREIGN_OCI = MediaTypes.OCI_LAYER_NONDISTRIBUTABLE_GZIP;

    @TempDir
    static Path shared;
    static HelloWorldBases.Bases bases;
    static final Path CONTEXT = Peers.repoRoot().resolve("testdata/hello-world");

    @TempDir
    Path tmp;

    @BeforeAll
    static void writeBases() throws IOException {
        bases = HelloWorldBases.write(shared.resolve("bases"), "busybox placeholder".getBytes(StandardCharsets.UTF_8));
    }

    // --- one command, one tag ---

    @Test
    void oneCommandBuildsBothPlatformsUnderOneTag() throws IOException {
        Path out = tmp.resolve("out");
        buildBoth(out).ok();
        OciLayout layout = OciLayout.open(out);
        List<Descriptor> top = layout.index().manifests();
        assertEquals(1, top.size(), "one top-level entry per tag: " + top);
        Descriptor root = top.get(0);
        assertEquals(MediaTypes.OCI_INDEX, root.mediaType());
        assertEquals("latest", root.annotation(MediaTypes.ANNOTATION_REF_NAME));
        assertEquals("docker.io/library/hello-world:latest", root.annotation(MediaTypes.ANNOTATION_CONTAINERD_NAME));

        List<Descriptor> entries = index(layout, root).manifests();
        assertEquals(2, entries.size(), entries.toString());
        Platform linux = entries.get(0).platform();
        Platform windows = entries.get(1).platform();
        assertEquals("linux/amd64", linux.toString());
        assertNull(linux.osVersion());
        assertEquals("windows", windows.os());
        assertEquals("amd64", windows.architecture());
        assertEquals(HelloWorldBases.NANOSERVER_OS_VERSION, windows.osVersion(), "os.version in the index entry");
        assertNull(windows.osFeatures());
        assertFalse(layout.blobs().exists(bases.foreignLayer().digest()), "the foreign layer is referenced, not copied");

        Run verify = kiln("verify", "--deep", "oci:" + out).ok();
        assertTrue(verify.out.contains("ok: 0 problems"), verify.out);
        assertTrue(verify.out.lines().anyMatch(l -> l.startsWith("external:") && l.contains(FOREIGN_OCI)
                && l.contains(bases.foreignLayer().urls().get(0))), "the foreign layer is listed as external: " + verify.out);
    }

    @Test
    void twoBuildsAndIndexCreateGiveTheSameIndexAsOneCommand() throws IOException {
        Path one = tmp.resolve("one");
        buildBoth(one).ok();
        Path two = tmp.resolve("two");
        kiln("build", CONTEXT.toString(), "--base-layout", bases.dir().toString(), "--timestamp", "0",
                "-f", recipe("linux"), "-t", "linux", "-o", "oci:" + two).ok();
        kiln("build", CONTEXT.toString(), "--base-layout", bases.dir().toString(), "--timestamp", "0",
                "-f", recipe("windows"), "--platform", "windows/amd64", "-t", "windows", "-o", "oci:" + two).ok();
        Run create = kiln("index", "create", "oci:" + two + ":latest", "oci:" + two + ":linux", "oci:" + two + ":windows").ok();
        assertTrue(create.out.contains("(2 images)"), create.out);

        OciLayout a = OciLayout.open(one);
        OciLayout b = OciLayout.open(two);
        assertEquals(a.resolve("latest").digest(), b.resolve("latest").digest(),
                "the same index, byte for byte, whichever way it was made");
        List<Descriptor> entries = index(b, b.resolve("latest")).manifests();
        assertEquals(b.resolve("linux").digest(), entries.get(0).digest());
        assertEquals(b.resolve("windows").digest(), entries.get(1).digest());
        assertEquals(HelloWorldBases.NANOSERVER_OS_VERSION, entries.get(1).platform().osVersion(),
                "index create takes os.version from the image config");
        kiln("verify", "--deep", "oci:" + two).ok();
    }

    @Test
    void indexAnnotateSetsTheOsVersionLikeDockerManifestAnnotate() throws IOException {
        Path out = tmp.resolve("out");
        buildBoth(out).ok();
        kiln("index", "annotate", "oci:" + out + ":hello-world:latest", "windows/amd64", "--os-version", "10.0.17763.9999").ok();
        OciLayout layout = OciLayout.open(out);
        Descriptor windows = index(layout, layout.resolve("hello-world:latest")).manifests().get(1);
        assertEquals("10.0.17763.9999", windows.platform().osVersion());
        assertEquals(1, layout.index().manifests().size(), "the tag moved to the new index");
    }

    // --- what is inside ---

    @Test
    void windowsImageHasCmdsShellFormAWindowsLayerAndItsForeignBase() throws IOException {
        Path out = tmp.resolve("out");
        buildBoth(out).ok();
        OciLayout layout = OciLayout.open(out);
        Descriptor entry = index(layout, layout.resolve("latest")).manifests().get(1);
        ImageManifest manifest = ImageManifest.parse(layout.blobs().readSmall(entry), "windows manifest");
        ImageConfig config = ImageConfig.parse(layout.blobs().readSmall(manifest.config()), "windows config");

        assertEquals("windows", config.os());
        assertEquals(HelloWorldBases.NANOSERVER_OS_VERSION, config.osVersion());
        // Docker's shell form for Windows: the default SHELL cmd /S /C, then the command line as one argument
        // (what BuildKit writes), with ArgsEscaped so the Windows engine passes that line on unquoted.
        assertEquals(List.of("cmd", "/S", "/C", "echo \"Hello World from Windows\""), config.config().cmd());
        assertEquals(Boolean.TRUE, config.config().argsEscaped());
        assertEquals("ContainerUser", config.config().user(), "the base's USER is kept");

        List<Descriptor> layers = manifest.layers();
        assertEquals(3, layers.size(), layers.toString());
        Descriptor foreign = layers.get(0);
        assertEquals(FOREIGN_OCI, foreign.mediaType(), "OCI output: a foreign layer becomes nondistributable");
        assertEquals(bases.foreignLayer().digest(), foreign.digest());
        assertEquals(bases.foreignLayer().size(), foreign.size());
        assertEquals(bases.foreignLayer().urls(), foreign.urls(), "the foreign layer keeps its urls");
        assertEquals(bases.foreignDiffId(), config.diffIds().get(0));
        assertEquals(3, config.diffIds().size());

        Map<String, TarArchiveEntry> tar = new LinkedHashMap<>();
        Map<String, byte[]> content = new LinkedHashMap<>();
        try (InputStream in = layout.blobs().openVerified(layers.get(2));
             TarArchiveInputStream t = new TarArchiveInputStream(new GZIPInputStream(in))) {
            for (TarArchiveEntry e; (e = t.getNextEntry()) != null; ) {
                tar.put(e.getName(), e);
                content.put(e.getName(), t.readAllBytes());
            }
        }
        assertEquals(List.of("Files/", "Files/hello/", "Files/hello/hello.txt", "Hives/"), List.copyOf(tar.keySet()));
        assertArrayEquals(Files.readAllBytes(CONTEXT.resolve("hello.txt")), content.get("Files/hello/hello.txt"));
        for (TarArchiveEntry e : tar.values()) {
            String sd = e.getExtraPaxHeaders().get(WindowsLayout.RAWSD);
            assertTrue(sd != null && !sd.isEmpty(), e.getName() + " carries a PAX " + WindowsLayout.RAWSD + " record: "
                    + e.getExtraPaxHeaders());
            byte[] raw = Base64.getDecoder().decode(sd);
            assertEquals(1, raw[0], "a self-relative security descriptor, revision 1");
            assertEquals(0x80, raw[3] & 0x80, "SE_SELF_RELATIVE");
        }
    }

    @Test
    void linuxImageKeepsTheBaseLayerAndGetsShellFormCmd() throws IOException {
        Path out = tmp.resolve("out");
        buildBoth(out).ok();
        OciLayout layout = OciLayout.open(out);
        Descriptor entry = index(layout, layout.resolve("latest")).manifests().get(0);
        ImageManifest manifest = ImageManifest.parse(layout.blobs().readSmall(entry), "linux manifest");
        ImageConfig config = ImageConfig.parse(layout.blobs().readSmall(manifest.config()), "linux config");
        assertEquals(List.of("/bin/sh", "-c", "echo \"Hello World from Linux\""), config.config().cmd());
        assertEquals(Boolean.TRUE, config.config().argsEscaped(), "BuildKit sets ArgsEscaped on every CMD, Linux too");
        ImageManifest base = ImageManifest.parse(OciLayout.open(bases.dir()).blobs().readSmall(bases.alpine()), "alpine");
        assertEquals(base.layers(), manifest.layers(), "the base layer is reused as it is");
    }

    @Test
    void dockerFormatKeepsDockersForeignLayerType() throws IOException {
        Path out = tmp.resolve("out");
        buildBoth(out, "--format", "docker").ok();
        OciLayout layout = OciLayout.open(out);
        ImageIndex list = index(layout, layout.resolve("latest"));
        assertEquals(MediaTypes.DOCKER_MANIFEST_LIST, list.mediaType());
        ImageManifest windows = ImageManifest.parse(layout.blobs().readSmall(list.manifests().get(1)), "windows");
        assertEquals(MediaTypes.DOCKER_LAYER_FOREIGN_GZIP, windows.layers().get(0).mediaType());
        assertEquals(bases.foreignLayer().urls(), windows.layers().get(0).urls());
        assertEquals(MediaTypes.DOCKER_LAYER_GZIP, windows.layers().get(2).mediaType());
        kiln("verify", "--deep", "oci:" + out).ok();
    }

    // --- air-gapped ---

    @Test
    void airGappedArchiveLeavesTheForeignLayerOutUnlessAskedAndHoldsItWhenTheMirrorHasIt() throws IOException {
        Path out = tmp.resolve("out");
        buildBoth(out).ok();
        Path archive = tmp.resolve("hello-world.tar");
        Run copy = kiln("copy", "oci:" + out + ":latest", "oci-archive:" + archive + ":latest").ok();
        assertTrue(copy.out.contains("1 foreign layer referenced by url, not copied"), copy.out);
        assertFalse(tarNames(archive).contains("blobs/sha256/" + bases.foreignLayer().digest().hex()));

        // the connected side: unpack the archive into a layout and check it
        Path connected = tmp.resolve("connected");
        kiln("copy", "oci-archive:" + archive + ":latest", "oci:" + connected + ":hello-world:latest").ok();
        assertEquals(OciLayout.open(out).resolve("latest").digest(), OciLayout.open(connected).resolve("latest").digest());
        assertTrue(kiln("verify", "--deep", "oci:" + connected).ok().out.contains("1 external blob"));

        // asked for, but nowhere to be found: said so
        Run asked = kiln("copy", "--include-nondistributable", "oci:" + out + ":latest",
                "oci-archive:" + tmp.resolve("asked.tar") + ":latest").ok();
        assertTrue(asked.out.contains("1 foreign layer is not in the source"), asked.out);

        // a mirror that holds the foreign blob (fetched once from MCR): the build keeps it, the flag carries it
        Path mirror = tmp.resolve("mirror");
        HelloWorldBases.Bases full = HelloWorldBases.write(mirror, "busybox placeholder".getBytes(StandardCharsets.UTF_8));
        OciLayout.open(mirror).blobs().put(full.foreignLayer(), new ByteArrayInputStream(full.foreignBlob()));
        Path withBlob = tmp.resolve("with-blob");
        kiln("build", CONTEXT.toString(), "--base-layout", mirror.toString(), "--timestamp", "0",
                "--file-for", "linux/amd64=" + recipe("linux"), "--file-for", "windows/amd64=" + recipe("windows"),
                "-t", "hello-world:latest", "-o", "oci:" + withBlob).ok();
        assertTrue(OciLayout.open(withBlob).blobs().exists(full.foreignLayer().digest()));
        Path included = tmp.resolve("included.tar");
        kiln("copy", "--include-nondistributable", "oci:" + withBlob + ":latest", "oci-archive:" + included + ":latest").ok();
        assertTrue(tarNames(included).contains("blobs/sha256/" + full.foreignLayer().digest().hex()));
        Path left = tmp.resolve("left.tar");
        kiln("copy", "oci:" + withBlob + ":latest", "oci-archive:" + left + ":latest").ok();
        assertFalse(tarNames(left).contains("blobs/sha256/" + full.foreignLayer().digest().hex()));
    }

    // --- errors docker manifest users meet ---

    @Test
    void indexCreateWithAnImageMissingFromTheLayout() throws IOException {
        Path out = twoTags();
        Run r = kiln("index", "create", "oci:" + out + ":latest", "oci:" + out + ":linux", "oci:" + out + ":windws");
        r.failsWith(1, "no image tagged 'windws' (tags: linux, windows)");
        assertNoTag(out, "latest");
    }

    @Test
    void indexCreateWithTwoImagesForOnePlatform() throws IOException {
        Path out = twoTags();
        // the Linux recipe built a second time under the Windows name (no --platform windows/amd64)
        kiln("build", CONTEXT.toString(), "--base-layout", bases.dir().toString(), "-f", recipe("linux"),
                "-t", "windows", "-o", "oci:" + out).ok();
        Run r = kiln("index", "create", "oci:" + out + ":latest", "oci:" + out + ":linux", "oci:" + out + ":windows");
        r.failsWith(1, "two images for platform linux/amd64: oci:" + out + ":linux and oci:" + out
                + ":windows; an index holds one image per platform");
        assertNoTag(out, "latest");
    }

    @Test
    void indexCreateWithATagThatNamesAnIndex() throws IOException {
        Path out = twoTags();
        kiln("index", "create", "oci:" + out + ":latest", "oci:" + out + ":linux", "oci:" + out + ":windows").ok();
        Run r = kiln("index", "create", "oci:" + out + ":v2", "oci:" + out + ":latest");
        r.failsWith(1, "oci:" + out + ":latest names an image index (2 platforms), not a single image");
        assertNoTag(out, "v2");
    }

    @Test
    void indexAnnotateOnASingleImage() throws IOException {
        Path out = twoTags();
        kiln("index", "annotate", "oci:" + out + ":windows", "windows/amd64", "--os-version", "10.0.17763.5576")
                .failsWith(1, "names a single image, not an index; make one with: kiln index create");
    }

    @Test
    void windowsRecipeBuiltForTheDefaultPlatform() {
        Run r = kiln("build", CONTEXT.toString(), "--base-layout", bases.dir().toString(), "-f", recipe("windows"),
                "-t", "windows", "-o", "oci:" + tmp.resolve("out"));
        r.failsWith(1, "no image for platform linux/amd64 (available: windows(10.0.17763.5576)/amd64)");
    }

    @Test
    void fileForGivenTwiceForOnePlatformIsBadUsage() {
        Run r = buildBoth(tmp.resolve("out"), "--file-for", "linux/amd64=" + recipe("windows"));
        r.failsWith(2, "--file-for linux/amd64 is given twice");
        assertFalse(Files.exists(tmp.resolve("out")), "nothing written");
    }

    // --- helpers ---

    /** The result of one in-process kiln run. */
    record Run(List<String> args, int exit, String out, String err) {
        Run ok() {
            assertEquals(0, exit, () -> "kiln " + String.join(" ", args) + " exited " + exit + "\n" + err + out);
            return this;
        }

        /** Exit code CODE and exactly one line on stderr, "kiln: ...", holding TEXT. */
        void failsWith(int code, String text) {
            assertEquals(code, exit, () -> "kiln " + String.join(" ", args) + ": " + err + out);
            List<String> lines = err.lines().toList();
            assertEquals(1, lines.size(), "a one-line message: " + err);
            assertTrue(lines.get(0).startsWith("kiln: ") && lines.get(0).contains(text), "want '" + text + "' in: " + err);
        }
    }

    static Run kiln(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Kiln.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(List.of(args), code, out.toString(), err.toString());
    }

    static String recipe(String os) {
        return CONTEXT.resolve("Dockerfile." + os).toString();
    }

    /** {@code kiln build testdata/hello-world --base-layout BASES --file-for ... -t hello-world:latest -o oci:OUT}. */
    static Run buildBoth(Path out, String... extra) {
        return buildBoth(bases.dir(), out, extra);
    }

    static Run buildBoth(Path basesDir, Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("build", CONTEXT.toString(), "--base-layout", basesDir.toString(),
                "--timestamp", "0",
                "--file-for", "linux/amd64=" + recipe("linux"), "--file-for", "windows/amd64=" + recipe("windows"),
                "-t", "hello-world:latest", "-o", "oci:" + out));
        args.addAll(List.of(extra));
        return kiln(args.toArray(String[]::new));
    }

    /** A layout with the Linux image tagged {@code linux} and the Windows one {@code windows}. */
    Path twoTags() {
        Path out = tmp.resolve("two");
        kiln("build", CONTEXT.toString(), "--base-layout", bases.dir().toString(), "-f", recipe("linux"),
                "-t", "linux", "-o", "oci:" + out).ok();
        kiln("build", CONTEXT.toString(), "--base-layout", bases.dir().toString(), "-f", recipe("windows"),
                "--platform", "windows/amd64", "-t", "windows", "-o", "oci:" + out).ok();
        return out;
    }

    static ImageIndex index(OciLayout layout, Descriptor d) throws IOException {
        return ImageIndex.parse(layout.blobs().readSmall(d), d.digest().toString());
    }

    static void assertNoTag(Path out, String tag) {
        assertTrue(OciLayout.open(out).index().manifests().stream()
                        .noneMatch(d -> tag.equals(d.annotation(MediaTypes.ANNOTATION_REF_NAME))),
                "a failed index create tags nothing");
    }

    static List<String> tarNames(Path tar) throws IOException {
        List<String> names = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(tar))) {
            for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
                names.add(e.getName());
            }
        }
        return names;
    }
}
