package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** Shared helpers: running kiln in-process, reading layouts and layer tars back. */
final class KilnTestSupport {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final List<String> PLATFORMS = List.of("linux/amd64", "linux/arm64", "linux/arm/v7");
    static final String PLATFORM_ARG = String.join(",", PLATFORMS);

    private KilnTestSupport() {
    }

    record Run(int code, String out, String err) {
        Run ok() {
            assertEquals(0, code, () -> "kiln failed (" + code + ")\nstdout: " + out + "\nstderr: " + err);
            return this;
        }
    }

    /**
     * Runs kiln in-process. Builds run with {@code --no-cache} unless a test names a cache, so that
     * every reproducibility check compares layers that were really built.
     */
    static Run kiln(String... args) {
        if (args.length > 0 && args[0].equals("build") && !List.of(args).contains("--cache-dir")
                && !List.of(args).contains("--no-cache")) {
            List<String> withFlag = new ArrayList<>(List.of(args));
            withFlag.add(1, "--no-cache");
            args = withFlag.toArray(String[]::new);
        }
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code;
        try (PrintWriter out = new PrintWriter(o); PrintWriter err = new PrintWriter(e)) {
            code = Kiln.run(out, err, args);
        }
        return new Run(code, o.toString(), e.toString());
    }

    private static Path testdata;

    /** The repository's testdata/example, as {@link #testdata()} gives it. */
    static Path example() {
        return testdata().resolve("example");
    }

