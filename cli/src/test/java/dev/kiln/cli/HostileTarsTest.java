package dev.kiln.cli;

import static dev.kiln.cli.Hostile.Expect.fails;
import static dev.kiln.cli.Hostile.Expect.ok;
import static dev.kiln.cli.RawTarWriter.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.cli.Hostile.Expect;
import dev.kiln.cli.KilnTestSupport.Run;
import dev.kiln.cli.KilnTestSupport.TarFile;
import dev.kiln.layout.archive.TestImages;
import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.oci.LayoutTag;
import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.MediaTypes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile tars as base layers extracted by {@code COPY --from} (RootfsExtractor) and as
 * {@code ADD} archives (ArchiveUnpacker): each case ends in a build or a one-line error, and nothing
 * is written outside the extraction folder.
 *
 * <p>Modes: base layers are reused untouched (FROM), so their modes stay as they are. When kiln
 * extracts a tar itself (ADD, COPY --from), the files it writes to disk never get setuid, setgid or
 * sticky bits (nor the tar's owners); the image gets the tar's own modes and owners, all 12 bits,
 * as BuildKit gives them.
 */
class HostileTarsTest {
    @TempDir
    Path tmp;

    Path victim;

    @BeforeEach
    void victim() throws IOException {
        victim = tmp.resolve("victim");
        Files.createDirectories(victim.resolve("etc"));
        Files.writeString(victim.resolve("etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
        Files.writeString(victim.resolve("keep.txt"), "do not touch\n");
    }

    @AfterAll
    static void tally() {
        System.out.println(Hostile.writeTally());
    }

    /** A hostile tar for a root file system: made from the victim's absolute path. */
    record RootfsCase(String id, Function<Path, byte[]> tar, Expect expect) {
        @Override
        public String toString() {
            return id;
        }
    }

    static final String MARK = "kiln-escape-" + ProcessHandle.current().pid();

    static List<RootfsCase> rootfsCases() {
        List<RootfsCase> c = new ArrayList<>();
        String deep = "../".repeat(40) + Hostile.SYSTEM_TMP.toString().substring(1) + "/" + MARK;
        c.add(new RootfsCase("dotdot", v -> new RawTarWriter().file("ok.txt", "ok\n").file(deep, "escaped\n").bytes(),
                fails("leaves the root")));
        c.add(new RootfsCase("dotdot-in-the-middle", v -> new RawTarWriter().file("a/b/../../../" + MARK, "escaped\n").bytes(),
                fails("leaves the root")));
        c.add(new RootfsCase("absolute", v -> new RawTarWriter().file(Hostile.SYSTEM_TMP + "/" + MARK, "escaped\n").bytes(),
                fails("absolute")));
        c.add(new RootfsCase("absolute-into-victim", v -> new RawTarWriter().file(v + "/keep.txt", "overwritten\n").bytes(),
                fails("absolute")));
        c.add(new RootfsCase("symlink-out-then-file-through-it", v -> new RawTarWriter()
                .symlink("evil", v.toString()).file("evil/keep.txt", "overwritten\n").bytes(),
                fails("symbolic link", "evil")));
        c.add(new RootfsCase("relative-symlink-out-then-file-through-it", v -> new RawTarWriter()
                .symlink("up", "../".repeat(40) + v.toString().substring(1)).file("up/pwned", "x\n").bytes(),
                fails("symbolic link")));
        c.add(new RootfsCase("symlink-to-dot-dot-then-file", v -> new RawTarWriter()
                .symlink("up", "..").file("up/" + MARK, "x\n").bytes(),
                fails("symbolic link")));
        c.add(new RootfsCase("symlink-chain-out-then-file", v -> new RawTarWriter()
                .symlink("a", "b").symlink("b", v.toString()).file("a/pwned", "x\n").bytes(),
                fails("symbolic link")));
        c.add(new RootfsCase("symlink-out-then-dir-through-it", v -> new RawTarWriter()
                .symlink("evil", v.toString()).dir("evil/newdir").bytes(),
                fails("symbolic link")));
        c.add(new RootfsCase("symlink-out-then-symlink-through-it", v -> new RawTarWriter()
                .symlink("evil", v.toString()).symlink("evil/keep.txt", "/dev/null").bytes(),
                fails("symbolic link")));
        c.add(new RootfsCase("symlink-out-then-hardlink-through-it", v -> new RawTarWriter()
                .file("ok.txt", "ok\n").symlink("evil", v.toString()).hardlink("evil/keep.txt", "ok.txt").bytes(),
                fails("symbolic link")));
        c.add(new RootfsCase("symlink-out-then-whiteout-through-it", v -> new RawTarWriter()
                .symlink("evil", v.toString()).file("evil/.wh.keep.txt", "").bytes(),
                fails("symbolic link")));
        c.add(new RootfsCase("symlink-out-then-opaque-whiteout-in-it", v -> new RawTarWriter()
                .symlink("evil", v.toString()).file("evil/.wh..wh..opq", "").bytes(),
                ok()));
        c.add(new RootfsCase("symlink-out-alone", v -> new RawTarWriter()
                .file("ok.txt", "ok\n").symlink("passwd", v + "/etc/passwd").symlink("rel", "../../../../etc").bytes(),
                ok()));
        c.add(new RootfsCase("hardlink-out-relative", v -> new RawTarWriter()
                .hardlink("h", "../".repeat(40) + v.toString().substring(1) + "/etc/passwd").bytes(),
                fails("leaves the root")));
        c.add(new RootfsCase("hardlink-out-absolute", v -> new RawTarWriter()
                .hardlink("h", v + "/etc/passwd").bytes(),
                fails("absolute")));
        c.add(new RootfsCase("hardlink-through-symlink", v -> new RawTarWriter()
                .symlink("etc", v + "/etc").hardlink("h", "etc/passwd").bytes(),
                fails("symbolic link")));
        c.add(new RootfsCase("hardlink-to-symlink-out", v -> new RawTarWriter()
                .symlink("p", v + "/etc/passwd").hardlink("h", "p").bytes(),
                fails("hard link")));
        c.add(new RootfsCase("hardlink-to-missing", v -> new RawTarWriter().hardlink("h", "nothing-here").bytes(),
                fails("hard link")));
        c.add(new RootfsCase("hardlink-to-itself", v -> new RawTarWriter().hardlink("h", "h").bytes(),
                fails("hard link")));
        c.add(new RootfsCase("whiteout-dotdot", v -> new RawTarWriter().file("ok.txt", "ok\n").file("sub/.wh...", "").bytes(),
                fails("whiteout")));
        c.add(new RootfsCase("whiteout-dotdot-at-root", v -> new RawTarWriter().file(".wh...", "").bytes(),
                fails("whiteout")));
        c.add(new RootfsCase("whiteout-dot", v -> new RawTarWriter().file("ok.txt", "ok\n").file(".wh..", "").bytes(),
                fails("whiteout")));
        c.add(new RootfsCase("whiteout-empty", v -> new RawTarWriter().file("ok.txt", "ok\n").file(".wh.", "").bytes(),
                fails("whiteout")));
        c.add(new RootfsCase("duplicate-file", v -> new RawTarWriter().file("ok.txt", "one\n").file("ok.txt", "two\n").bytes(),
                fails("duplicate", "ok.txt")));
        c.add(new RootfsCase("duplicate-via-dot-slash", v -> new RawTarWriter().file("ok.txt", "one\n").file("./ok.txt", "two\n").bytes(),
                fails("duplicate", "ok.txt")));
        c.add(new RootfsCase("file-then-symlink-same-name", v -> new RawTarWriter().file("x", "one\n").symlink("x", v.toString()).bytes(),
                fails("duplicate")));
        c.add(new RootfsCase("file-as-parent", v -> new RawTarWriter().file("f", "file\n").file("f/child", "x\n").bytes(),
                fails("f/child")));
        c.add(new RootfsCase("char-and-block-devices-fifo", v -> new RawTarWriter().file("ok.txt", "ok\n")
                .device("dev/null", '3').device("dev/sda", '4').device("fifo", '6').bytes(),
                ok()));
        c.add(new RootfsCase("unknown-type-flags", v -> new RawTarWriter().file("ok.txt", "ok\n")
                .entry(utf8("weird"), 'Z', 0644, 0, new byte[0], new byte[0]).bytes(),
                fails("unsupported tar type")));
        c.add(new RootfsCase("setuid-setgid-sticky", v -> new RawTarWriter().file("bin/su", utf8("#!/bin/sh\n"), 06755)
                .file("sticky", utf8("s\n"), 01777).bytes(),
                ok()));
        c.add(new RootfsCase("huge-declared-size", v -> new RawTarWriter()
                .entry(utf8("big"), '0', 0644, 1L << 60, new byte[0], utf8("only a few bytes")).bytes(),
                fails("expands to more than")));
        c.add(new RootfsCase("declared-size-beyond-end", v -> new RawTarWriter()
                .entry(utf8("big"), '0', 0644, 10_000, new byte[0], utf8("only a few bytes")).withoutEnd(),
                fails("truncated")));
        c.add(new RootfsCase("negative-size-field", v -> {
            byte[] h = RawTarWriter.header(utf8("neg"), '0', 0644, 0, new byte[0]);
            h[124] = (byte) 0xff; // base-256, negative
            Arrays.fill(h, 125, 136, (byte) 0xff);
            fixChecksum(h);
            return new RawTarWriter().raw(h).bytes();
        }, fails("tar")));
        c.add(new RootfsCase("truncated-in-content", v -> cut(new RawTarWriter().file("a", "x".repeat(3000)).bytes(), 512 + 1000),
                fails("truncated")));
        c.add(new RootfsCase("truncated-in-header", v -> cut(new RawTarWriter().file("a", "x").file("b", "y").bytes(), 1024 + 200),
                fails("tar")));
        c.add(new RootfsCase("garbage-header", v -> {
            byte[] b = new byte[1536];
            Arrays.fill(b, 0, 512, (byte) 'A');
            return b;
        }, fails("tar")));
        c.add(new RootfsCase("bad-checksum", v -> {
            byte[] t = new RawTarWriter().file("a", "x").bytes();
            t[148] = '7';
            return t;
        }, fails("tar")));
        c.add(new RootfsCase("pax-bad-length", v -> new RawTarWriter().paxRaw(utf8("abc path=x\n")).file("a", "x").bytes(),
                fails("tar")));
        c.add(new RootfsCase("pax-length-too-long", v -> new RawTarWriter().paxRaw(utf8("9999 path=x\n")).file("a", "x").bytes(),
                fails("tar")));
        c.add(new RootfsCase("pax-no-equals", v -> new RawTarWriter().paxRaw(utf8("11 pathx\n")).file("a", "x").bytes(),
                Expect.okOrFails("tar")));
        c.add(new RootfsCase("pax-size-not-a-number", v -> new RawTarWriter().pax(Map.of("size", "lots")).file("a", "x").bytes(),
                fails("tar")));
        c.add(new RootfsCase("pax-size-negative", v -> new RawTarWriter().pax(Map.of("size", "-5")).file("a", "x").bytes(),
                fails("tar")));
        c.add(new RootfsCase("pax-size-huge", v -> new RawTarWriter().pax(Map.of("size", "99999999999999999999999")).file("a", "x").bytes(),
                fails("tar")));
        c.add(new RootfsCase("pax-declared-huge", v -> new RawTarWriter()
                .entry(utf8("PaxHeaders/x"), 'x', 0644, 1L << 40, new byte[0], utf8("30 path=aaaaaaaaaaaaaaaaaaaa\n")).bytes(),
                fails("tar")));
        c.add(new RootfsCase("pax-path-dotdot", v -> new RawTarWriter().pax(Map.of("path", "../../../" + MARK)).file("innocent", "x\n").bytes(),
                fails("leaves the root")));
        // commons-compress drops the leading / of a PAX path: the file lands inside the root, as Docker puts it
        c.add(new RootfsCase("pax-path-absolute", v -> new RawTarWriter().pax(Map.of("path", v + "/keep.txt")).file("innocent", "x\n").bytes(),
                ok()));
        c.add(new RootfsCase("pax-linkpath-out", v -> new RawTarWriter().pax(Map.of("linkpath", v + "/etc/passwd")).hardlink("h", "ok").bytes(),
                fails("absolute")));
        c.add(new RootfsCase("pax-path-with-nul", v -> new RawTarWriter().pax(Map.of("path", "a\u0000b")).file("innocent", "x\n").bytes(),
                fails("NUL")));
        c.add(new RootfsCase("gnu-longname-declared-huge", v -> new RawTarWriter()
                .entry(utf8("././@LongLink"), 'L', 0644, 1L << 40, new byte[0], utf8("name")).bytes(),
                fails("tar")));
        c.add(new RootfsCase("name-with-nul-byte", v -> new RawTarWriter()
                .entry(utf8("a\u0000/../../" + MARK), '0', 0644, 2, new byte[0], utf8("x\n")).bytes(),
                ok()));
        c.add(new RootfsCase("very-long-name-component", v -> new RawTarWriter().pax(Map.of("path", "d/" + "n".repeat(300))).file("x", "x\n").bytes(),
                fails("name")));
        c.add(new RootfsCase("very-long-path", v -> new RawTarWriter().pax(Map.of("path", "abcdefgh/".repeat(600) + "f")).file("x", "x\n").bytes(),
                fails("name")));
        c.add(new RootfsCase("very-long-link-target", v -> new RawTarWriter().pax(Map.of("linkpath", "t".repeat(10_000))).symlink("l", "x").bytes(),
                fails("name")));
        c.add(new RootfsCase("non-utf8-name", v -> new RawTarWriter()
                .entry(new byte[] {'b', 'a', 'd', (byte) 0xff, (byte) 0xfe, '.', 't', 'x', 't'}, '0', 0644, 2, new byte[0], utf8("x\n")).bytes(),
                ok()));
        c.add(new RootfsCase("many-entries-inode-bomb", v -> {
            RawTarWriter w = new RawTarWriter();
            for (int i = 0; i < 3000; i++) {
                w.file("d/f" + i, "");
            }
            return w.bytes();
        }, fails("expands to more than")));
        c.add(new RootfsCase("not-a-tar-at-all", v -> utf8("just some text, not a tar\n".repeat(40)), fails("tar")));
        return c;
    }

    static void fixChecksum(byte[] h) {
        Arrays.fill(h, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        System.arraycopy(utf8(String.format("%06o", sum)), 0, h, 148, 6);
        h[154] = 0;
        h[155] = ' ';
    }

    static byte[] cut(byte[] b, int length) {
        return Arrays.copyOf(b, length);
    }

    // ------------------------------------------------------------------------ base layers, COPY --from

    /** A layout holding a linux/amd64 image whose only layer is {@code tar} (gzip-compressed); tagged t. */
    static Descriptor baseImage(Path dir, byte[] tar) throws IOException {
        OciLayout layout = OciLayout.openOrCreate(dir);
        Descriptor layer = layout.blobs().putBytes(MediaTypes.OCI_LAYER_GZIP, RawTarWriter.gzip(tar));
        Descriptor m = TestImages.manifest(layout, TestImages.AMD64, List.of(layer), List.of(Digest.sha256(tar)),
                List.of("PATH=/bin"), List.of("/bin/sh"));
        layout.tag(LayoutTag.parse("t"), m);
        return layer;
    }

    /** The cases whose "ok" depends on the extractor limit: the inode bomb needs a small limit. */
    static String limitFor(RootfsCase c) {
        return c.id().startsWith("many-entries") ? "1M" : "64M";
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rootfsCases")
    void baseLayerCopiedFrom(RootfsCase c) throws IOException {
        byte[] tar = c.tar().apply(victim);
        Path base = tmp.resolve("base");
        Descriptor layer = baseImage(base, tar);
        Path ctx = tmp.resolve("ctx");
        Files.createDirectories(ctx);
        Files.writeString(ctx.resolve("Dockerfile"), "FROM oci:" + base + ":t AS base\nFROM scratch\nCOPY --from=base / /\n");
        Path out = tmp.resolve("out");
        Expect e = c.expect().code() == 0 ? ok()
                : new Expect(c.expect().code(), concat(c.expect().mentions(), "Dockerfile:3", layer.digest().toString()));
        Run r = Hostile.attempt("tar: base layer (COPY --from)", c.id(), e, victim, out,
                () -> Hostile.kiln("build", ctx.toString(), "--platform", "linux/amd64", "--max-expanded-size", limitFor(c),
                        "-t", "x:1", "-o", "oci:" + out));
        if (r.code() == 0) {
            checkBuilt(c, out);
        }
    }

    /** --chown by name reads the base layers for /etc/passwd: a hostile layer fails on the COPY line, or the name is unknown. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("rootfsCases")
    void chownByNameReadsTheBaseLayer(RootfsCase c) throws IOException {
        byte[] tar = c.tar().apply(victim);
        Path base = tmp.resolve("base");
        baseImage(base, tar);
        Path ctx = tmp.resolve("ctx");
        Files.createDirectories(ctx);
        Files.writeString(ctx.resolve("ok.txt"), "ok\n");
        Files.writeString(ctx.resolve("Dockerfile"), "FROM oci:" + base + ":t\nCOPY --chown=app ok.txt /\n");
        Path out = tmp.resolve("out");
        Hostile.attempt("tar: base layer (--chown by name)", c.id(), Expect.okOrFails("Dockerfile:2", "--chown=app"), victim, out,
                () -> Hostile.kiln("build", ctx.toString(), "--platform", "linux/amd64", "--max-expanded-size", limitFor(c),
                        "-t", "x:1", "-o", "oci:" + out));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rootfsCases")
    void addArchive(RootfsCase c) throws IOException {
        byte[] tar = c.tar().apply(victim);
        Path ctx = tmp.resolve("ctx");
        Files.createDirectories(ctx);
        Files.write(ctx.resolve("evil.tar.gz"), RawTarWriter.gzip(tar));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nADD evil.tar.gz /\n");
        Path out = tmp.resolve("out");
        // what is not a tar to begin with is copied as a file, as Docker does
        boolean notATar = c.id().equals("garbage-header") || c.id().equals("not-a-tar-at-all");
        Expect e = c.expect().code() == 0 || notATar ? ok()
                : new Expect(c.expect().code(), concat(c.expect().mentions(), "Dockerfile:2", "evil.tar.gz"));
        Run r = Hostile.attempt("tar: ADD archive", c.id(), e, victim, out,
                () -> Hostile.kiln("build", ctx.toString(), "--platform", "linux/amd64", "--max-expanded-size", limitFor(c),
                        "-t", "x:1", "-o", "oci:" + out));
        if (r.code() == 0) {
            checkBuilt(c, out);
        }
    }

    /** What a successful build of a hostile tar holds: the tar's own modes, no devices, links as links. */
    private void checkBuilt(RootfsCase c, Path out) throws IOException {
        kiln("verify", "--deep", "oci:" + out).ok();
        JsonNode m = KilnTestSupport.blobJson(out, KilnTestSupport.rootDigest(out));
        Map<String, TarFile> files = new LinkedHashMap<>();
        for (JsonNode l : m.get("layers")) {
            files.putAll(KilnTestSupport.readLayer(KilnTestSupport.blob(out, l.get("digest").asText())));
        }
        for (TarFile f : files.values()) {
            assertTrue(!f.name().contains(MARK) || !f.name().contains(".."), f.name());
        }
        if (c.id().equals("setuid-setgid-sticky")) {
            assertEquals(06755, files.get("bin/su").mode(), "the image keeps the tar's setuid and setgid, as in BuildKit");
            assertEquals(01777, files.get("sticky").mode(), "and its sticky bit");
        }
        if (c.id().equals("char-and-block-devices-fifo")) {
            assertTrue(files.containsKey("ok.txt"), files.keySet().toString());
            assertTrue(!files.containsKey("dev/null") && !files.containsKey("fifo"), "devices and fifos are skipped: " + files.keySet());
        }
        if (c.id().equals("symlink-out-alone")) {
            assertTrue(files.get("passwd").symlink(), "a link is copied as a link, never followed");
            assertEquals(victim + "/etc/passwd", files.get("passwd").linkName());
        }
    }

    static List<String> concat(List<String> a, String... b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(List.of(b));
        return out;
    }

    static Run kiln(String... args) {
        return KilnTestSupport.kiln(args);
    }

    // ------------------------------------------------------------------------ archive modes; bombs

    /** BuildKit's unpack ignores --chmod: an archive's entries keep their own modes (setuid too). */
    @Test
    void archiveEntriesKeepTheirModesAndChmodIsIgnoredForThem() throws IOException {
        Path ctx = tmp.resolve("ctx");
        Files.createDirectories(ctx);
        Files.write(ctx.resolve("su.tar"), new RawTarWriter().file("bin/su", utf8("#!/bin/sh\n"), 06755).bytes());
        Files.writeString(ctx.resolve("plain.txt"), "p\n");
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nADD --chmod=0700 su.tar plain.txt /m/\n");
        Path out = tmp.resolve("out");
        kiln("build", ctx.toString(), "-t", "x:1", "-o", "oci:" + out).ok();
        JsonNode m = KilnTestSupport.blobJson(out, KilnTestSupport.rootDigest(out));
        Map<String, TarFile> files = KilnTestSupport.readLayer(KilnTestSupport.blob(out, m.at("/layers/0/digest").asText()));
        assertEquals(06755, files.get("m/bin/su").mode(), "an archive entry keeps its mode, --chmod or not");
        assertEquals(0700, files.get("m/plain.txt").mode(), "--chmod still applies to a plain file of the same ADD");
        assertEquals(0755, files.get("m").mode(), "the destination folder ADD makes is 0755");
    }

    @Test
    void baseLayersAreReusedUntouchedModesAndAll() throws IOException {
        byte[] tar = new RawTarWriter().file("bin/su", utf8("#!/bin/sh\n"), 04755).bytes();
        Path base = tmp.resolve("base");
        Descriptor layer = baseImage(base, tar);
        Path ctx = tmp.resolve("ctx");
        Files.createDirectories(ctx);
        Files.writeString(ctx.resolve("Dockerfile"), "FROM oci:" + base + ":t\nENV A=1\n");
        Path out = tmp.resolve("out");
        kiln("build", ctx.toString(), "-t", "x:1", "-o", "oci:" + out).ok();
        JsonNode m = KilnTestSupport.blobJson(out, KilnTestSupport.rootDigest(out));
        assertEquals(layer.digest().toString(), m.at("/layers/0/digest").asText(), "the base layer is reused as it is");
    }

    @Test
    void decompressionBombsStopAtTheLimit() throws IOException {
        byte[] bomb = RawTarWriter.zeroBomb("zeros", 64L << 20); // 64 MiB of zeros, ~64 KiB of gzip
        Path ctx = tmp.resolve("ctx");
        Files.createDirectories(ctx);
        Files.write(ctx.resolve("bomb.tar.gz"), bomb);
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nADD bomb.tar.gz /\n");
        Path out = tmp.resolve("out");
        Hostile.attempt("tar: decompression bomb", "ADD bomb", fails("Dockerfile:2", "bomb.tar.gz", "expands to more than"), victim, out,
                () -> kiln("build", ctx.toString(), "--max-expanded-size", "8M", "-t", "x:1", "-o", "oci:" + out));
        // as a base layer: the layer digest is of the gzip, the diff_id of the tar (not needed: the limit stops first)
        Path base = tmp.resolve("base");
        OciLayout layout = OciLayout.openOrCreate(base);
        Descriptor l = layout.blobs().putBytes(MediaTypes.OCI_LAYER_GZIP, bomb);
        Descriptor mf = TestImages.manifest(layout, TestImages.AMD64, List.of(l), List.of(l.digest()), List.of(), List.of("/x"));
        layout.tag(LayoutTag.parse("t"), mf);
        Files.writeString(ctx.resolve("Dockerfile"), "FROM oci:" + base + ":t AS base\nFROM scratch\nCOPY --from=base / /\n");
        Hostile.attempt("tar: decompression bomb", "base bomb", fails("Dockerfile:3", l.digest().toString(), "expands to more than"),
                victim, out, () -> kiln("build", ctx.toString(), "--max-expanded-size", "8M", "-t", "x:1", "-o", "oci:" + out));
        // and the limit is a limit, not a ban: under it, the same bomb builds
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nADD bomb.tar.gz /\n");
        kiln("build", ctx.toString(), "--max-expanded-size", "100M", "-t", "x:1", "-o", "oci:" + out).ok();
    }

    @Test
    void maxExpandedSizeMustBeASize() {
        for (String bad : List.of("lots", "-1", "0", "12Q", "99999999999999999999T", "")) {
            Run r = kiln("build", tmp.toString(), "--max-expanded-size", bad, "-t", "x:1", "-o", "oci:" + tmp.resolve("o"));
            Hostile.count("flags: --max-expanded-size", r.code());
            assertEquals(2, r.code(), bad + ": " + r.err());
            Hostile.assertCleanError(bad, r.err(), List.of("--max-expanded-size"));
        }
    }
}
