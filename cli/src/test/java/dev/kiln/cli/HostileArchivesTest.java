package dev.kiln.cli;

import static dev.kiln.cli.Hostile.Expect.fails;
import static dev.kiln.cli.Hostile.Expect.ok;
import static dev.kiln.cli.RawTarWriter.utf8;

import dev.kiln.cli.Hostile.Expect;
import dev.kiln.cli.KilnTestSupport.Run;
import dev.kiln.layout.archive.TestImages;
import dev.kiln.layout.digest.Digest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile oci-archive and docker-archive inputs through {@code kiln copy}, {@code kiln inspect} and
 * as the base image of {@code kiln build}: each is refused in one line naming the archive and the
 * entry, nothing is written outside kiln's temp folder (which is removed), the destination's
 * index.json is unchanged.
 */
class HostileArchivesTest {
    @TempDir
    static Path shared;

    /** The entries of a valid oci-archive and a valid docker-archive of a two-platform image. */
    static List<Ent> ociArchive;
    static List<Ent> dockerArchive;

    @TempDir
    Path tmp;

    Path victim;

    static final String MARK = "kiln-escape-" + ProcessHandle.current().pid();

    @BeforeAll
    static void images() throws IOException {
        Path layout = shared.resolve("layout");
        TestImages.twoPlatforms(layout, "t");
        Path oci = shared.resolve("oci.tar");
        Path docker = shared.resolve("docker.tar");
        KilnTestSupport.kiln("copy", "oci:" + layout + ":t", "oci-archive:" + oci + ":t").ok();
        KilnTestSupport.kiln("copy", "oci:" + layout + ":t", "docker-archive:" + docker + ":example.com/x:t").ok();
        ociArchive = read(Files.readAllBytes(oci));
        dockerArchive = read(Files.readAllBytes(docker));
    }

    @BeforeEach
    void victim() throws IOException {
        victim = tmp.resolve("victim");
        Files.createDirectories(victim.resolve("etc"));
        Files.writeString(victim.resolve("etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
    }

    @AfterAll
    static void tally() {
        System.out.println(Hostile.writeTally());
    }

    /** One tar entry, as read or as made. */
    record Ent(String name, char type, int mode, byte[] content, String link) {
        static Ent file(String name, byte[] content) {
            return new Ent(name, '0', 0644, content, "");
        }

        Ent withContent(byte[] c) {
            return new Ent(name, type, mode, c, link);
        }
    }

    static List<Ent> read(byte[] tar) throws IOException {
        List<Ent> out = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
                out.add(new Ent(e.getName(), (char) e.getLinkFlag(), e.getMode() & 07777, in.readAllBytes(), e.getLinkName()));
            }
        }
        return out;
    }

    static RawTarWriter write(List<Ent> entries) {
        RawTarWriter w = new RawTarWriter();
        for (Ent e : entries) {
            if (utf8(e.name()).length > 100) {
                w.pax(Map.of("path", e.name()));
            }
            w.entry(utf8(e.name()), e.type(), e.mode(), e.content().length, utf8(e.link()), e.content());
        }
        return w;
    }

