package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.cli.Hostile.Expect;
import dev.kiln.cli.HostileJsonTest.Spec;
import dev.kiln.cli.KilnTestSupport.Run;
import dev.kiln.layout.archive.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Broken layouts through the CLI: every corruption {@code kiln verify} knows, plus index.json
 * missing, empty or not a file, blobs that are folders or symbolic links out of the layout, and
 * layouts in read-only folders. verify reports (exit 1, one line on stderr); inspect, copy, build
 * and ls fail in one line or, where they never read the broken part, work; gc deletes nothing it
 * cannot prove unreachable.
 */
class HostileLayoutsTest {
    @TempDir
    Path tmp;

    Path victim;

    @BeforeEach
    void victim() throws IOException {
        victim = tmp.resolve("victim");
        Files.createDirectories(victim);
        Files.writeString(victim.resolve("keep.txt"), "keep\n");
    }

    @AfterAll
    static void tally() {
        System.out.println(Hostile.writeTally());
    }

    /** The commands each case goes through. */
    static final List<String> COMMANDS = List.of("verify", "inspect", "copy", "build", "gc", "ls");

    /** A corruption of a layout made by {@link Spec}; {@code outcomes} like "verify=F inspect=O" (F fails, O works); unnamed: F. */
    record LayoutCase(String id, Corruption corrupt, String outcomes, String mention) {
        @Override
        public String toString() {
            return id;
        }

        char outcome(String command) {
            for (String part : outcomes.split(" ")) {
                if (part.startsWith(command + "=")) {
                    return part.charAt(command.length() + 1);
                }
            }
            return 'F';
        }
    }

    @FunctionalInterface
    interface Corruption {
        void apply(Path layout, Map<String, String> v, Path victim) throws IOException;
    }

    static Path blob(Path layout, String digest) {
        return layout.resolve("blobs/sha256/" + digest.substring("sha256:".length()));
    }

    static void flip(Path p) throws IOException {
        byte[] b = Files.readAllBytes(p);
        b[b.length / 2] ^= 0x5a;
        Files.write(p, b);
    }