    /**
     * The repository's testdata folder (found from the module folder, surefire's cwd, or the root),
     * copied once per JVM with the modes git records: folders 0755, files 0644, or 0755 when
     * executable. kiln hashes every file's mode, so a checkout made under another umask (002 gives
     * 0664 and 0775) would otherwise build other digests and fail the tests that expect these modes.
     */
    static synchronized Path testdata() {
        if (testdata == null) {
            Path repo = null;
            for (Path p : List.of(Path.of("..", "testdata"), Path.of("testdata"))) {
                if (Files.isRegularFile(p.resolve("example/Dockerfile"))) {
                    repo = p.toAbsolutePath().normalize();
                    break;
                }
            }
            if (repo == null) {
                throw new AssertionError("testdata/example not found from " + Path.of("").toAbsolutePath());
            }
            try {
                Path copy = Files.createTempDirectory("testdata-").resolve("testdata");
                copyTree(repo, copy);
                try (var walk = Files.walk(copy)) {
                    for (Path p : (Iterable<Path>) walk::iterator) {
                        boolean dirOrExec = Files.isDirectory(p) || Files.getPosixFilePermissions(p).contains(PosixFilePermission.OWNER_EXECUTE);
                        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(dirOrExec ? "rwxr-xr-x" : "rw-r--r--"));
                    }
                }
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(copy.getParent())));
                testdata = copy;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return testdata;
    }

    private static void deleteQuietly(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp folder: what is left goes with the build's target folder
        }
    }

    static Run buildExample(Path context, Path layout, String... extra) {
        List<String> args = new ArrayList<>(List.of("build", context.toString(), "--platform", PLATFORM_ARG,
                "-t", "example.com/hello:1.0", "-o", "oci:" + layout));
        args.addAll(List.of(extra));
        return kiln(args.toArray(String[]::new)).ok();
    }

    static JsonNode json(Path p) throws IOException {
        return MAPPER.readTree(p.toFile());
    }

    static Path blob(Path layout, String digest) {
        String[] parts = digest.split(":", 2);
        return layout.resolve("blobs").resolve(parts[0]).resolve(parts[1]);
    }

    static JsonNode blobJson(Path layout, String digest) throws IOException {
        return json(blob(layout, digest));
    }

    /** The digest of the single top-level entry of index.json. */
    static String rootDigest(Path layout) throws IOException {
        JsonNode m = json(layout.resolve("index.json")).get("manifests");
        assertEquals(1, m.size(), "index.json should hold one top-level descriptor: " + m);
        return m.get(0).get("digest").asText();
    }

    /** The digest of the entry of index.json tagged {@code tag} (org.opencontainers.image.ref.name). */
    static String rootDigestOf(Path layout, String tag) throws IOException {
        for (JsonNode d : json(layout.resolve("index.json")).get("manifests")) {
            if (tag.equals(d.path("annotations").path("org.opencontainers.image.ref.name").asText(null))) {
                return d.get("digest").asText();
            }
        }
        throw new AssertionError("no entry tagged " + tag + " in " + layout);
    }

    /** platform (os/arch[/variant]) -> manifest descriptor, from the nested index. */
    static Map<String, JsonNode> platformManifests(Path layout) throws IOException {
        JsonNode inner = blobJson(layout, rootDigest(layout));
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (JsonNode d : inner.get("manifests")) {
            JsonNode p = d.get("platform");
            String key = p.get("os").asText() + "/" + p.get("architecture").asText()
                    + (p.hasNonNull("variant") ? "/" + p.get("variant").asText() : "");
            out.put(key, d);
        }
        return out;
    }

    /** Every digest reachable from index.json: indexes, manifests, configs, layers (in a stable order). */
    static List<String> allDigests(Path layout) throws IOException {
        List<String> out = new ArrayList<>();
        String root = rootDigest(layout);
        out.add(root);
        for (JsonNode d : blobJson(layout, root).get("manifests")) {
            String md = d.get("digest").asText();
            out.add(md);
            JsonNode m = blobJson(layout, md);
            out.add(m.get("config").get("digest").asText());
            for (JsonNode l : m.get("layers")) {
                out.add(l.get("digest").asText());
            }
        }
        return out;
    }

    record TarFile(String name, int mode, long uid, long gid, boolean dir, boolean symlink, String linkName, byte[] content) {
    }

    /** Reads a gzip (or uncompressed) layer tar; names without leading ./ or /. */
    static Map<String, TarFile> readLayer(Path blob) throws IOException {
        Map<String, TarFile> out = new LinkedHashMap<>();
        byte[] head = new byte[2];
        try (InputStream in = Files.newInputStream(blob)) {
            in.read(head);
        }
        boolean gz = (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b;
        try (InputStream raw = Files.newInputStream(blob);
             InputStream in = gz ? new GZIPInputStream(raw) : raw;
             TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                String name = e.getName().replaceFirst("^\\./", "").replaceFirst("^/", "").replaceFirst("/$", "");
                byte[] content = e.isFile() ? tar.readAllBytes() : new byte[0];
                out.put(name, new TarFile(name, e.getMode() & 07777, e.getLongUserId(), e.getLongGroupId(),
                        e.isDirectory(), e.isSymbolicLink(), e.getLinkName(), content));
            }
        }
        return out;
    }

    /** The files of all layers of one platform's image, later layers overriding earlier ones. */
    static Map<String, TarFile> flatten(Path layout, JsonNode manifestDescriptor) throws IOException {
        Map<String, TarFile> out = new LinkedHashMap<>();
        JsonNode m = blobJson(layout, manifestDescriptor.get("digest").asText());
        for (JsonNode l : m.get("layers")) {
            out.putAll(readLayer(blob(layout, l.get("digest").asText())));
        }
        return out;
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (var walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                    // a folder's mode is hashed too: keep it, whatever the umask would give the new folder
                    Files.setPosixFilePermissions(t, Files.getPosixFilePermissions(p));
                } else {
                    Files.copy(p, t, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    static List<String> listTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return List.of();
        }
        try (var walk = Files.walk(root)) {
            return walk.map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    static String expectedArchWord(String platform) {
        return switch (platform) {
            case "linux/amd64" -> "hello from amd64";
            case "linux/arm64" -> "hello from arm64";
            case "linux/arm/v7" -> "hello from arm";
            default -> throw new AssertionError(platform);
        };
    }

    static void assertNoStackTrace(String err) {
        assertTrue(!err.contains("at dev.kiln") && !err.contains("\tat "), () -> "stack trace in stderr: " + err);
    }

    static void failWith(String message) {
        fail(message);
    }
}
