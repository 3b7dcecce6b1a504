package dev.kiln.cli;

import static dev.kiln.cli.Hostile.Expect.fails;
import static dev.kiln.cli.Hostile.Expect.usage;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.kiln.cli.Hostile.Expect;
import dev.kiln.cli.KilnTestSupport.Run;
import dev.kiln.layout.archive.TestImages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Recipes that reach outside their context, malformed references, unknown platforms, bad
 * {@code --chmod} in recipes and bad flags: each refused in one line (exit 1 naming the recipe line,
 * or exit 2 naming the flag), nothing read from outside the context, nothing written.
 */
class HostileRecipesAndFlagsTest {
    @TempDir
    Path tmp;

    Path victim;
    Path ctx;
    Path out;
    static final String SECRET = "the victim's secret " + ProcessHandle.current().pid();

    @BeforeEach
    void setUp() throws IOException {
        victim = tmp.resolve("victim");
        Files.createDirectories(victim.resolve("dir"));
        Files.writeString(victim.resolve("secret.txt"), SECRET + "\n");
        Files.writeString(victim.resolve("dir/secret.txt"), SECRET + "\n");
        Files.write(victim.resolve("secret.tar"), new RawTarWriter().file("secret.txt", SECRET + "\n").bytes());
        ctx = tmp.resolve("ctx");
        Files.createDirectories(ctx.resolve("sub"));
        Files.writeString(ctx.resolve("ok.txt"), "ok\n");
        Files.createSymbolicLink(ctx.resolve("link-to-secret"), victim.resolve("secret.txt"));
        Files.createSymbolicLink(ctx.resolve("link-to-dir"), victim.resolve("dir"));
        Files.createSymbolicLink(ctx.resolve("sub/up"), Path.of("../../victim"));
        Files.createSymbolicLink(ctx.resolve("link-to-tar"), victim.resolve("secret.tar"));
        Files.createSymbolicLink(ctx.resolve("inside-link"), Path.of("ok.txt"));
        out = tmp.resolve("out");
    }

    @AfterAll
    static void tally() {
        System.out.println(Hostile.writeTally());
    }

    record RecipeCase(String id, String recipe, Expect expect) {
        @Override
        public String toString() {
            return id;
        }
    }