    static List<LayoutCase> cases() {
        List<LayoutCase> c = new ArrayList<>();
        c.add(new LayoutCase("valid", (l, v, x) -> { }, "verify=O inspect=O copy=O build=O gc=O ls=O", ""));
        c.add(new LayoutCase("layer-byte-flipped", (l, v, x) -> flip(blob(l, v.get("LAYER_DIGEST"))),
                "inspect=O gc=O ls=O", "${LAYER_DIGEST}"));
        c.add(new LayoutCase("layer-truncated", (l, v, x) -> {
            Path p = blob(l, v.get("LAYER_DIGEST"));
            byte[] b = Files.readAllBytes(p);
            Files.write(p, java.util.Arrays.copyOf(b, b.length - 7));
        }, "inspect=O gc=O ls=O", "${LAYER_DIGEST}"));
        c.add(new LayoutCase("layer-missing", (l, v, x) -> Files.delete(blob(l, v.get("LAYER_DIGEST"))),
                "inspect=O gc=O ls=O", "${LAYER_DIGEST}"));
        c.add(new LayoutCase("layer-is-a-directory", (l, v, x) -> {
            Path p = blob(l, v.get("LAYER_DIGEST"));
            Files.delete(p);
            Files.createDirectories(p.resolve("inside"));
        }, "inspect=O gc=O ls=O", "${LAYER_DIGEST}"));
        c.add(new LayoutCase("layer-is-a-symlink-out-of-the-layout", (l, v, x) -> {
            Path p = blob(l, v.get("LAYER_DIGEST"));
            Path outside = x.resolve("layer-copy");
            Files.move(p, outside);
            Files.createSymbolicLink(p, outside);
        }, "inspect=O gc=O ls=O", "${LAYER_DIGEST}"));
        c.add(new LayoutCase("manifest-is-a-symlink-out-of-the-layout", (l, v, x) -> {
            Path p = blob(l, v.get("MANIFEST_DIGEST"));
            Path outside = x.resolve("manifest-copy");
            Files.move(p, outside);
            Files.createSymbolicLink(p, outside);
        }, "ls=O", "${MANIFEST_DIGEST}"));
        c.add(new LayoutCase("manifest-is-a-directory", (l, v, x) -> {
            Path p = blob(l, v.get("MANIFEST_DIGEST"));
            Files.delete(p);
            Files.createDirectory(p);
        }, "ls=O", "${MANIFEST_DIGEST}"));
        c.add(new LayoutCase("manifest-byte-flipped", (l, v, x) -> flip(blob(l, v.get("MANIFEST_DIGEST"))), "ls=O", "${MANIFEST_DIGEST}"));
        c.add(new LayoutCase("manifest-missing", (l, v, x) -> Files.delete(blob(l, v.get("MANIFEST_DIGEST"))), "ls=O", "${MANIFEST_DIGEST}"));
        // ls lists what it can, an unreadable image as "(unreadable: ...)"
        c.add(new LayoutCase("index-byte-flipped", (l, v, x) -> flip(blob(l, v.get("INDEX_DIGEST"))), "ls=O", "${INDEX_DIGEST}"));
        c.add(new LayoutCase("config-byte-flipped", (l, v, x) -> flip(blob(l, v.get("CONFIG_DIGEST"))), "gc=O ls=O", "${CONFIG_DIGEST}"));
        c.add(new LayoutCase("config-missing", (l, v, x) -> Files.delete(blob(l, v.get("CONFIG_DIGEST"))), "gc=O ls=O", "${CONFIG_DIGEST}"));
        c.add(new LayoutCase("layer-not-gzip", (l, v, x) -> { }, "inspect=O copy=O gc=O ls=O", "${LAYER_DIGEST}"));
        c.add(new LayoutCase("wrong-diff-id", (l, v, x) -> { }, "inspect=O copy=O build=E gc=O ls=O", "${LAYER_DIGEST}"));
        c.add(new LayoutCase("history-count-wrong", (l, v, x) -> { }, "inspect=O copy=O build=E gc=O ls=O", "history"));
        c.add(new LayoutCase("oci-layout-missing", (l, v, x) -> Files.delete(l.resolve("oci-layout")), "", "oci-layout"));
        c.add(new LayoutCase("oci-layout-version-9", (l, v, x) -> Files.writeString(l.resolve("oci-layout"), "{\"imageLayoutVersion\":\"9.0.0\"}"),
                "", "imageLayoutVersion"));
        c.add(new LayoutCase("oci-layout-not-json", (l, v, x) -> Files.writeString(l.resolve("oci-layout"), "imageLayoutVersion: 1.0.0"),
                "", "oci-layout"));
        c.add(new LayoutCase("oci-layout-a-directory", (l, v, x) -> {
            Files.delete(l.resolve("oci-layout"));
            Files.createDirectory(l.resolve("oci-layout"));
        }, "", "oci-layout"));
        c.add(new LayoutCase("index-json-missing", (l, v, x) -> Files.delete(l.resolve("index.json")), "", "index.json"));
        c.add(new LayoutCase("index-json-empty", (l, v, x) -> Files.write(l.resolve("index.json"), new byte[0]), "", "index.json"));
        c.add(new LayoutCase("index-json-an-array", (l, v, x) -> Files.writeString(l.resolve("index.json"), "[]"), "", "index.json"));
        c.add(new LayoutCase("index-json-null", (l, v, x) -> Files.writeString(l.resolve("index.json"), "null"), "", "index.json"));
        c.add(new LayoutCase("index-json-binary", (l, v, x) -> Files.write(l.resolve("index.json"), new byte[] {0, 1, 2, (byte) 0xff}), "", "index.json"));
        c.add(new LayoutCase("index-json-a-directory", (l, v, x) -> {
            Files.delete(l.resolve("index.json"));
            Files.createDirectory(l.resolve("index.json"));
        }, "", "index.json"));
        c.add(new LayoutCase("index-json-no-manifests", (l, v, x) -> Files.writeString(l.resolve("index.json"), "{\"schemaVersion\":2}"), "", "index.json"));
        c.add(new LayoutCase("index-json-empty-index", (l, v, x) -> Files.writeString(l.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[]}"),
                "verify=O gc=O ls=O", "t"));
        c.add(new LayoutCase("tag-ambiguous", (l, v, x) -> {
            String j = Files.readString(l.resolve("index.json"));
            int start = j.indexOf('[') + 1;
            int end = j.lastIndexOf(']');
            String entry = j.substring(start, end);
            Files.writeString(l.resolve("index.json"), j.substring(0, start) + entry + "," + entry.replace(v.get("INDEX_DIGEST"), v.get("MANIFEST_DIGEST"))
                    .replace("\"size\":" + v.get("INDEX_SIZE"), "\"size\":" + v.get("MANIFEST_SIZE"))
                    .replace("application/vnd.oci.image.index.v1+json", "application/vnd.oci.image.manifest.v1+json") + j.substring(end));
        }, "gc=O ls=O", "t"));
        c.add(new LayoutCase("blobs-folder-missing", (l, v, x) -> deleteTree(l.resolve("blobs")), "ls=O", "sha256:"));
        c.add(new LayoutCase("blobs-folder-a-symlink-out", (l, v, x) -> {
            Path outside = x.resolve("blobs");
            Files.move(l.resolve("blobs"), outside);
            Files.createSymbolicLink(l.resolve("blobs"), outside);
        }, "verify=E inspect=E copy=E build=E gc=E ls=O", "blobs"));
        c.add(new LayoutCase("stray-files", (l, v, x) -> {
            Files.writeString(l.resolve("blobs/README"), "hi");
            Files.writeString(l.resolve("blobs/sha256/x.partial"), "partial");
            Files.createDirectories(l.resolve("blobs/md5"));
            Files.createDirectories(l.resolve(".kiln/tmp"));
            Files.writeString(l.resolve(".kiln/tmp/blob-1.partial"), "junk");
        }, "verify=O inspect=O copy=O build=O gc=O ls=O", ""));
        return c;
    }