    static int indexOf(List<Ent> entries, String prefix) {
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).name().startsWith(prefix) && entries.get(i).type() != '5') {
                return i;
            }
        }
        throw new AssertionError("no entry " + prefix);
    }

    /** The name of the largest blob entry (a layer). */
    static String biggestBlob(List<Ent> entries) {
        Ent best = null;
        for (Ent e : entries) {
            if (e.name().startsWith("blobs/sha256/") && e.type() != '5' && (best == null || e.content().length > best.content().length)) {
                best = e;
            }
        }
        return best.name();
    }

    static List<Ent> with(List<Ent> base, Ent... extra) {
        List<Ent> out = new ArrayList<>(base);
        out.addAll(List.of(extra));
        return out;
    }

    static List<Ent> replace(List<Ent> base, String name, Ent by) {
        List<Ent> out = new ArrayList<>(base);
        out.set(indexOf(out, name), by);
        return out;
    }

    record ArchiveCase(String id, BiFunction<List<Ent>, Path, byte[]> tar, Expect expect) {
        @Override
        public String toString() {
            return id;
        }
    }

    static List<ArchiveCase> cases() {
        List<ArchiveCase> c = new ArrayList<>();
        String deep = "../".repeat(40) + Hostile.SYSTEM_TMP.toString().substring(1) + "/" + MARK;
        c.add(new ArchiveCase("valid", (b, v) -> write(b).bytes(), ok()));
        c.add(new ArchiveCase("dotdot", (b, v) -> write(with(b, Ent.file("blobs/sha256/" + deep, utf8("x")))).bytes(),
                fails("leaves the archive folder")));
        c.add(new ArchiveCase("dotdot-first", (b, v) -> write(with(List.of(Ent.file("../" + MARK, utf8("x"))), b.toArray(Ent[]::new))).bytes(),
                fails("leaves the archive folder")));
        c.add(new ArchiveCase("absolute", (b, v) -> write(with(b, Ent.file(Hostile.SYSTEM_TMP + "/" + MARK, utf8("x")))).bytes(),
                fails("absolute path")));
        c.add(new ArchiveCase("windows-drive", (b, v) -> write(with(b, Ent.file("C:/Windows/" + MARK, utf8("x")))).bytes(),
                fails("absolute path")));
        c.add(new ArchiveCase("backslash", (b, v) -> write(with(b, Ent.file("blobs\\..\\..\\" + MARK, utf8("x")))).bytes(),
                fails("backslash")));
        c.add(new ArchiveCase("symlink-blob-out", (b, v) -> write(replace(b, biggestBlob(b),
                new Ent(biggestBlob(b), '2', 0777, new byte[0], v + "/etc/passwd"))).bytes(),
                fails("symbolic link")));
        c.add(new ArchiveCase("symlink-folder-then-entry-through-it", (b, v) -> {
            List<Ent> l = new ArrayList<>();
            l.add(new Ent("blobs", '2', 0777, new byte[0], v.toString()));
            l.addAll(b);
            return write(l).bytes();
        }, fails("symbolic link")));
        c.add(new ArchiveCase("hardlink-index-out", (b, v) -> write(replace(b, "index.json",
                new Ent("index.json", '1', 0644, new byte[0], v + "/etc/passwd"))).bytes(),
                fails("hard link")));
        c.add(new ArchiveCase("hardlink-blob-to-other", (b, v) -> write(with(b,
                new Ent("blobs/sha256/" + "0".repeat(64), '1', 0644, new byte[0], biggestBlob(b)))).bytes(),
                fails("hard link")));
        c.add(new ArchiveCase("duplicate-index", (b, v) -> write(with(b, Ent.file("index.json", utf8("{\"schemaVersion\":2,\"manifests\":[]}")))).bytes(),
                fails("appears twice")));
        c.add(new ArchiveCase("duplicate-blob", (b, v) -> write(with(b, b.get(indexOf(b, biggestBlob(b))))).bytes(),
                fails("appears twice")));
        c.add(new ArchiveCase("char-device", (b, v) -> write(with(b, new Ent("blobs/sha256/" + "1".repeat(64), '3', 0666, new byte[0], ""))).bytes(),
                fails("character device")));
        c.add(new ArchiveCase("block-device", (b, v) -> write(with(b, new Ent("dev/sda", '4', 0666, new byte[0], ""))).bytes(),
                fails("block device")));
        c.add(new ArchiveCase("fifo", (b, v) -> write(with(b, new Ent("index.json.fifo", '6', 0666, new byte[0], ""))).bytes(),
                fails("named pipe")));
        c.add(new ArchiveCase("setuid-blob", (b, v) -> {
            Ent e = b.get(indexOf(b, biggestBlob(b)));
            return write(replace(b, e.name(), new Ent(e.name(), '0', 06755, e.content(), ""))).bytes();
        }, ok()));
        // files beyond the format are ignored (the image-layout spec's unknown files), never written anywhere
        c.add(new ArchiveCase("unknown-file", (b, v) -> write(with(b, Ent.file("evil.sh", utf8("rm -rf /\n")))).bytes(), ok()));
        c.add(new ArchiveCase("unknown-files-kiln-lock-and-readme", (b, v) -> write(with(b, new Ent(".kiln/", '5', 0755, new byte[0], ""),
                Ent.file(".kiln/gc.lock", new byte[0]), Ent.file("README", utf8("hello\n")))).bytes(), ok()));
        c.add(new ArchiveCase("unknown-file-among-blobs", (b, v) -> write(with(b, Ent.file("blobs/README", utf8("x")))).bytes(),
                fails("blobs/README", "not a blob name")));
        c.add(new ArchiveCase("unknown-file-named-out", (b, v) -> write(with(b, Ent.file("../" + MARK, utf8("x")))).bytes(),
                fails("leaves the archive folder")));
        c.add(new ArchiveCase("unknown-symlink-out", (b, v) -> write(with(b, new Ent("README", '2', 0777, new byte[0], v + "/etc/passwd"))).bytes(),
                fails("README", "symbolic link")));
        c.add(new ArchiveCase("unknown-symlink-dotdot", (b, v) -> write(with(b, new Ent("docs/README", '2', 0777, new byte[0], "../../x"))).bytes(),
                fails("docs/README", "symbolic link")));
        c.add(new ArchiveCase("unknown-hardlink", (b, v) -> write(with(b, new Ent("README", '1', 0644, new byte[0], "index.json"))).bytes(),
                fails("README", "hard link")));
        c.add(new ArchiveCase("unknown-fifo", (b, v) -> write(with(b, new Ent(".kiln/gc.lock", '6', 0644, new byte[0], ""))).bytes(),
                fails(".kiln/gc.lock", "named pipe")));
        c.add(new ArchiveCase("blob-wrong-content", (b, v) -> {
            Ent e = b.get(indexOf(b, biggestBlob(b)));
            byte[] x = e.content().clone();
            x[x.length / 2] ^= 0x55;
            return write(replace(b, e.name(), e.withContent(x))).bytes();
        }, fails("sha256:")));
        c.add(new ArchiveCase("blob-bad-hex", (b, v) -> write(with(b, Ent.file("blobs/sha256/XYZ", utf8("x")))).bytes(),
                fails("blobs/sha256/XYZ")));
        c.add(new ArchiveCase("blob-unknown-algorithm", (b, v) -> write(with(b, Ent.file("blobs/md5/" + "a".repeat(32), utf8("x")))).bytes(),
                fails("blobs/md5")));
        c.add(new ArchiveCase("blob-huge-declared-size", (b, v) -> {
            List<Ent> l = new ArrayList<>(b);
            l.remove(indexOf(l, biggestBlob(b)));
            RawTarWriter w = write(l);
            w.entry(utf8(biggestBlob(b)), '0', 0644, 1L << 40, new byte[0], utf8("a few bytes"));
            return w.withoutEnd();
        }, fails("truncated")));
        c.add(new ArchiveCase("index-declared-over-4MiB", (b, v) -> {
            List<Ent> l = new ArrayList<>(b);
            l.remove(indexOf(l, "index.json"));
            RawTarWriter w = write(l);
            w.entry(utf8("index.json"), '0', 0644, 5L << 20, new byte[0], utf8("{}"));
            return w.withoutEnd();
        }, fails("index.json", "limit")));
        c.add(new ArchiveCase("index-over-4MiB", (b, v) -> {
            String pad = "{\"schemaVersion\":2,\"manifests\":[],\"annotations\":{\"x\":\"" + "a".repeat(5 << 20) + "\"}}";
            return write(replace(b, "index.json", Ent.file("index.json", utf8(pad)))).bytes();
        }, fails("index.json", "limit")));
        c.add(new ArchiveCase("index-not-json", (b, v) -> write(replace(b, "index.json", Ent.file("index.json", utf8("{not json")))).bytes(),
                fails("index.json", "invalid JSON")));
        c.add(new ArchiveCase("index-deeply-nested", (b, v) -> write(replace(b, "index.json",
                Ent.file("index.json", utf8("{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}")))).bytes(),
                fails("index.json")));
        c.add(new ArchiveCase("oci-layout-bad-version", (b, v) -> write(replace(b, "oci-layout",
                Ent.file("oci-layout", utf8("{\"imageLayoutVersion\":\"9.9\"}")))).bytes(),
                fails("imageLayoutVersion")));
        c.add(new ArchiveCase("truncated-in-a-blob", (b, v) -> {
            byte[] all = write(b).bytes();
            return Arrays.copyOf(all, all.length - 1024 - 700);
        }, fails("truncated")));
        c.add(new ArchiveCase("truncated-in-a-header", (b, v) -> {
            byte[] all = write(b).withoutEnd();
            byte[] extra = RawTarWriter.header(utf8("blobs/sha256/" + "2".repeat(64)), '0', 0644, 10, new byte[0]);
            byte[] out = Arrays.copyOf(all, all.length + 300);
            System.arraycopy(extra, 0, out, all.length, 300);
            return out;
        }, fails("truncated")));
        c.add(new ArchiveCase("no-end-of-archive-marker", (b, v) -> write(b).withoutEnd(), ok()));
        c.add(new ArchiveCase("empty-file", (b, v) -> new byte[0], fails("empty")));
        c.add(new ArchiveCase("only-zeros", (b, v) -> new byte[10240], fails("empty")));
        c.add(new ArchiveCase("not-a-tar", (b, v) -> utf8("hello, I am not a tar\n".repeat(100)), Expect.fails()));
        c.add(new ArchiveCase("truncated-gzip", (b, v) -> {
            byte[] gz = RawTarWriter.gzip(write(b).bytes());
            return Arrays.copyOf(gz, gz.length / 2);
        }, Expect.fails()));
        c.add(new ArchiveCase("bad-checksum", (b, v) -> {
            byte[] all = write(b).bytes();
            all[148] = (byte) (all[148] == '1' ? '2' : '1');
            return all;
        }, fails("checksum")));
        c.add(new ArchiveCase("pax-bad-length", (b, v) -> write(b).paxRaw(utf8("abc path=x\n")).file("x", "x").bytes(), Expect.fails()));
        c.add(new ArchiveCase("pax-size-not-a-number", (b, v) -> write(b).pax(Map.of("size", "lots")).file("x", "x").bytes(), Expect.fails()));
        c.add(new ArchiveCase("pax-size-negative", (b, v) -> write(b).pax(Map.of("size", "-7")).file("x", "x").bytes(), Expect.fails()));
        c.add(new ArchiveCase("pax-path-dotdot", (b, v) -> write(b).pax(Map.of("path", "../../" + MARK)).file("innocent", "x").bytes(),
                fails("leaves the archive folder")));
        c.add(new ArchiveCase("pax-path-nul", (b, v) -> write(b).pax(Map.of("path", "index.json\u0000x")).file("innocent", "x").bytes(),
                fails("control character")));
        c.add(new ArchiveCase("pax-header-over-1MiB", (b, v) -> write(b).pax(Map.of("comment", "c".repeat(2 << 20))).file("innocent", "x").bytes(),
                fails("header")));
        c.add(new ArchiveCase("gnu-longname-declared-huge", (b, v) -> write(b)
                .entry(utf8("././@LongLink"), 'L', 0644, 1L << 40, new byte[0], utf8("name")).withoutEnd(),
                Expect.fails()));
        c.add(new ArchiveCase("very-long-name", (b, v) -> write(with(b, Ent.file("blobs/sha256/" + "a".repeat(5000), utf8("x")))).bytes(),
                fails("blobs/sha256/aaaa")));
        c.add(new ArchiveCase("non-utf8-name", (b, v) -> write(b).entry(new byte[] {'b', 'l', 'o', 'b', 's', '/', (byte) 0xff, (byte) 0xc0},
                '0', 0644, 1, new byte[0], utf8("x")).bytes(), fails("blobs/")));
        c.add(new ArchiveCase("gzip-bomb", (b, v) -> {
            // a gzipped archive whose one blob is 64 MiB of zeros: a few KiB on disk
            List<Ent> l = new ArrayList<>(b);
            RawTarWriter w = write(l);
            byte[] prefix = w.withoutEnd();
            return bombAfter(prefix, "blobs/sha256/" + "3".repeat(64), 64L << 20);
        }, fails("expands to more than")));
        return c;
    }

    /** gzip of {@code prefix} then one entry of {@code size} zero bytes and the end marker. */
    static byte[] bombAfter(byte[] prefix, String name, long size) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(b)) {
            gz.write(prefix);
            gz.write(RawTarWriter.header(utf8(name), '0', 0644, size, new byte[0]));
            byte[] zeros = new byte[1 << 20];
            for (long left = (size + 511) / 512 * 512; left > 0; left -= zeros.length) {
                gz.write(zeros, 0, (int) Math.min(zeros.length, left));
            }
            gz.write(new byte[1024]);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return b.toByteArray();
    }

    static final String LIMIT = "16M";

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void ociArchiveCopiedToALayout(ArchiveCase c) throws IOException {
        Path archive = tmp.resolve("in.tar");
        Files.write(archive, c.tar().apply(ociArchive, victim));
        Path dest = existingLayout();
        Hostile.attempt("archive: oci-archive copy", c.id(), mention(c.expect(), "in.tar"), victim, dest,
                () -> Hostile.kiln("copy", "--max-expanded-size", LIMIT, "oci-archive:" + archive + ":t", "oci:" + dest + ":new"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void ociArchiveInspected(ArchiveCase c) throws IOException {
        Path archive = tmp.resolve("in.tar");
        Files.write(archive, c.tar().apply(ociArchive, victim));
        Hostile.attempt("archive: oci-archive inspect", c.id(), mention(c.expect(), "in.tar"), victim, null,
                () -> Hostile.kiln("inspect", "--max-expanded-size", LIMIT, "oci-archive:" + archive + ":t"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void dockerArchiveCopiedToALayout(ArchiveCase c) throws IOException {
        Path archive = tmp.resolve("in.tar");
        Files.write(archive, c.tar().apply(dockerArchive, victim));
        Path dest = existingLayout();
        Hostile.attempt("archive: docker-archive copy", c.id(), mention(c.expect(), "in.tar"), victim, dest,
                () -> Hostile.kiln("copy", "--max-expanded-size", LIMIT, "docker-archive:" + archive, "oci:" + dest + ":new"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void archiveAsABaseImage(ArchiveCase c) throws IOException {
        Path archive = tmp.resolve("in.tar");
        Files.write(archive, c.tar().apply(ociArchive, victim));
        Path ctx = tmp.resolve("ctx");
        Files.createDirectories(ctx);
        Files.writeString(ctx.resolve("Dockerfile"), "FROM oci-archive:" + archive + ":t\nENV A=1\n");
        Path out = tmp.resolve("out");
        Hostile.attempt("archive: build FROM oci-archive", c.id(), mention(c.expect(), "Dockerfile:1", "in.tar"), victim, out,
                () -> Hostile.kiln("build", ctx.toString(), "--max-expanded-size", LIMIT, "-t", "x:1", "-o", "oci:" + out));
    }

    /** Legacy (Docker before 25) docker-archives: manifest.json, {@code <id>.json}, {@code <id>/layer.tar}. */
    static List<ArchiveCase> legacyCases() {
        List<ArchiveCase> c = new ArrayList<>();
        c.add(legacy("valid", "L", "C", null, ok()));
        c.add(legacy("layer-path-dotdot", "../../../../etc/passwd", "C", null, fails("../../../../etc/passwd", "not in the archive")));
        c.add(legacy("layer-path-absolute", "/etc/passwd", "C", null, fails("/etc/passwd", "not in the archive")));
        c.add(legacy("config-path-dotdot", "L", "../" + "c".repeat(64) + ".json", null, fails("not in the archive")));
        c.add(legacy("layer-symlink-out", "L", "C", "../../../../etc/passwd", fails("symbolic link")));
        c.add(legacy("layer-symlink-to-itself", "L", "C", "SELF", fails("too many links")));
        c.add(legacy("layer-symlink-among-blobs", "blobs/sha256/" + "b".repeat(64), "C", null, fails("not in the archive")));
        c.add(new ArchiveCase("layer-symlink-inside", (b, v) -> {
            List<Ent> l = new ArrayList<>(legacyEntries("L", "C", null, null));
            Ent layer = l.get(1);
            l.set(1, Ent.file("layers/one.tar", layer.content()));
            l.add(new Ent(layer.name(), '2', 0777, new byte[0], "../layers/one.tar"));
            return write(l).bytes();
        }, ok()));
        c.add(new ArchiveCase("layer-symlink-in-blobs", (b, v) -> {
            List<Ent> l = new ArrayList<>(legacyEntries("L", "C", null, null));
            l.add(new Ent("blobs/sha256/" + "c".repeat(64), '2', 0777, new byte[0], "../../" + l.get(1).name()));
            return write(l).bytes();
        }, fails("among the blobs")));
        // go-containerregistry's names: config sha256:<hex>, layers <hex>.tar.gz
        c.add(new ArchiveCase("crane-names", (b, v) -> {
            List<Ent> l = new ArrayList<>(legacyEntries("L", "C", null, null));
            String config = "sha256:" + l.get(2).name().replace(".json", "");
            String layer = "d".repeat(64) + ".tar.gz";
            String mj = "[{\"Config\":\"" + config + "\",\"RepoTags\":[\"example.com/x:t\"],\"Layers\":[\"" + layer + "\"]}]";
            return write(List.of(Ent.file(config, l.get(2).content()), Ent.file(layer, l.get(1).content()), Ent.file("manifest.json", utf8(mj)))).bytes();
        }, ok()));
        c.add(new ArchiveCase("manifest-json-not-an-array", (b, v) -> write(legacyEntries("L", "C", null, "{\"Config\":1}")).bytes(),
                fails("manifest.json", "array")));
        c.add(new ArchiveCase("manifest-json-wrong-types", (b, v) -> write(legacyEntries("L", "C", null,
                "[{\"Config\":7,\"Layers\":\"x\"}]")).bytes(), fails("manifest.json")));
        c.add(new ArchiveCase("manifest-json-bad-layer-source", (b, v) -> write(legacyEntries("L", "C", null,
                "[{\"Config\":\"C\",\"Layers\":[],\"LayerSources\":{\"sha256:nothex\":{}}}]")).bytes(), fails("manifest.json")));
        c.add(new ArchiveCase("config-diff-ids-mismatch", (b, v) -> write(legacyEntries("L", "C", null, null, true)).bytes(),
                fails("diff_ids")));
        return c;
    }

    static ArchiveCase legacy(String id, String layerPath, String configPath, String layerLink, Expect e) {
        return new ArchiveCase(id, (b, v) -> write(legacyEntries(layerPath, configPath, layerLink, null)).bytes(), e);
    }

    static List<Ent> legacyEntries(String layerPath, String configPath, String layerLink, String manifestJson) {
        return legacyEntries(layerPath, configPath, layerLink, manifestJson, false);
    }

    /** L and C in the paths stand for the real layer and config paths. */
    static List<Ent> legacyEntries(String layerPath, String configPath, String layerLink, String manifestJson, boolean wrongDiffId) {
        byte[] layer = new RawTarWriter().file("hello.txt", "hello\n").bytes();
        String diffId = Digest.sha256(wrongDiffId ? utf8("other") : layer).toString();
        byte[] config = utf8("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
                + diffId + "\"]}}");
        String configName = Digest.sha256(config).hex() + ".json";
        String id = "a".repeat(64);
        String layerName = id + "/layer.tar";
        String l = layerPath.equals("L") ? layerName : layerPath;
        String cf = configPath.equals("C") ? configName : configPath;
        String mj = manifestJson != null ? manifestJson
                : "[{\"Config\":\"" + cf + "\",\"RepoTags\":[\"example.com/x:t\"],\"Layers\":[\"" + l + "\"]}]";
        List<Ent> out = new ArrayList<>();
        out.add(new Ent(id + "/", '5', 0755, new byte[0], ""));
        if (layerLink == null) {
            out.add(Ent.file(layerName, layer));
        } else {
            String target = layerLink.equals("SELF") ? "../" + layerName : layerLink;
            out.add(new Ent(layerName, '2', 0777, new byte[0], target));
        }
        out.add(Ent.file(configName, config));
        out.add(Ent.file("manifest.json", utf8(mj)));
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("legacyCases")
    void legacyDockerArchive(ArchiveCase c) throws IOException {
        Path archive = tmp.resolve("in.tar");
        Files.write(archive, c.tar().apply(List.of(), victim));
        Path dest = existingLayout();
        Hostile.attempt("archive: legacy docker-archive", c.id(), mention(c.expect(), "in.tar"), victim, dest,
                () -> Hostile.kiln("copy", "docker-archive:" + archive, "oci:" + dest + ":new"));
        Hostile.attempt("archive: legacy docker-archive", c.id() + " (inspect)", mention(c.expect(), "in.tar"), victim, null,
                () -> Hostile.kiln("inspect", "docker-archive:" + archive));
    }

    static Expect mention(Expect e, String... more) {
        if (e.code() == 0) {
            return e;
        }
        List<String> m = new ArrayList<>(e.mentions());
        m.addAll(List.of(more));
        return new Expect(e.code(), m);
    }

    /** A destination layout that already holds a tag, to check that a failed copy leaves index.json alone. */
    Path existingLayout() throws IOException {
        Path dest = tmp.resolve("dest");
        if (!Files.exists(dest)) {
            TestImages.twoPlatforms(dest, "old");
        }
        return dest;
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    static Run kiln(String... args) {
        return KilnTestSupport.kiln(args);
    }
}
