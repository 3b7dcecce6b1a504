package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import dev.kiln.cli.KilnTestSupport.Run;

/**
 * The rules every hostile input must follow through the CLI: exit 1 (2 for bad usage) with exactly
 * one line on stderr that names the input and says what is wrong, no stack trace, nothing written
 * outside the target (a victim folder and the system temp folder are watched), no temp folder
 * left behind, and the destination's index.json unchanged (or still absent). Counts what was tried.
 */
final class Hostile {
    private Hostile() {
    }

    static final Path SYSTEM_TMP = Path.of(System.getProperty("java.io.tmpdir"));

    /** How a case must end. */
    record Expect(int code, List<String> mentions) {
        static Expect ok() {
            return new Expect(0, List.of());
        }

        /** Exit 1, the stderr line containing each of {@code mentions} (case-insensitive). */
        static Expect fails(String... mentions) {
            return new Expect(1, List.of(mentions));
        }

        static Expect usage(String... mentions) {
            return new Expect(2, List.of(mentions));
        }

        /** Success, a clean failure (1) or a clean usage error (2), mentioning these. */
        static Expect anyClean(String... mentions) {
            return new Expect(-2, List.of(mentions));
        }

        /** Either a success or a clean failure (exit 1) mentioning these. */
        static Expect okOrFails(String... mentions) {
            return new Expect(-1, List.of(mentions));
        }
    }

    // ------------------------------------------------------------------------------------ tally

    private static final Map<String, AtomicInteger[]> TALLY = new TreeMap<>();

    /** Counts one input of a category: tried, clean error, success. */
    static synchronized void count(String category, int code) {
        AtomicInteger[] c = TALLY.computeIfAbsent(category,
                k -> new AtomicInteger[] {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()});
        c[0].incrementAndGet();
        c[code == 0 ? 2 : 1].incrementAndGet();
    }

    /** Writes the counts so far to {@code target/hostile-tally.txt} and returns them as text. */
    static synchronized String writeTally() {
        StringBuilder b = new StringBuilder();
        int tried = 0;
        int errors = 0;
        int ok = 0;
        for (Map.Entry<String, AtomicInteger[]> e : TALLY.entrySet()) {
            AtomicInteger[] c = e.getValue();
            b.append(String.format("%-28s tried %6d  clean error %6d  success %6d%n", e.getKey(), c[0].get(), c[1].get(), c[2].get()));
            tried += c[0].get();
            errors += c[1].get();
            ok += c[2].get();
        }
        b.append(String.format("%-28s tried %6d  clean error %6d  success %6d%n", "TOTAL", tried, errors, ok));
        try {
            Path target = Path.of("target");
            if (Files.isDirectory(target)) {
                Files.writeString(target.resolve("hostile-tally.txt"), b.toString(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            // the tally is a report, not a test result
        }
        return b.toString();
    }

    // ------------------------------------------------------------------------------------ guard

    /**
     * What must not change: the victim folder (outside every target), the system temp folder's
     * kiln-* entries and escape markers, the destination's index.json.
     */
    static final class Guard {
        private final Path victim;
        private final Path destination;
        private final Map<String, byte[]> victimBefore;
        private final Set<String> tmpBefore;
        private final byte[] indexBefore;
        private final boolean destinationExisted;

        Guard(Path victim, Path destination) throws IOException {
            this.victim = victim;
            this.destination = destination;
            this.victimBefore = snapshot(victim);
            this.tmpBefore = kilnTemps();
            this.destinationExisted = destination != null && Files.exists(destination, LinkOption.NOFOLLOW_LINKS);
            Path index = destination == null ? null : destination.resolve("index.json");
            this.indexBefore = index != null && Files.isRegularFile(index) ? Files.readAllBytes(index) : null;
        }

        void check(String id, Run r, boolean failed) throws IOException {
            Map<String, byte[]> after = snapshot(victim);
            assertEquals(victimBefore.keySet(), after.keySet(), () -> id + ": something was written into or deleted from the victim folder " + victim);
            for (Map.Entry<String, byte[]> e : victimBefore.entrySet()) {
                assertArrayEquals(e.getValue(), after.get(e.getKey()), () -> id + ": " + e.getKey() + " in the victim folder changed");
            }
            Set<String> tmpAfter = kilnTemps();
            tmpAfter.removeAll(tmpBefore);
            assertTrue(tmpAfter.isEmpty(), () -> id + ": left in " + SYSTEM_TMP + ": " + tmpAfter + "\n" + r.err());
            if (destination != null && failed) {
                if (!destinationExisted) {
                    assertFalse(Files.exists(destination, LinkOption.NOFOLLOW_LINKS),
                            () -> id + ": a failed run left a new destination " + destination + ": " + listing(destination));
                } else {
                    Path index = destination.resolve("index.json");
                    byte[] now = Files.isRegularFile(index) ? Files.readAllBytes(index) : null;
                    assertArrayEquals(indexBefore, now, () -> id + ": a failed run changed " + index);
                }
            }
        }

        private static String listing(Path p) {
            try {
                return KilnTestSupport.listTree(p).toString();
            } catch (IOException e) {
                return e.toString();
            }
        }
    }

    private static Map<String, byte[]> snapshot(Path dir) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        if (dir == null || !Files.exists(dir)) {
            return out;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                String rel = dir.relativize(p).toString();
                out.put(rel, Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? Files.readAllBytes(p)
                        : Files.isSymbolicLink(p) ? ("-> " + Files.readSymbolicLink(p)).getBytes(StandardCharsets.UTF_8)
                        : new byte[] {'d'});
            }
        }
        return out;
    }

    /** kiln's temp folders and any escape marker in the system temp folder. */
    static Set<String> kilnTemps() throws IOException {
        Set<String> out = new TreeSet<>();
        try (Stream<Path> list = Files.list(SYSTEM_TMP)) {
            list.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("kiln-") && !n.startsWith("kiln-it-") || n.contains("escape"))
                    .forEach(out::add);
        }
        return out;
    }