    static List<RecipeCase> recipeCases() {
        List<RecipeCase> c = new ArrayList<>();
        // outside the context
        c.add(new RecipeCase("copy-dotdot", "FROM scratch\nCOPY ../victim/secret.txt /\n", fails("Dockerfile:2", "outside the build context")));
        c.add(new RecipeCase("copy-deep-dotdot", "FROM scratch\nCOPY sub/../../victim/secret.txt /\n", fails("Dockerfile:2", "outside the build context")));
        c.add(new RecipeCase("copy-absolute-is-in-the-context", "FROM scratch\nCOPY /victim/secret.txt /\n", fails("Dockerfile:2", "not found")));
        c.add(new RecipeCase("copy-symlink-to-a-file-outside", "FROM scratch\nCOPY link-to-secret /\n", fails("Dockerfile:2", "outside the build context")));
        c.add(new RecipeCase("copy-through-a-symlinked-folder", "FROM scratch\nCOPY link-to-dir/secret.txt /\n", fails("Dockerfile:2", "outside the build context")));
        c.add(new RecipeCase("copy-symlinked-folder", "FROM scratch\nCOPY link-to-dir /x/\n", fails("Dockerfile:2", "outside the build context")));
        c.add(new RecipeCase("copy-relative-symlink-up", "FROM scratch\nCOPY sub/up/secret.txt /\n", fails("Dockerfile:2", "outside the build context")));
        c.add(new RecipeCase("copy-glob-matching-a-symlink-out", "FROM scratch\nCOPY link-to-s* /x/\n", fails("Dockerfile:2", "outside the build context")));
        c.add(new RecipeCase("add-symlink-to-an-archive-outside", "FROM scratch\nADD link-to-tar /\n", fails("Dockerfile:2", "outside the build context")));
        c.add(new RecipeCase("copy-the-whole-context-keeps-links-as-links", "FROM scratch\nCOPY . /\n", Expect.ok()));
        c.add(new RecipeCase("copy-a-link-inside-the-context", "FROM scratch\nCOPY inside-link /x\n", Expect.ok()));
        // bad --chmod
        for (String mode : List.of("999", "u+y", "u", "-1", "12345", "0x755", "7777777", "rwxr-xr-x", "${UNSET}x", "08", "0755x")) {
            c.add(new RecipeCase("chmod-" + mode, "FROM scratch\nCOPY --chmod=" + mode + " ok.txt /\n", fails("Dockerfile:2", "chmod")));
        }
        c.add(new RecipeCase("chmod-twice", "FROM scratch\nCOPY --chmod=0644 --chmod=0600 ok.txt /\n", fails("Dockerfile:2")));
        c.add(new RecipeCase("chmod-on-add", "FROM scratch\nADD --chmod=8 ok.txt /\n", fails("Dockerfile:2", "chmod")));
        c.add(new RecipeCase("chown-nonsense", "FROM scratch\nCOPY --chown=a:b:c ok.txt /\n", fails("Dockerfile:2")));
        c.add(new RecipeCase("chown-huge", "FROM scratch\nCOPY --chown=99999999999999999999 ok.txt /\n", fails("Dockerfile:2")));
        // malformed references in FROM and COPY --from
        for (String ref : List.of("oci:", "oci::t", "oci:/nonexistent/layout:t", "oci-archive:", "oci-archive:/nonexistent.tar",
                "docker-archive:/nonexistent.tar:x:1", "docker://", "docker://example.com/x:1", "unknown:thing", "Bad/Name:1",
                "UPPER:case", "alpine@sha256:nothex", "a:b:c:d", "oci:${NOPE}:t", "oci:ctx:t\u0000")) {
            c.add(new RecipeCase("from-" + ref, "FROM " + ref + "\nCMD x\n", fails("Dockerfile:1")));
            c.add(new RecipeCase("copy-from-" + ref, "FROM scratch\nCOPY --from=" + ref + " / /\n", fails("Dockerfile:2")));
        }
        // platforms in recipes
        for (String p : List.of("linux", "/amd64", "linux/", "linux/amd64/v8/x", "linux//amd64", "plan9/68k")) {
            c.add(new RecipeCase("from-platform-" + p, "FROM --platform=" + p + " scratch\nCMD x\n", fails("Dockerfile:1")));
        }
        // an empty --platform= is the default platform, as in BuildKit
        c.add(new RecipeCase("from-platform-empty", "FROM --platform= scratch\nCMD x\n", Expect.ok()));
        c.add(new RecipeCase("from-platform-unset-variable", "FROM --platform=${NOPE} scratch\nCMD x\n", Expect.okOrFails("Dockerfile:1")));
        return c;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("recipeCases")
    void recipe(RecipeCase c) throws IOException {
        Files.writeString(ctx.resolve("Dockerfile"), c.recipe());
        Run r = Hostile.attempt("recipe: context, references, --chmod", c.id(), c.expect(), victim, out,
                () -> Hostile.kiln("build", ctx.toString(), "--platform", "linux/amd64", "-t", "x:1", "-o", "oci:" + out));
        if (r.code() == 0) {
            assertNoBlobHolds(out, SECRET);
        }
    }

    /** No blob of the layout (layers decompressed) holds {@code text}: nothing was read from outside the context. */
    static void assertNoBlobHolds(Path layout, String text) throws IOException {
        try (Stream<Path> blobs = Files.walk(layout.resolve("blobs"))) {
            for (Path b : (Iterable<Path>) blobs.filter(Files::isRegularFile)::iterator) {
                byte[] bytes = Files.readAllBytes(b);
                String plain = new String(bytes, StandardCharsets.ISO_8859_1);
                String unzipped = "";
                if (bytes.length > 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
                    try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(bytes))) {
                        unzipped = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
                    }
                }
                assertFalse(plain.contains(text) || unzipped.contains(text), "blob " + b + " holds the victim's secret");
            }
        }
    }

    @Test
    void recipeThatIsNotUtf8NamesTheLine() throws IOException {
        Files.write(ctx.resolve("Dockerfile"), new byte[] {'F', 'R', 'O', 'M', ' ', 's', 'c', 'r', 'a', 't', 'c', 'h', '\n',
            'C', 'M', 'D', ' ', (byte) 0xff, (byte) 0xfe, '\n'});
        Hostile.attempt("recipe: context, references, --chmod", "not utf-8", fails("Dockerfile:2:", "UTF-8"), victim, out,
                () -> Hostile.kiln("build", ctx.toString(), "-t", "x:1", "-o", "oci:" + out));
    }

    // ------------------------------------------------------------------------ references and flags on the command line

    record FlagCase(String id, List<String> args, Expect expect) {
        @Override
        public String toString() {
            return id;
        }
    }

    static List<FlagCase> flagCases() {
        List<FlagCase> c = new ArrayList<>();
        // references as sources and destinations
        for (String ref : List.of("oci:", "oci-archive:", "docker-archive:", "nope:x", "docker:x", "docker://", "x\u0000y",
                "oci:/no/such/layout:t", "oci-archive:/no/such.tar:t", "docker-archive:/no/such.tar", "oci:DIR:bad tag",
                "oci:DIR:UPPER..", "oci:DIR:@sha256:abc", "oci:DIR:t@sha256:" + "0".repeat(64))) {
            String src = ref.replace("DIR", "SRC");
            c.add(new FlagCase("copy-from " + ref, List.of("copy", src, "oci:DEST:t"), Expect.okOrFails()));
            c.add(new FlagCase("copy-to " + ref, List.of("copy", "oci:SRC:t", ref.replace("DIR", "DEST")), Expect.okOrFails()));
            c.add(new FlagCase("inspect " + ref, List.of("inspect", src), Expect.okOrFails()));
            c.add(new FlagCase("build -o " + ref, List.of("build", "CTX", "-t", "x:1", "-o", ref.replace("DIR", "DEST")), Expect.okOrFails()));
        }
        for (String ref : List.of("docker://UPPER/repo:t", "docker://host:99999/r:t", "docker://[::1/r", "docker://host/r:t@sha256:nothex",
                "docker://host/" + "a".repeat(300) + ":t", "docker://host/r:" + "t".repeat(200))) {
            c.add(new FlagCase("pull " + ref, List.of("pull", ref, "oci:DEST:t"), Expect.okOrFails()));
            c.add(new FlagCase("push " + ref, List.of("push", "oci:SRC:t", ref), Expect.okOrFails()));
        }
        // platforms
        for (String p : List.of("linux", "/amd64", "linux/", "linux/amd64/v8/extra", ",", "linux//amd64", "\u0000/x")) {
            c.add(new FlagCase("build --platform " + p, List.of("build", "CTX", "--platform", p, "-t", "x:1", "-o", "oci:DEST"),
                    usage("--platform")));
            c.add(new FlagCase("copy --platform " + p, List.of("copy", "--platform", p, "oci:SRC:t", "oci:DEST:t"), usage("--platform")));
            c.add(new FlagCase("inspect --platform " + p, List.of("inspect", "--platform", p, "oci:SRC:t"), usage("--platform")));
        }
        c.add(new FlagCase("copy --platform unknown", List.of("copy", "--platform", "plan9/68k", "oci:SRC:t", "oci:DEST:t"), usage("68k")));
        c.add(new FlagCase("inspect --platform unknown", List.of("inspect", "--platform", "plan9/68k", "oci:SRC:t"), usage("68k")));
        c.add(new FlagCase("copy --platform absent", List.of("copy", "--platform", "linux/s390x", "oci:SRC:t", "oci:DEST:t"), fails("s390x")));
        c.add(new FlagCase("inspect --platform absent", List.of("inspect", "--platform", "linux/s390x", "oci:SRC:t"), fails("s390x")));
        // --timestamp
        for (String t : List.of("abc", "-1", "1e9", "99999999999999999999", "", " ", "253402300800", "1.5", "0x10", "\u0000")) {
            c.add(new FlagCase("build --timestamp " + t, List.of("build", "CTX", "--timestamp", t, "-t", "x:1", "-o", "oci:DEST"),
                    usage("--timestamp")));
        }
        // other build flags
        c.add(new FlagCase("--jobs 0", List.of("build", "CTX", "-j", "0", "-t", "x:1", "-o", "oci:DEST"), Expect.okOrFails()));
        c.add(new FlagCase("--jobs x", List.of("build", "CTX", "-j", "x", "-t", "x:1", "-o", "oci:DEST"), usage("jobs")));
        c.add(new FlagCase("--level 99", List.of("build", "CTX", "--level", "99", "-t", "x:1", "-o", "oci:DEST"), usage("level")));
        c.add(new FlagCase("--compression brotli", List.of("build", "CTX", "--compression", "brotli", "-t", "x:1", "-o", "oci:DEST"), usage("--compression")));
        c.add(new FlagCase("--format x", List.of("build", "CTX", "--format", "x", "-t", "x:1", "-o", "oci:DEST"), usage("--format")));
        c.add(new FlagCase("--build-arg =x", List.of("build", "CTX", "--build-arg", "=x", "-t", "x:1", "-o", "oci:DEST"), usage("--build-arg")));
        c.add(new FlagCase("--file-for x", List.of("build", "CTX", "--file-for", "x", "-t", "x:1", "-o", "oci:DEST"), usage("--file-for")));
        c.add(new FlagCase("--file-for bad platform", List.of("build", "CTX", "--file-for", "linux=Dockerfile", "-t", "x:1", "-o", "oci:DEST"), usage("platform")));
        c.add(new FlagCase("-f missing", List.of("build", "CTX", "-f", "/no/such/Dockerfile", "-t", "x:1", "-o", "oci:DEST"), fails("/no/such/Dockerfile")));
        c.add(new FlagCase("context not a folder", List.of("build", "/no/such/context", "-t", "x:1", "-o", "oci:DEST"), usage("/no/such/context")));
        c.add(new FlagCase("-t bad", List.of("build", "CTX", "-t", "Bad Tag!", "-o", "oci:DEST"), Expect.okOrFails()));
        c.add(new FlagCase("--target missing", List.of("build", "CTX", "--target", "nope", "-t", "x:1", "-o", "oci:DEST"), fails("nope")));
        c.add(new FlagCase("unknown option", List.of("build", "CTX", "--frobnicate", "-o", "oci:DEST"), usage("--frobnicate")));
        c.add(new FlagCase("copy --jobs 1000", List.of("copy", "-j", "1000", "oci:SRC:t", "oci:DEST:t"), usage("--jobs")));
        c.add(new FlagCase("tag bad", List.of("tag", "oci:SRC:t", "bad tag"), Expect.okOrFails()));
        c.add(new FlagCase("tag missing", List.of("tag", "oci:SRC:nope", "x"), fails("nope")));
        return c;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("flagCases")
    void flags(FlagCase c) throws IOException {
        Path src = tmp.resolve("src");
        TestImages.twoPlatforms(src, "t");
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY ok.txt /\n");
        Path dest = tmp.resolve("dest");
        String[] args = c.args().stream().map(a -> a.replace("SRC", src.toString()).replace("DEST", dest.toString())
                .replace("CTX", ctx.toString())).toArray(String[]::new);
        // okOrFails here also allows a usage error (2): a malformed reference is either
        Expect e = c.expect().code() == -1 ? Expect.anyClean(c.expect().mentions().toArray(String[]::new)) : c.expect();
        Hostile.attempt("flags and references", c.id(), e, victim, dest, () -> Hostile.kiln(args));
    }
}
