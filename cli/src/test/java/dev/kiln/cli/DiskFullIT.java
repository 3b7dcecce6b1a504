package dev.kiln.cli;

import static dev.kiln.cli.KilnJar.run;
import static dev.kiln.cli.KilnJar.tags;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.testing.Proc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The output layout on a small file system that fills up: a 20 MiB tmpfs (else a loop-mounted
 * ext4 image of the same size, where tmpfs cannot be mounted; the test is skipped, saying why, where
 * neither can). Builds, copies and tags that run out of space exit 1 with one line on stderr that
 * says so and no stack trace; the layout keeps its old tag, passes {@code kiln verify}, and no
 * partial file is left taking the space.
 */
class DiskFullIT {
    @TempDir
    static Path work;
    static Path logs;
    static Path mount;
    static String how;
    static Path loopImage;

    @BeforeAll
    static void mountSmallFileSystem() throws Exception {
        logs = work.resolve("logs");
        mount = Files.createDirectories(work.resolve("small-fs"));
        Proc.Result tmpfs = Proc.run("mount", "-t", "tmpfs", "-o", "size=20m", "tmpfs", mount.toString());
        if (tmpfs.ok()) {
            how = "tmpfs";
            return;
        }
        loopImage = work.resolve("small-fs.img");
        Proc.Result loop = Proc.of("sh", "-c", "truncate -s 20M '" + loopImage + "' && mkfs.ext4 -q -m 0 '" + loopImage
                + "' && mount -o loop '" + loopImage + "' '" + mount + "'").run();
        if (loop.ok()) {
            how = "loop ext4";
            return;
        }
        org.junit.jupiter.api.Assertions.fail("cannot mount a small file system here (tmpfs: " + tmpfs.stderr().strip() + "; loop: "
                + loop.stderr().strip() + "); the disk-full tests need root and mount");
    }

    @AfterAll
    static void unmount() {
        if (how != null) {
            Proc.Result r = Proc.run("umount", mount.toString());
            if (!r.ok()) {
                Proc.run("umount", "-l", mount.toString());
            }
        }
    }

    /** A fresh layout on the small file system holding tag old, and the room left after it. */
    private Path layoutWithOldTag(String name) throws Exception {
        Path layout = mount.resolve(name);
        KilnJar.deleteTree(layout);
        Path old = Files.createDirectories(work.resolve("old-context"));
        Files.writeString(old.resolve("Dockerfile"), "FROM scratch\nCOPY hello /hello\n");
        Files.writeString(old.resolve("hello"), "hello from the old image\n");
        run(logs, "build", "--no-cache", old.toString(), "-t", "old", "-o", "oci:" + layout).ok();
        return layout;
    }

    private static void assertCleanFailure(KilnJar.Result r, Path layout, Map<String, String> before, String what)
            throws Exception {
        assertEquals(1, r.code(), () -> what + " should fail for lack of space\n" + r.describe());
        List<String> lines = r.err().strip().lines().toList();
        assertEquals(1, lines.size(), () -> what + ": want one line on stderr\n" + r.describe());
        assertTrue(lines.get(0).toLowerCase().contains("no space left"), () -> what + ": " + r.describe());
        KilnTestSupport.assertNoStackTrace(r.err());
        assertEquals(before, tags(layout), what + ": the tags changed");
        CrashIT.verifyInProcess(layout, true, what);
        KilnJar.assertOnlyBlobsInBlobs(layout, what);
        try (var tmp = Files.list(layout.resolve(".kiln").resolve("tmp"))) {
            List<Path> left = tmp.toList();
            assertTrue(left.isEmpty(), what + ": partial files left taking the space: " + left);
        } catch (java.nio.file.NoSuchFileException e) {
            // no tmp folder at all: nothing left
        }
    }

    @Test
    void buildLargerThanTheFreeSpaceFailsWithOneLineAndKeepsTheLayout() throws Exception {
        Path layout = layoutWithOldTag("build");
        Map<String, String> before = tags(layout);
        Path big = BigContext.generate(work.resolve("big-context"), 5, 40L << 20, 0.9);
        for (String compression : List.of("gzip", "none")) {
            KilnJar.Result r = run(logs, "build", "--no-cache", "--compression", compression, big.toString(),
                    "--platform", "linux/amd64,linux/arm64,linux/arm/v7", "-t", "new", "-o", "oci:" + layout);
            assertCleanFailure(r, layout, before, "build (" + compression + ", " + how + ")");
        }
        KilnJar.deleteTree(layout);
    }

    @Test
    void copyLargerThanTheFreeSpaceFailsWithOneLineAndKeepsTheLayout() throws Exception {
        Path source = work.resolve("big-source");
        if (!Files.exists(source)) {
            Path big = BigContext.generate(work.resolve("copy-context"), 6, 30L << 20, 0.9);
            run(logs, "build", "--no-cache", "--compression", "none", big.toString(), "-t", "big",
                    "-o", "oci:" + source).ok();
        }
        Path layout = layoutWithOldTag("copy");
        Map<String, String> before = tags(layout);
        KilnJar.Result r = run(logs, "copy", "oci:" + source + ":big", "oci:" + layout + ":new");
        assertCleanFailure(r, layout, before, "copy (" + how + ")");
        KilnJar.deleteTree(layout);
    }

    /** Not a byte left: even index.json cannot be replaced, and the old one stays. */
    @Test
    void tagOnAFullFileSystemKeepsTheOldIndex() throws Exception {
        Path layout = layoutWithOldTag("tag");
        Map<String, String> before = tags(layout);
        Path filler = mount.resolve("filler");
        try {
            fill(filler);
            KilnJar.Result r = run(logs, "tag", "oci:" + layout + ":old", "another");
            assertCleanFailure(r, layout, before, "tag (" + how + ", full)");
            KilnJar.Result b = run(logs, "build", "--no-cache", work.resolve("old-context").toString(), "-t", "again",
                    "-o", "oci:" + layout);
            assertCleanFailure(b, layout, before, "build of blobs the layout has (" + how + ", full)");
        } finally {
            Files.deleteIfExists(filler);
        }
        // with room again, the same tag works
        run(logs, "tag", "oci:" + layout + ":old", "another").ok();
        KilnJar.deleteTree(layout);
    }

    private static void fill(Path filler) throws IOException {
        byte[] chunk = new byte[64 * 1024];
        try (var out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(chunk);
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left")) {
                throw e;
            }
        }
        // the last partial chunk, byte by byte, so not even a small file fits
        try (var out = Files.newOutputStream(filler, java.nio.file.StandardOpenOption.APPEND)) {
            while (true) {
                out.write(0);
                out.flush();
            }
        } catch (IOException e) {
            // full
        }
    }
}