    // ------------------------------------------------------------------------------------ runs

    /**
     * Runs one hostile case and checks every rule. {@code category} goes to the tally.
     */
    static Run attempt(String category, String id, Expect expect, Path victim, Path destination, Supplier<Run> action)
            throws IOException {
        Guard guard = new Guard(victim, destination);
        Run r = action.get();
        count(category, r.code());
        String context = id + "\nexit " + r.code() + "\nstdout: " + r.out() + "\nstderr: " + r.err();
        if (expect.code() >= 0) {
            assertEquals(expect.code(), r.code(), () -> "wrong exit code for " + context);
        } else if (expect.code() == -2) {
            assertTrue(r.code() >= 0 && r.code() <= 2, () -> "want exit 0, 1 or 2: " + context);
        } else {
            assertTrue(r.code() == 0 || r.code() == 1, () -> "want success or exit 1: " + context);
        }
        if (r.code() != 0) {
            assertCleanError(context, r.err(), expect.mentions());
        }
        guard.check(id, r, r.code() != 0);
        return r;
    }

    /** Exactly one line, starting with "kiln: ", no stack trace, no exception class name, each mention present. */
    static void assertCleanError(String context, String err, List<String> mentions) {
        String trimmed = err.strip();
        String[] lines = trimmed.split("\\R");
        boolean usageHint = lines.length == 2 && lines[1].startsWith("Try '");
        assertTrue(lines.length == 1 || usageHint, () -> "want one line on stderr: " + context);
        String line = lines[0];
        assertTrue(line.startsWith("kiln: "), () -> "stderr should start with 'kiln: ': " + context);
        assertFalse(err.contains("\tat ") || err.contains("Exception") || err.contains("internal error"),
                () -> "stack trace, exception name or internal error in stderr: " + context);
        assertFalse(line.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f || ch >= 0x80 && ch <= 0x9f),
                () -> "control characters in the error line: " + context);
        for (String m : mentions) {
            assertTrue(line.toLowerCase().contains(m.toLowerCase()), () -> "stderr should mention '" + m + "': " + context);
        }
    }

    static Run kiln(String... args) {
        return KilnTestSupport.kiln(args);
    }
}
