package dev.kiln.layout.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.oci.LayoutTag;
import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageIndex;
import dev.kiln.layout.spec.MediaTypes;
import dev.kiln.layout.transport.CopyOptions;
import dev.kiln.layout.transport.CopyResult;
import dev.kiln.layout.transport.Copier;
import dev.kiln.layout.transport.ImageClosure;
import dev.kiln.layout.transport.ImageDestination;
import dev.kiln.layout.transport.ImageReference;
import dev.kiln.layout.transport.ImageSource;
import dev.kiln.layout.transport.LayoutDestination;
import dev.kiln.layout.transport.TransportOptions;
import dev.kiln.layout.transport.Transports;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OciArchiveTest {
    private final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());
    private final Path tmp = fs.getPath("/tmp");
    private final TransportOptions options = TransportOptions.defaults().withTempDir(tmp);

    @AfterEach
    void close() throws IOException {
        fs.close();
    }

    @Test
    void sameContentGivesTheSameBytes() throws IOException {
        TestImages.Built a = TestImages.twoPlatforms(fs.getPath("/a"), "1.0");
        Path t1 = fs.getPath("/out/one.tar");
        new OciArchiveWriter().writeLayout(a.layout(), t1);
        new OciArchiveWriter().writeLayout(a.layout(), fs.getPath("/out/two.tar"));
        assertArrayEquals(Files.readAllBytes(t1), Files.readAllBytes(fs.getPath("/out/two.tar")));

        // other times on disk change nothing
        try (Stream<Path> files = Files.walk(a.layout().root())) {
            for (Path p : files.toList()) {
                Files.setLastModifiedTime(p, FileTime.fromMillis(1_234_567_000L));
            }
        }
        new OciArchiveWriter().writeLayout(a.layout(), fs.getPath("/out/three.tar"));
        assertArrayEquals(Files.readAllBytes(t1), Files.readAllBytes(fs.getPath("/out/three.tar")));

        // the same image built again elsewhere
        TestImages.Built b = TestImages.twoPlatforms(fs.getPath("/b"), "1.0");
        new OciArchiveWriter().writeLayout(b.layout(), fs.getPath("/out/four.tar"));
        assertArrayEquals(Files.readAllBytes(t1), Files.readAllBytes(fs.getPath("/out/four.tar")));
        // no temp files left beside the targets
        try (Stream<Path> out = Files.list(fs.getPath("/out"))) {
            assertEquals(4, out.count());
        }
    }

    @Test
    void archivesWrittenFromAStagedLayoutAreTheSameAsCopiedOnes() throws IOException {
        TestImages.Built a = TestImages.twoPlatforms(fs.getPath("/a"), "1.0");
        Transports transports = Transports.standard();
        for (String out : List.of("oci-archive:/out/%s.tar:1.0", "docker-archive:/out/%s-docker.tar:hello:1.0")) {
            CopyOptions copy = CopyOptions.defaults().withDefaultPlatform(TestImages.AMD64);
            try (ImageSource src = transports.openSource(ImageReference.parse("oci:/a:1.0"), fs, options);
                 ImageDestination dst = transports.openDestination(ImageReference.parse(out.formatted("copied")), fs, options)) {
                new Copier(copy).copy(src, dst);
            }
            CopyResult staged;
            try (ImageSource src = transports.openSource(ImageReference.parse("oci:/a:1.0"), fs, options);
                 ImageDestination dst = ArchiveTransports.fromStaged(ImageReference.parse(out.formatted("staged")), fs,
                         options, a.layout())) {
                staged = new Copier(copy).copy(src, dst);
            }
            assertEquals(List.of(), staged.copied(), "every blob is in the staged layout already");
            Path copied = fs.getPath(out.formatted("copied").split(":")[1]);
            assertArrayEquals(Files.readAllBytes(copied), Files.readAllBytes(fs.getPath(out.formatted("staged").split(":")[1])));
        }
        assertTrue(OciLayout.isLayout(a.layout().root()), "closing the destination leaves the staged layout");
        assertEmpty(tmp);
    }

    @Test
    void trustedBlobsAreCopiedWithoutHashingButTheirSizeIsChecked() throws IOException {
        TestImages.Built a = TestImages.twoPlatforms(fs.getPath("/a"), "1.0");
        Descriptor root = a.manifests().get("amd64");
        OciArchiveWriter writer = new OciArchiveWriter();
        writer.writeImage(a.layout(), root, List.of("1.0"), fs.getPath("/verified.tar"));
        writer.writeImage(a.layout(), root, List.of("1.0"), fs.getPath("/trusted.tar"), true);
        assertArrayEquals(Files.readAllBytes(fs.getPath("/verified.tar")), Files.readAllBytes(fs.getPath("/trusted.tar")));

        Path layer = a.layout().blobs().path(a.sharedLayer().digest());
        byte[] bytes = Files.readAllBytes(layer);
        Files.write(layer, java.util.Arrays.copyOf(bytes, bytes.length - 1));
        ArchiveException e = assertThrows(ArchiveException.class,
                () -> writer.writeImage(a.layout(), root, List.of("1.0"), fs.getPath("/short.tar"), true));
        assertTrue(e.getMessage().contains("expected " + bytes.length), e.getMessage());
        assertFalse(Files.exists(fs.getPath("/short.tar")));
        bytes[0] ^= 1; // same size, other content: only an untrusted (verified) write sees it
        Files.write(layer, bytes);
        assertThrows(dev.kiln.layout.digest.DigestMismatchException.class,
                () -> writer.writeImage(a.layout(), root, List.of("1.0"), fs.getPath("/bad.tar")));
        assertFalse(Files.exists(fs.getPath("/bad.tar")));
        try (Stream<Path> left = Files.list(fs.getPath("/"))) {
            assertTrue(left.noneMatch(p -> p.getFileName() != null && p.getFileName().toString().endsWith(".partial")));
        }
    }

    @Test
    void entriesAreSortedWithFixedMetadataAndGoStylePadding() throws IOException {
        TestImages.Built a = TestImages.twoPlatforms(fs.getPath("/a"), "1.0");
        Path t = fs.getPath("/img.tar");
        new OciArchiveWriter().writeLayout(a.layout(), t);
        List<String> blobs = ImageClosure.of(a.index(), a.layout().blobs()::readSmall, "a").stream()
                .map(n -> "blobs/sha256/" + n.descriptor().digest().hex()).sorted().toList();
        List<String> want = new ArrayList<>(List.of("oci-layout", "index.json", "blobs/", "blobs/sha256/"));
        want.addAll(blobs);
        List<Tars.Read> entries = Tars.read(t);
        assertEquals(want, entries.stream().map(Tars.Read::name).toList());
        for (Tars.Read r : entries) {
            TarArchiveEntry e = r.entry();
            assertEquals(0, e.getModTime().getTime(), e.getName());
            assertEquals(0, e.getLongUserId());
            assertEquals(0, e.getLongGroupId());
            assertEquals("", e.getUserName());
            assertEquals("", e.getGroupName());
            assertEquals(e.isDirectory() ? 040755 : 0100644, e.getMode(), e.getName());
        }
        assertArrayEquals(Files.readAllBytes(a.layout().root().resolve("index.json")), entries.get(1).content());
        assertEquals("{\"imageLayoutVersion\":\"1.0.0\"}", entries.get(0).text());
        // USTAR headers only (no PAX 'x'), and only the 1024-byte end marker after the last entry
        List<Character> types = Tars.rawTypes(Files.readAllBytes(t));
        assertFalse(types.contains('x') || types.contains('g'), types.toString());
        assertFalse(a.layout().root().resolve(".kiln").toString().isEmpty());
        assertTrue(entries.stream().noneMatch(r -> r.name().contains(".kiln")));
    }

    @Test
    void aTimestampDatesEveryEntry() throws IOException {
        TestImages.Built a = TestImages.twoPlatforms(fs.getPath("/a"), "1.0");
        Path t = fs.getPath("/img.tar");
        OciArchiveWriter.withTimestamp(java.time.Instant.ofEpochSecond(1_700_000_000L)).writeLayout(a.layout(), t);
        for (Tars.Read r : Tars.read(t)) {
            assertEquals(1_700_000_000_000L, r.entry().getModTime().getTime());
        }
    }

    @Test
    void oneImageHoldsOnlyItsClosureUnderItsNames() throws IOException {
        TestImages.Built a = TestImages.twoPlatforms(fs.getPath("/a"), "1.0");
        List<Digest> ids = new ArrayList<>();
        Descriptor other = TestImages.manifest(a.layout(), TestImages.AMD64,
                List.of(TestImages.gzipLayer(a.layout(), Map.of("other", "x"), ids)), ids, null, null);
        a.layout().tag(LayoutTag.parse("other"), other);
        Path t = fs.getPath("/img.tar");
        new OciArchiveWriter().writeImage(a.layout(), a.index(), List.of("example.com/hello:1.0"), t);
        long blobs = Tars.names(t).stream().filter(n -> n.matches("blobs/sha256/.+")).count();
        assertEquals(8, blobs);
        ImageIndex index = ImageIndex.parse(Tars.byName(t).get("index.json").content(), "index.json");
        assertEquals(1, index.manifests().size());
        Descriptor entry = index.manifests().get(0);
        assertEquals(a.index().digest(), entry.digest());
        assertEquals(Map.of(MediaTypes.ANNOTATION_REF_NAME, "1.0", MediaTypes.ANNOTATION_CONTAINERD_NAME, "example.com/hello:1.0"),
                entry.annotations());
    }

    @Test
    void roundTripKeepsEveryDigestAndCleansUp() throws IOException {
        TestImages.Built a = TestImages.twoPlatforms(fs.getPath("/a"), "1.0");
        Path t = fs.getPath("/img.tar");
        new OciArchiveWriter().writeImage(a.layout(), a.index(), List.of("example.com/hello:1.0"), t);
        OciLayout copy = OciLayout.openOrCreate(fs.getPath("/copy"));
        Path extracted;
        try (ArchiveSource src = OciArchiveReader.open(t, "example.com/hello:1.0", options, "oci-archive:/img.tar")) {
            extracted = src.layout().root();
            assertTrue(Files.isDirectory(extracted));
            assertEquals(a.index().digest(), src.root().digest());
            try (LayoutDestination d = new LayoutDestination(copy, "back", "copy")) {
                CopyResult r = new Copier().copy(src, d);
                assertFalse(r.rootChanged());
            }
        }
        assertFalse(Files.exists(extracted));
        for (ImageClosure.Node n : ImageClosure.of(a.index(), a.layout().blobs()::readSmall, "a")) {
            assertArrayEquals(Files.readAllBytes(a.layout().blobs().path(n.descriptor().digest())),
                    Files.readAllBytes(copy.blobs().path(n.descriptor().digest())));
        }
        // by the tag alone, or as the only image
        try (ArchiveSource src = OciArchiveReader.open(t, "1.0", options, "x")) {
            assertEquals(a.index().digest(), src.root().digest());
        }
        try (ArchiveSource src = OciArchiveReader.open(t, null, options, "x")) {
            assertEquals(a.index().digest(), src.root().digest());
            assertEquals(null, src.root().annotations());
        }
        ArchiveException e = assertThrows(ArchiveException.class, () -> OciArchiveReader.open(t, "2.0", options, "oci-archive:/img.tar:2.0"));
        assertEquals("oci-archive:/img.tar:2.0: no image named '2.0' in the archive (names: example.com/hello:1.0)", e.getMessage());
        assertEmpty(tmp);
    }

    @Test
    void gzippedArchivesAndDotSlashNamesAreRead() throws IOException {
        TestImages.Built a = TestImages.twoPlatforms(fs.getPath("/a"), "1.0");
        Path t = fs.getPath("/img.tar");
        new OciArchiveWriter().writeLayout(a.layout(), t);
        Tars.Builder b = new Tars.Builder().dir("./");
        for (Tars.Read r : Tars.read(t)) {
            if (r.entry().isDirectory()) {
                b.dir("./" + r.name());
            } else {
                b.file("./" + r.name(), r.content());
            }
        }
        Path gz = fs.getPath("/img.tar.gz");
        Files.write(gz, TestImages.gzip(b.bytes()));
        try (ArchiveSource src = OciArchiveReader.open(gz, "1.0", options, "gz")) {
            assertEquals(a.index().digest(), src.root().digest());
            assertTrue(src.hasBlob(a.sharedLayer()));
        }
    }

    @Test
    void filesBeyondTheLayoutAreIgnoredAndNotStored() throws IOException {
        // kiln's own layout tarred by hand (its .kiln folder and lock), with a README: the image-layout spec's unknown files
        TestImages.Built a = TestImages.twoPlatforms(fs.getPath("/a"), "1.0");
        Path t = fs.getPath("/img.tar");
        new OciArchiveWriter().writeLayout(a.layout(), t);
        byte[] readme = "# what this archive holds\n".getBytes(StandardCharsets.UTF_8);
        Tars.Builder b = new Tars.Builder().file("README.md", readme).dir(".kiln").file(".kiln/gc.lock", "")
                .file("notes/1.txt", readme);
        for (Tars.Read r : Tars.read(t)) {
            if (r.entry().isDirectory()) {
                b.dir(r.name());
            } else {
                b.file(r.name(), r.content());
            }
        }
        Path extra = fs.getPath("/extra.tar");
        b.writeTo(extra);
        try (ArchiveSource src = OciArchiveReader.open(extra, "1.0", options, "oci-archive:/extra.tar:1.0")) {
            assertEquals(a.index().digest(), src.root().digest());
            assertFalse(src.layout().blobs().exists(Digest.sha256(readme)), "an unknown file is skipped, not stored");
            assertEquals(List.of(), Files.list(src.layout().root()).map(p -> p.getFileName().toString())
                    .filter(n -> !List.of("oci-layout", "index.json", "blobs", ".kiln").contains(n)).toList());
        }
        assertEmpty(tmp);
    }

    @Test
    void hostileEntriesAreRefusedWithOneLine() throws IOException {
        byte[] blob = "hello".getBytes();
        String hex = Digest.sha256(blob).hex();
        String index = "{\"schemaVersion\":2,\"manifests\":[]}";
        record Case(String why, Tars.Builder tar, String message) {
        }
        List<Case> cases = List.of(
                new Case("dotdot", base(index).file("../x", "evil"), "entry '../x' leaves the archive folder (..); refused"),
                new Case("nested dotdot", base(index).file("blobs/../../x", "evil"), "entry 'blobs/../../x' leaves the archive folder (..); refused"),
                new Case("absolute", base(index).file("/abs", "evil"), "entry '/abs' is an absolute path; refused"),
                new Case("symlink", base(index).symlink("blobs/sha256/" + hex, "/etc/passwd"),
                        "entry 'blobs/sha256/" + hex + "' is a symbolic link (to '/etc/passwd'); links are not allowed; refused"),
                new Case("hardlink", base(index).hardlink("x", "index.json"), "entry 'x' is a hard link; links are not allowed; refused"),
                new Case("duplicate", base(index).file("index.json", index), "entry 'index.json' appears twice in the archive; refused"),
                new Case("duplicate blob", base(index).file("blobs/sha256/" + hex, blob).file("blobs/sha256/" + hex, blob),
                        "entry 'blobs/sha256/" + hex + "' appears twice in the archive; refused"),
                new Case("fifo", base(index).fifo("p"), "entry 'p' is a named pipe; only regular files and folders are allowed; refused"),
                new Case("stray link", base(index).symlink("notes.txt", "index.json"),
                        "entry 'notes.txt' is a symbolic link (to 'index.json'); links are not allowed; refused"),
                new Case("stray device", base(index).fifo(".kiln/gc.lock"), "entry '.kiln/gc.lock' is a named pipe"),
                new Case("bad blob name", base(index).file("blobs/sha256/xyz", "x"), "entry 'blobs/sha256/xyz' is not a blob name"),
                new Case("not a blob among the blobs", base(index).file("blobs/README", "x"), "entry 'blobs/README' is not a blob name"),
                new Case("wrong content", base(index).file("blobs/sha256/" + hex, "jello"),
                        "entry 'blobs/sha256/" + hex + "': blob sha256:" + hex + ": content hashes to sha256:"));
        for (Case c : cases) {
            Path file = fs.getPath("/hostile-" + c.why().replace(' ', '-') + ".tar");
            c.tar().writeTo(file);
            ArchiveException e = assertThrows(ArchiveException.class, () -> OciArchiveReader.open(file, null, options, "oci-archive:" + file), c.why());
            assertTrue(e.getMessage().startsWith("oci-archive:" + file + ": "), e.getMessage());
            assertTrue(e.getMessage().contains(c.message()), c.why() + ": " + e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            assertEmpty(tmp);
        }
        // the same entries are refused by the docker-archive reader
        Path dd = fs.getPath("/hostile-dotdot.tar");
        ArchiveException e = assertThrows(ArchiveException.class, () -> DockerArchiveReader.open(dd, null, options, "docker-archive:x"));
        assertEquals("docker-archive:x: entry '../x' leaves the archive folder (..); refused", e.getMessage());
    }

    private static Tars.Builder base(String index) {
        return new Tars.Builder().file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}").file("index.json", index).dir("blobs/");
    }

    @Test
    void notAnArchiveOrNotALayout() throws IOException {
        Path junk = fs.getPath("/junk.tar");
        Files.write(junk, "this is not a tar file at all, just text that goes on for a while.".repeat(20).getBytes());
        ArchiveException e = assertThrows(ArchiveException.class, () -> OciArchiveReader.open(junk, null, options, "oci-archive:/junk.tar"));
        assertTrue(e.getMessage().startsWith("oci-archive:/junk.tar: cannot read the archive: "), e.getMessage());
        Path noIndex = fs.getPath("/noindex.tar");
        new Tars.Builder().file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}").writeTo(noIndex);
        e = assertThrows(ArchiveException.class, () -> OciArchiveReader.open(noIndex, null, options, "oci-archive:/noindex.tar"));
        assertEquals("oci-archive:/noindex.tar: not an oci-archive (index.json is missing)", e.getMessage());
        e = assertThrows(ArchiveException.class, () -> OciArchiveReader.open(fs.getPath("/none.tar"), null, options, "oci-archive:/none.tar"));
        assertEquals("oci-archive:/none.tar: no such file", e.getMessage());
        assertEmpty(tmp);
    }

    @Test
    void ociArchiveReferencesThroughTransports() throws IOException {
        TestImages.Built a = TestImages.twoPlatforms(fs.getPath("/a"), "1.0");
        Transports transports = Transports.standard();
        ImageReference out = ImageReference.parse("oci-archive:/out/img.tar:example.com/hello:1.0");
        try (ImageSource src = transports.openSource(ImageReference.parse("oci:/a:1.0"), fs, options);
             ImageDestination dst = transports.openDestination(out, fs, options)) {
            new Copier().copy(src, dst);
        }
        assertEmpty(tmp);
        try (ImageSource src = transports.openSource(out, fs, options)) {
            assertEquals(a.index().digest(), src.root().digest());
        }
        // the archive holds this image only: a second copy replaces the first
        try (ImageSource src = transports.openSource(ImageReference.parse("oci:/a:1.0"), fs, options);
             ImageDestination dst = transports.openDestination(ImageReference.parse("oci-archive:/out/img.tar:arm"), fs, options)) {
            new Copier(CopyOptions.defaults().withPlatforms(List.of(TestImages.ARM64))).copy(src, dst);
        }
        ImageIndex index = ImageIndex.parse(Tars.byName(fs.getPath("/out/img.tar")).get("index.json").content(), "i");
        assertEquals(List.of("arm"), index.manifests().stream().map(d -> d.annotation(MediaTypes.ANNOTATION_REF_NAME)).toList());
        assertEmpty(tmp);
    }

    static void assertEmpty(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                assertEquals(List.of(), s.toList(), "temp folder left behind");
            }
        }
    }
}
