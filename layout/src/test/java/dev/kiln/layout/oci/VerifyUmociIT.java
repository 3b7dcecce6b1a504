package dev.kiln.layout.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.spec.ContainerConfig;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.History;
import dev.kiln.layout.spec.ImageConfig;
import dev.kiln.layout.spec.ImageManifest;
import dev.kiln.layout.spec.MediaTypes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * For each corruption that umoci (the strictest peer) catches, checks that kiln's deep verify
 * reports it too: a valid single-platform layout with a real gzip layer is built and unpacked by
 * umoci, then a fresh copy is broken one way and both umoci and kiln must refuse it.
 */
class VerifyUmociIT {
    private static final String TAG = "latest";
    private static final String HELLO = "hello from kiln\n";

    @TempDir
    Path tmp;
    private Path valid;

    @BeforeAll
    static void requireUmoci() {
        Run version;
        try {
            version = run(List.of("umoci", "--version"), null);
        } catch (IOException e) {
            fail("umoci is needed for this test but is not on PATH (" + e.getMessage()
                    + "); install it with scripts/install-test-tools");
            return;
        }
        assertEquals(0, version.exit(), () -> "umoci --version failed: " + version.output());
    }

    @BeforeEach
    void buildValidLayout() throws IOException {
        valid = tmp.resolve("valid");
        OciLayout layout = OciLayout.openOrCreate(valid);
        byte[] tar = tar();
        Descriptor layer = layout.blobs().putBytes(MediaTypes.OCI_LAYER_GZIP, gzip(tar));
        ContainerConfig.Builder cc = new ContainerConfig.Builder();
        cc.cmd = List.of("/bin/sh");
        cc.env = List.of("PATH=/usr/bin:/bin");
        ImageConfig config = new ImageConfig(Fixture.CREATED, null, "amd64", "linux", null, null, null, cc.build(),
                List.of(Digest.sha256(tar)), List.of(new History(Fixture.CREATED, "COPY hello /hello", false)), null);
        Descriptor c = layout.blobs().putBytes(MediaTypes.OCI_CONFIG, config.toBytes());
        Descriptor m = layout.blobs().putBytes(MediaTypes.OCI_MANIFEST,
                new ImageManifest(MediaTypes.OCI_MANIFEST, c, List.of(layer)).toBytes());
        layout.tag(LayoutTag.parse(TAG), m.withPlatform(Fixture.AMD64));

        VerifyReport report = new Verifier(valid, true).verify();
        assertTrue(report.ok() && report.warnings().isEmpty(), () -> "kiln finds fault with the valid layout: "
                + report.problems() + " " + report.warnings());
        Path bundle = tmp.resolve("valid-bundle");
        Run unpack = umociUnpack(valid, bundle);
        assertEquals(0, unpack.exit(), () -> "umoci refuses the valid layout: " + unpack.output());
        assertEquals(HELLO, Files.readString(bundle.resolve("rootfs/hello/hello.txt")));
    }

    enum Corruption {
        /** the layer's gzip header MTIME changed: same size, same uncompressed tar, another digest */
        WRONG_DIGEST("digest mismatch", "content hashes to"),
        /** the manifest says the layer is one byte longer than it is */
        WRONG_SIZE("size mismatch", "the descriptor says"),
        MISSING_BLOB("no such file or directory", "blob is missing"),
        /** the config's diff_id is not the uncompressed layer's digest */
        WRONG_DIFF_ID("diffid mismatch", "uncompressed content hashes to"),
        MISSING_OCI_LAYOUT("oci-layout", "oci-layout is missing");

        /** what umoci 0.4.7 says, so that it is known to fail for this reason and not another */
        final String umociSays;
        final String kilnSays;

        Corruption(String umociSays, String kilnSays) {
            this.umociSays = umociSays;
            this.kilnSays = kilnSays;
        }
    }

    @ParameterizedTest
    @EnumSource(Corruption.class)
    void umociAndKilnBothRefuse(Corruption corruption) throws IOException {
        Path broken = tmp.resolve("broken-" + corruption.name().toLowerCase());
        copyTree(valid, broken);
        corrupt(OciLayout.open(broken), corruption);

        Run unpack = umociUnpack(broken, tmp.resolve("bundle-" + corruption.name().toLowerCase()));
        assertNotEquals(0, unpack.exit(), () -> "umoci accepted a layout with " + corruption + ": " + unpack.output());
        assertTrue(unpack.output().contains(corruption.umociSays),
                () -> "umoci failed, but not for " + corruption + ": " + unpack.output());

        VerifyReport report = new Verifier(broken, true).verify();
        assertTrue(report.problems().stream().anyMatch(p -> p.message().contains(corruption.kilnSays)),
                () -> "kiln verify misses " + corruption + " (umoci said: " + unpack.output().strip() + "); kiln found "
                        + report.problems());
    }

    private static void corrupt(OciLayout layout, Corruption corruption) throws IOException {
        ImageManifest m = Fixture.manifest(layout, layout.resolve(TAG));
        Descriptor layer = m.layers().get(0);
        switch (corruption) {
            case WRONG_DIGEST -> {
                Path file = Fixture.blob(layout, layer.digest());
                byte[] bytes = Files.readAllBytes(file);
                bytes[4] ^= 0x01; // MTIME: the gzip stream stays valid and decompresses to the same tar
                Files.write(file, bytes);
            }
            case WRONG_SIZE -> Fixture.rewriteManifest(layout, TAG, x -> x.withLayers(List.of(
                    new Descriptor(layer.mediaType(), layer.digest(), layer.size() + 1))));
            case MISSING_BLOB -> Files.delete(Fixture.blob(layout, layer.digest()));
            case WRONG_DIFF_ID -> Fixture.rewriteConfig(layout, TAG,
                    c -> c.withLayers(List.of(Digest.sha256("not the layer")), c.history()));
            case MISSING_OCI_LAYOUT -> Files.delete(layout.root().resolve(OciLayout.LAYOUT_FILE));
        }
    }

    // ---- a real layer: a tar built entry by entry (no times or owners from this machine), gzip-compressed

    private static byte[] tar() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            TarArchiveEntry dir = new TarArchiveEntry("hello/");
            dir.setMode(040755);
            dir.setModTime(0);
            tar.putArchiveEntry(dir);
            tar.closeArchiveEntry();
            byte[] content = HELLO.getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry file = new TarArchiveEntry("hello/hello.txt");
            file.setMode(0100644);
            file.setModTime(0);
            file.setSize(content.length);
            tar.putArchiveEntry(file);
            tar.write(content);
            tar.closeArchiveEntry();
            tar.finish();
        }
        return out.toByteArray();
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, to.resolve(from.relativize(file).toString()));
                return FileVisitResult.CONTINUE;
            }
        });
    }

    // ---- running umoci

    private record Run(int exit, String output) {
    }

    private Run umociUnpack(Path layout, Path bundle) throws IOException {
        return run(List.of("umoci", "unpack", "--rootless", "--image", layout + ":" + TAG, bundle.toString()), tmp);
    }

    private static Run run(List<String> command, Path workDir) throws IOException {
        Path log = Files.createTempFile("umoci-", ".log");
        try {
            ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            if (workDir != null) {
                pb.directory(workDir.toFile());
            }
            Process p = pb.start();
            try {
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    fail(String.join(" ", command) + " did not finish within 120 s");
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while running " + command.get(0), e);
            }
            String output = Files.readString(log);
            return new Run(p.exitValue(), output.length() > 2000 ? output.substring(0, 2000) + "..." : output);
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