    static void deleteTree(Path p) throws IOException {
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path x : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.delete(x);
            }
        }
    }

    /** The spec of a case (some cases are made by changing what is written, not by breaking it after). */
    static Spec spec(LayoutCase c) {
        Spec s = new Spec();
        switch (c.id()) {
            case "layer-not-gzip" -> {
                s.layer = "this is not gzip at all";
            }
            case "wrong-diff-id" -> s.config = s.config.replace("${DIFF_ID}", "sha256:" + "d".repeat(64));
            case "history-count-wrong" -> s.config = s.config.replace("[{\"created_by\":\"x\"}]",
                    "[{\"created_by\":\"x\"},{\"created_by\":\"y\"}]");
            default -> { }
        }
        return s;
    }

    Path layout(LayoutCase c, Path dir) throws IOException {
        Spec s = spec(c);
        s.write(dir);
        c.corrupt().apply(dir, s.values, victim);
        return dir;
    }

    String mention(LayoutCase c) throws IOException {
        Spec s = spec(c);
        s.write(tmp.resolve("again-" + System.nanoTime()));
        String m = s.fill(c.mention());
        // digests are named in full (sha256:<hex>) or as blob paths (blobs/sha256/<hex>): the hex is in both
        return m.startsWith("sha256:") ? m.substring(7) : m;
    }

    Expect expect(LayoutCase c, String command) throws IOException {
        return switch (c.outcome(command)) {
            case 'O' -> Expect.ok();
            case 'E' -> Expect.okOrFails();
            default -> command.equals("verify") || c.mention().isEmpty() ? Expect.fails() : Expect.fails(mention(c));
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void verify(LayoutCase c) throws IOException {
        Path l = layout(c, tmp.resolve("l"));
        Run r = Hostile.attempt("layout: verify", c.id(), expect(c, "verify"), victim, l, () -> Hostile.kiln("verify", "--deep", "oci:" + l));
        // the report names blobs by their first 12 hex digits
        String m = mention(c).matches("[0-9a-f]{64}") ? mention(c).substring(0, 12) : mention(c);
        if (r.code() == 1 && !m.isEmpty()) {
            assertTrue(r.out().contains(m) || r.err().contains(m), () -> c.id() + ": the report should name " + m + ":\n" + r.out());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void inspect(LayoutCase c) throws IOException {
        Path l = layout(c, tmp.resolve("l"));
        Hostile.attempt("layout: inspect", c.id(), expect(c, "inspect"), victim, l,
                () -> Hostile.kiln("inspect", "--platform", "linux/amd64", "oci:" + l + ":t"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void copy(LayoutCase c) throws IOException {
        Path l = layout(c, tmp.resolve("l"));
        Path dest = tmp.resolve("dest");
        TestImages.twoPlatforms(dest, "old");
        Hostile.attempt("layout: copy", c.id(), expect(c, "copy"), victim, dest,
                () -> Hostile.kiln("copy", "oci:" + l + ":t", "oci:" + dest + ":new"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void build(LayoutCase c) throws IOException {
        Path l = layout(c, tmp.resolve("l"));
        Path ctx = tmp.resolve("ctx");
        Files.createDirectories(ctx);
        Files.writeString(ctx.resolve("Dockerfile"), "FROM oci:" + l + ":t AS base\nFROM scratch\nCOPY --from=base / /\n");
        Path out = tmp.resolve("out");
        Hostile.attempt("layout: build FROM", c.id(), expect(c, "build"), victim, out,
                () -> Hostile.kiln("build", ctx.toString(), "--platform", "linux/amd64", "-t", "x:1", "-o", "oci:" + out));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gcDeletesNothingReachable(LayoutCase c) throws IOException {
        Path l = layout(c, tmp.resolve("l"));
        Spec s = spec(c);
        s.write(tmp.resolve("reference"));
        Set<String> before = files(l.resolve("blobs"));
        Run r = Hostile.attempt("layout: gc", c.id(), expect(c, "gc"), victim, l, () -> Hostile.kiln("gc", "oci:" + l));
        Set<String> after = files(l.resolve("blobs"));
        if (r.code() != 0) {
            assertEquals(before, after, c.id() + ": a refused gc deleted blobs");
        }
        // whatever gc did, a blob of the image the tag names is never deleted (gc never deletes what it cannot prove garbage)
        for (String key : List.of("LAYER_DIGEST", "CONFIG_DIGEST", "MANIFEST_DIGEST", "INDEX_DIGEST")) {
            String rel = "sha256/" + s.values.get(key).substring(7);
            if (before.contains(rel) && !c.id().equals("index-json-empty-index")) {
                assertTrue(after.contains(rel), c.id() + ": gc deleted " + key + " " + rel + ": " + r.out() + r.err());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void ls(LayoutCase c) throws IOException {
        Path l = layout(c, tmp.resolve("l"));
        Hostile.attempt("layout: ls", c.id(), expect(c, "ls"), victim, l, () -> Hostile.kiln("ls", "oci:" + l));
    }

    static Set<String> files(Path dir) throws IOException {
        Set<String> out = new TreeSet<>();
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return out;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.filter(p -> !p.equals(dir)).forEach(p -> out.add(dir.relativize(p).toString()));
        }
        return out;
    }

    // ------------------------------------------------------------------------ index.json through a symlink

    @Test
    void tagThroughASymlinkedIndexJsonLeavesItsTargetAlone() throws IOException {
        Path l = new Spec().write(tmp.resolve("l"));
        Path outside = victim.resolve("index.json");
        Files.move(l.resolve("index.json"), outside);
        Files.createSymbolicLink(l.resolve("index.json"), outside);
        byte[] before = Files.readAllBytes(outside);
        Run r = Hostile.kiln("tag", "oci:" + l + ":t", "second");
        Hostile.count("layout: tag", r.code());
        if (r.code() != 0) {
            Hostile.assertCleanError("tag", r.err(), List.of("index.json"));
        }
        assertEquals(new String(before), Files.readString(outside), "the file index.json links to must not change");
    }

    // ------------------------------------------------------------------------ read-only folders

    /**
     * Makes a tree read-only: chmod for a normal user; as root (which ignores modes) the immutable
     * attribute ({@code chattr +i}), which root must honour too. Aborts the test, saying why, when
     * neither works here.
     */
    static void readOnly(Path p) throws IOException {
        run("chmod", "-R", "a-w", p.toString());
        if (writable(p)) {
            run("chattr", "-R", "+i", p.toString());
        }
        org.junit.jupiter.api.Assertions.assertFalse(writable(p), "cannot make a folder read-only here (running as root,"
                + " and chattr +i does not work on this file system): the read-only layout cases need it");
    }

    static void writableAgain(Path p) throws IOException {
        run("chattr", "-R", "-i", p.toString());
        run("chmod", "-R", "u+w", p.toString());
    }

    private static boolean writable(Path dir) {
        Path probe = dir.resolve(".probe");
        try {
            Files.writeString(probe, "x");
            Files.delete(probe);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void run(String... cmd) throws IOException {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    @Test
    void aReadOnlyLayoutIsReadButNotWritten() throws IOException {
        Path ro = tmp.resolve("ro");
        Path l = new Spec().write(ro.resolve("l"));
        Path ctx = tmp.resolve("ctx");
        Files.createDirectories(ctx);
        Files.writeString(ctx.resolve("Dockerfile"), "FROM oci:" + l + ":t AS base\nFROM scratch\nCOPY --from=base / /\n");
        Path other = tmp.resolve("other");
        TestImages.twoPlatforms(other, "o");
        Map<String, String> listing = new LinkedHashMap<>();
        readOnly(ro);
        try {
            Set<String> before = files(ro);
            // reading needs no write
            Hostile.attempt("layout: read-only", "verify", Expect.ok(), victim, l, () -> Hostile.kiln("verify", "--deep", "oci:" + l));
            Hostile.attempt("layout: read-only", "inspect", Expect.ok(), victim, l, () -> Hostile.kiln("inspect", "oci:" + l + ":t"));
            Hostile.attempt("layout: read-only", "ls", Expect.ok(), victim, l, () -> Hostile.kiln("ls", "oci:" + l));
            Path copyOut = tmp.resolve("copy-out");
            Hostile.attempt("layout: read-only", "copy from", Expect.ok(), victim, copyOut,
                    () -> Hostile.kiln("copy", "oci:" + l + ":t", "oci:" + copyOut + ":t"));
            Path buildOut = tmp.resolve("build-out");
            Hostile.attempt("layout: read-only", "build from", Expect.ok(), victim, buildOut,
                    () -> Hostile.kiln("build", ctx.toString(), "-t", "x:1", "-o", "oci:" + buildOut));
            // writing fails in one line, index.json unchanged
            Hostile.attempt("layout: read-only", "copy into", Expect.fails(), victim, l,
                    () -> Hostile.kiln("copy", "oci:" + other + ":o", "oci:" + l + ":new"));
            Hostile.attempt("layout: read-only", "tag", Expect.fails(), victim, l,
                    () -> Hostile.kiln("tag", "oci:" + l + ":t", "second"));
            Hostile.attempt("layout: read-only", "gc", Expect.okOrFails(), victim, l, () -> Hostile.kiln("gc", "oci:" + l));
            Hostile.attempt("layout: read-only", "build into", Expect.fails(), victim, l,
                    () -> Hostile.kiln("build", ctx.toString(), "-t", "x:1", "-o", "oci:" + l));
            Path inReadOnly = ro.resolve("new");
            Hostile.attempt("layout: read-only", "build into a read-only folder", Expect.fails(), victim, inReadOnly,
                    () -> Hostile.kiln("build", ctx.toString(), "-t", "x:1", "-o", "oci:" + inReadOnly));
            Hostile.attempt("layout: read-only", "copy into a read-only folder", Expect.fails(), victim, inReadOnly,
                    () -> Hostile.kiln("copy", "oci:" + other + ":o", "oci:" + inReadOnly + ":t"));
            Hostile.attempt("layout: read-only", "archive into a read-only folder", Expect.fails(), victim, null,
                    () -> Hostile.kiln("copy", "oci:" + other + ":o", "oci-archive:" + ro.resolve("x.tar") + ":t"));
            assertEquals(before, files(ro), "nothing changed in the read-only folder");
            listing.put("ok", "");
        } finally {
            writableAgain(ro);
        }
    }
}
