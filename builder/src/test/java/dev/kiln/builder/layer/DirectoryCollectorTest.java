package dev.kiln.builder.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryCollectorTest {
    private FileSystem jimfs;
    private Path ctx;

    @BeforeEach
    void setUp() throws IOException {
        jimfs = Jimfs.newFileSystem(Configuration.unix().toBuilder()
                .setAttributeViews("basic", "owner", "posix", "unix").build());
        ctx = jimfs.getPath("/work/ctx");
        makeTree(ctx);
    }

    @AfterEach
    void tearDown() throws IOException {
        jimfs.close();
    }

    /** The same tree on any file system: modes set explicitly, so no umask leaks in. */
    static void makeTree(Path root) throws IOException {
        Files.createDirectories(root);
        dir(root.resolve("bin"), "rwxr-xr-x");
        file(root.resolve("bin/run"), "#!/bin/sh\nexit 0\n", "rwxr-xr-x");
        Files.createLink(root.resolve("bin/run-again"), root.resolve("bin/run"));
        file(root.resolve("README"), "read me\n", "rw-r--r--");
        file(root.resolve("secret"), "s3cr3t", "rw-------");
        dir(root.resolve("empty"), "rwx------");
        Files.createSymbolicLink(root.resolve("link"), root.getFileSystem().getPath("README"));
        Files.createSymbolicLink(root.resolve("escape"), root.getFileSystem().getPath("../../etc/passwd"));
        dir(root.resolve("logs"), "rwxr-xr-x");
        file(root.resolve("logs/a.log"), "log", "rw-r--r--");
        file(root.resolve("logs/keep.txt"), "keep", "rw-r--r--");
        dir(root.resolve("node_modules"), "rwxr-xr-x");
        dir(root.resolve("node_modules/x"), "rwxr-xr-x");
        file(root.resolve("node_modules/x/index.js"), "js", "rw-r--r--");
        setPermissions(root, "rwxr-x---");
    }

    private static void dir(Path p, String perms) throws IOException {
        Files.createDirectory(p);
        setPermissions(p, perms);
    }

    private static void file(Path p, String content, String perms) throws IOException {
        Files.writeString(p, content, StandardCharsets.UTF_8);
        setPermissions(p, perms);
    }

    private static void setPermissions(Path p, String perms) throws IOException {
        if (p.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
        }
    }

    private static Map<String, LayerEntry> byPath(List<LayerEntry> entries) {
        return entries.stream().collect(Collectors.toMap(LayerEntry::path, Function.identity()));
    }

    @Test
    void collectsEveryKindOfEntry() throws IOException {
        List<LayerEntry> entries = DirectoryCollector.of(ctx).collect();
        assertEquals(List.of("README", "bin", "bin/run", "bin/run-again", "empty", "escape", "link", "logs",
                "logs/a.log", "logs/keep.txt", "node_modules", "node_modules/x", "node_modules/x/index.js", "secret"),
                entries.stream().map(LayerEntry::path).toList());
        Map<String, LayerEntry> e = byPath(entries);
        assertEquals(LayerEntry.Type.FILE, e.get("bin/run").type());
        assertEquals(0755, e.get("bin/run").mode());
        assertEquals(17, e.get("bin/run").size());
        assertEquals(LayerEntry.Type.HARDLINK, e.get("bin/run-again").type(), "second name of the same inode");
        assertEquals("bin/run", e.get("bin/run-again").linkTarget());
        assertEquals(0600, e.get("secret").mode());
        assertEquals(0644, e.get("README").mode());
        assertEquals(LayerEntry.Type.DIRECTORY, e.get("empty").type(), "empty directory kept");
        assertEquals(0700, e.get("empty").mode());
        assertEquals(LayerEntry.Type.SYMLINK, e.get("link").type());
        assertEquals("README", e.get("link").linkTarget());
        assertEquals(0777, e.get("link").mode());
        assertEquals("../../etc/passwd", e.get("escape").linkTarget(), "stored as a link, not followed or refused");
        for (LayerEntry entry : entries) {
            assertEquals(0, entry.uid(), entry.path());
            assertEquals(0, entry.gid(), entry.path());
        }
    }

    @Test
    void filterDecidesAndCanReachIntoExcludedDirectories() throws IOException {
        PathFilter ignore = new PathFilter() {
            @Override
            public boolean include(String path, boolean directory) {
                return !path.endsWith(".log") && !path.startsWith("node_modules") && !path.equals("logs")
                        && !path.equals("secret");
            }

            @Override
            public boolean mayIncludeUnder(String directory) {
                return directory.equals("logs");
            }
        };
        List<String> paths = DirectoryCollector.of(ctx).withFilter(ignore).collect().stream()
                .map(LayerEntry::path).toList();
        assertEquals(List.of("README", "bin", "bin/run", "bin/run-again", "empty", "escape", "link", "logs",
                "logs/keep.txt"), paths);
    }

    @Test
    void placesEntriesUnderALayerDirectory() throws IOException {
        List<LayerEntry> entries = DirectoryCollector.of(ctx.resolve("bin")).under("usr/local/bin").collect();
        Map<String, LayerEntry> e = byPath(entries);
        assertEquals(List.of("usr/local/bin", "usr/local/bin/run", "usr/local/bin/run-again"),
                entries.stream().map(LayerEntry::path).toList());
        assertEquals(0755, e.get("usr/local/bin").mode(), "the destination directory has the root's mode");
        assertEquals("usr/local/bin/run", e.get("usr/local/bin/run-again").linkTarget());
        LayerEntry readme = DirectoryCollector.of(ctx.resolve("README")).collect().get(0);
        assertEquals("README", readme.path());
        assertEquals(8, readme.size());
        assertEquals("docs/readme.txt", DirectoryCollector.of(ctx.resolve("README")).under("docs/readme.txt")
                .collect().get(0).path());
    }

    @Test
    void aRootThatIsASymlinkIsFollowed() throws IOException {
        Path toDir = jimfs.getPath("/work/bin-link");
        Files.createSymbolicLink(toDir, ctx.resolve("bin"));
        assertEquals(List.of("run", "run-again"), DirectoryCollector.of(toDir).collect().stream()
                .map(LayerEntry::path).toList());
        Path toFile = jimfs.getPath("/work/readme-link");
        Files.createSymbolicLink(toFile, ctx.resolve("README"));
        LayerEntry readme = DirectoryCollector.of(toFile).collect().get(0);
        assertEquals("readme-link", readme.path());
        assertEquals(LayerEntry.Type.FILE, readme.type());
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        new ReproducibleTarWriter(0).write(List.of(readme), tar);
        assertTrue(tar.toString(StandardCharsets.UTF_8).contains("read me\n"));
    }

    @Test
    void resolvesThroughSymlinksOnlyInsideTheRoot() throws IOException {
        Files.createSymbolicLink(ctx.resolve("tools"), jimfs.getPath("bin"));
        Files.createSymbolicLink(ctx.resolve("abs-inside"), jimfs.getPath("/work/ctx/bin"));
        Files.createSymbolicLink(ctx.resolve("abs-outside"), jimfs.getPath("/etc"));
        Files.createSymbolicLink(ctx.resolve("loop"), jimfs.getPath("loop"));
        assertEquals(ctx.resolve("bin/run"), DirectoryCollector.resolveInside(ctx, "tools/run"));
        assertEquals(ctx.resolve("bin/run"), DirectoryCollector.resolveInside(ctx, "abs-inside/run"));
        assertEquals(ctx.resolve("README"), DirectoryCollector.resolveInside(ctx, "link"));
        assertEquals(ctx.resolve("README"), DirectoryCollector.resolveInside(ctx, "bin/../README"));
        LayerException escape = assertThrows(LayerException.class, () -> DirectoryCollector.resolveInside(ctx, "escape"));
        assertTrue(escape.getMessage().contains("outside"), escape.getMessage());
        LayerException abs = assertThrows(LayerException.class,
                () -> DirectoryCollector.resolveInside(ctx, "abs-outside/passwd"));
        assertTrue(abs.getMessage().contains("outside the root"), abs.getMessage());
        assertThrows(LayerException.class, () -> DirectoryCollector.resolveInside(ctx, "../ctx/README"));
        LayerException loop = assertThrows(LayerException.class, () -> DirectoryCollector.resolveInside(ctx, "loop"));
        assertTrue(loop.getMessage().contains("too many levels"), loop.getMessage());
        // collecting still stores all of them as links
        assertEquals("/etc", byPath(DirectoryCollector.of(ctx).collect()).get("abs-outside").linkTarget());
    }

    @Test
    void diskAndJimfsGiveTheSameLayer(@TempDir Path disk) throws IOException {
        Path onDisk = disk.resolve("somewhere/else/ctx");
        makeTree(onDisk);
        for (Compression c : Compression.values()) {
            LayerBuilder builder = LayerBuilder.of(c).withTimestamp(GoldenLayers.TIMESTAMP);
            BuiltLayer fromJimfs = builder.build(DirectoryCollector.of(ctx).under("app").collect(),
                    new ByteArrayOutputStream());
            BuiltLayer fromDisk = builder.withThreads(1).build(DirectoryCollector.of(onDisk).under("app").collect(),
                    new ByteArrayOutputStream());
            assertEquals(fromJimfs, fromDisk, c.name());
        }
        List<LayerEntry> diskEntries = DirectoryCollector.of(onDisk).collect();
        assertEquals(LayerEntry.Type.HARDLINK, byPath(diskEntries).get("bin/run-again").type(),
                "hardlinks found by unix:ino on the default file system");
    }

    @Test
    void withoutPosixAttributesModesDefaultAndHardlinksComeFromTheFileKey() throws IOException {
        try (FileSystem basic = Jimfs.newFileSystem(Configuration.unix())) {
            assertTrue(!basic.supportedFileAttributeViews().contains("posix"));
            Path root = basic.getPath("/ctx");
            makeTree(root);
            Map<String, LayerEntry> e = byPath(DirectoryCollector.of(root).collect());
            assertEquals(0644, e.get("secret").mode());
            assertEquals(0644, e.get("bin/run").mode());
            assertEquals(0755, e.get("empty").mode());
            assertEquals(0777, e.get("link").mode());
            assertEquals(LayerEntry.Type.HARDLINK, e.get("bin/run-again").type());
            assertEquals(LayerEntry.Type.FILE, e.get("README").type());
        }
    }

    @Test
    void onDiskTheWalkTakesEachFilesIdentityAsFileIdentityDoes(@TempDir Path disk) throws IOException {
        Path real = disk.resolve("real/ctx");
        makeTree(real);
        Path viaLink = Files.createSymbolicLink(disk.resolve("link-to-ctx"), real);
        for (Path root : List.of(real, viaLink)) {
            Map<String, LayerEntry> e = byPath(DirectoryCollector.of(root).collect());
            for (String f : List.of("README", "bin/run", "logs/a.log", "node_modules/x/index.js")) {
                assertEquals(FileIdentity.of(real.resolve(f)), e.get(f).content().identity(), f);
                assertTrue(e.get(f).content().identity().startsWith(real.toRealPath().resolve(f) + "|"), f);
            }
        }
        Path readme = real.resolve("README");
        String before = FileIdentity.of(readme);
        java.nio.file.attribute.FileTime mtime = Files.getLastModifiedTime(readme);
        Files.writeString(readme, "READ ME\n"); // same size, same mtime below: the change time differs
        Files.setLastModifiedTime(readme, mtime);
        assertTrue(!before.equals(byPath(DirectoryCollector.of(real).collect()).get("README").content().identity()));
    }
}
