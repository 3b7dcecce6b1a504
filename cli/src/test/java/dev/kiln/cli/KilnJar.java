package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The real kiln CLI ({@code cli/target/kiln.jar}) run as separate processes, for the crash,
 * concurrency and disk-full tests, with helpers to read the state of a layout from outside.
 */
final class KilnJar {
    private static final AtomicLong COUNTER = new AtomicLong();
    private static Path jar;

    private KilnJar() {
    }

    /** cli/target/kiln.jar, found from the repository root (the first parent folder holding cli/pom.xml). */
    static synchronized Path jar() {
        if (jar == null) {
            for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
                if (Files.isRegularFile(p.resolve("cli").resolve("pom.xml"))) {
                    Path j = p.resolve("cli").resolve("target").resolve("kiln.jar");
                    assertTrue(Files.isRegularFile(j), j + " is missing: run mvn package (or install) first");
                    jar = j;
                    break;
                }
            }
            if (jar == null) {
                fail("no repository root (a folder with cli/pom.xml) above " + Path.of("").toAbsolutePath());
            }
        }
        return jar;
    }

    /**
     * {@code java -jar kiln.jar ARGS}, with this JVM's java and {@code tmp} as its temporary folder
     * (so a killed kiln's temporary folders go with the test's).
     */
    static List<String> command(List<String> args, Path tmp) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-Djava.io.tmpdir=" + tmp);
        cmd.add("-jar");
        cmd.add(jar().toString());
        cmd.addAll(args);
        return cmd;
    }

    /** A kiln process that is running (or was), its output going to files. */
    static final class Running {
        final List<String> args;
        final Process process;
        final Path out;
        final Path err;
        final long started = System.nanoTime();

        Running(List<String> args, Process process, Path out, Path err) {
            this.args = args;
            this.process = process;
            this.out = out;
            this.err = err;
        }

        /** SIGKILL (destroyForcibly is SIGKILL on Linux); true when it was still running when killed. */
        boolean kill() throws InterruptedException {
            boolean alive = process.isAlive();
            process.destroyForcibly();
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "kiln did not die after SIGKILL: " + args);
            return alive;
        }

        Result await(long seconds) throws IOException, InterruptedException {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(60, TimeUnit.SECONDS);
                fail("kiln timed out after " + seconds + " s: " + args + "\nstderr: " + read(err));
            }
            return result();
        }

        Result result() throws IOException {
            return new Result(args, process.exitValue(), read(out), read(err),
                    (System.nanoTime() - started) / 1_000_000);
        }

        private static String read(Path p) throws IOException {
            return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
        }
    }

    record Result(List<String> args, int code, String out, String err, long millis) {
        Result ok() {
            assertEquals(0, code, () -> describe());
            return this;
        }

        String describe() {
            return "kiln " + String.join(" ", args) + " exited " + code + " after " + millis + " ms\nstdout: " + out
                    + "\nstderr: " + err;
        }
    }

    /** Starts kiln; output goes to files in {@code logs}. */
    static Running start(Path logs, String... args) throws IOException {
        return start(logs, List.of(args));
    }

    static Running start(Path logs, List<String> args) throws IOException {
        Files.createDirectories(logs);
        long n = COUNTER.incrementAndGet();
        Path out = logs.resolve("kiln-" + n + ".out");
        Path err = logs.resolve("kiln-" + n + ".err");
        Path tmp = Files.createDirectories(logs.resolveSibling(logs.getFileName() + "-tmp"));
        Process p = new ProcessBuilder(command(args, tmp))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        return new Running(List.copyOf(args), p, out, err);
    }

    /** Runs kiln to the end (at most 5 minutes). */
    static Result run(Path logs, String... args) throws IOException, InterruptedException {
        return start(logs, args).await(300);
    }

    /** {@code kiln verify [--deep] DIR} must pass. */
    static void assertVerifies(Path logs, Path layout, boolean deep, String context) throws Exception {
        Result r = deep ? run(logs, "verify", "--deep", layout.toString()) : run(logs, "verify", layout.toString());
        assertEquals(0, r.code(), () -> context + ": kiln verify" + (deep ? " --deep" : "") + " failed on " + layout
                + "\n" + r.out() + r.err());
    }

    /** ref.name -> digest of every top-level entry of index.json. */
    static Map<String, String> tags(Path layout) throws IOException {
        Map<String, String> out = new TreeMap<>();
        JsonNode index = KilnTestSupport.json(layout.resolve("index.json"));
        for (JsonNode d : index.get("manifests")) {
            JsonNode a = d.get("annotations");
            String name = a == null || a.get("org.opencontainers.image.ref.name") == null ? d.get("digest").asText()
                    : a.get("org.opencontainers.image.ref.name").asText();
            assertFalse(out.containsKey(name), "tag " + name + " twice in " + layout.resolve("index.json"));
            out.put(name, d.get("digest").asText());
        }
        return out;
    }

    /** A blob file as it was: its inode, modification time and size, to tell whether it was rewritten. */
    record FileStamp(Object inode, long mtimeNanos, long size) {
    }

    /** blobs/ALG/HEX -> stamp, for every file under blobs/. */
    static Map<String, FileStamp> blobStamps(Path layout) throws IOException {
        Map<String, FileStamp> out = new TreeMap<>();
        Path blobs = layout.resolve("blobs");
        if (!Files.isDirectory(blobs)) {
            return out;
        }
        try (var walk = Files.walk(blobs)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    Map<String, Object> a = Files.readAttributes(p, "unix:ino,lastModifiedTime,size", LinkOption.NOFOLLOW_LINKS);
                    out.put(layout.relativize(p).toString(), new FileStamp(a.get("ino"),
                            ((java.nio.file.attribute.FileTime) a.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS),
                            (Long) a.get("size")));
                }
            }
        }
        return out;
    }

    /** Fails unless every blob of {@code before} is still there, never rewritten (same inode, time and size). */
    static void assertNotRewritten(Map<String, FileStamp> before, Map<String, FileStamp> after, String context) {
        for (Map.Entry<String, FileStamp> e : before.entrySet()) {
            FileStamp now = after.get(e.getKey());
            assertTrue(now != null, context + ": " + e.getKey() + " was there before the rerun and is gone after it");
            assertEquals(e.getValue(), now, context + ": " + e.getKey() + " was rewritten by the rerun");
        }
    }

    /** Every file under blobs/ is blobs/sha256/HEX (no temporary file ever lands there). */
    static void assertOnlyBlobsInBlobs(Path layout, String context) throws IOException {
        for (String rel : blobStamps(layout).keySet()) {
            assertTrue(rel.matches("blobs/sha256/[0-9a-f]{64}"), context + ": unexpected file " + rel + " in " + layout);
        }
    }

    /** Copies a layout (or any tree) file by file, keeping nothing shared with the original. */
    static void copyTree(Path from, Path to) throws IOException {
        try (var walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            for (Path x : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(x);
            }
        }
    }
}
