package dev.kiln.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where the project's test scripts and the peer tools are, plus the per-JVM scratch folder.
 * A missing tool FAILS the test (never a skip): the fix is {@code scripts/install-test-tools}.
 *
 * <p>Scratch folders live under one short {@code /tmp/kiln-it-N} per JVM (unix socket paths
 * must stay under 108 bytes). At JVM exit, after every service has been stopped, everything
 * in it but the {@code *.log} files is deleted; {@code -Dkiln.keepTemp=true} keeps it all.
 */
public final class Peers {
    static final String MARKER = "scripts/install-test-tools";
    static final String HINT = "run scripts/install-test-tools";
    private static final String[] EXTRA_PATH = {"/usr/local/sbin", "/usr/sbin", "/sbin"};
    private static final Deque<Runnable> AT_EXIT = new ArrayDeque<>();
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static Path root;
    private static Path runDir;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(Peers::runExitActions, "kiln-peers-cleanup"));
    }

    private Peers() {}

    /** The repository root: the first folder at or above {@code user.dir} holding {@value #MARKER}. */
    public static synchronized Path repoRoot() {
        if (root == null) {
            Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath();
            for (Path p = start; p != null; p = p.getParent()) {
                if (Files.isRegularFile(p.resolve(MARKER))) {
                    return root = p;
                }
            }
            throw new IllegalStateException("no folder holding " + MARKER + " at or above " + start);
        }
        return root;
    }

    /** {@code scripts/NAME} of this repository; fails if it is missing or not executable. */
    public static Path script(String name) {
        Path p = repoRoot().resolve("scripts").resolve(name);
        if (!Files.isExecutable(p)) {
            throw new IllegalStateException("project script " + p + " missing or not executable");
        }
        return p;
    }

    /** The absolute path of a peer tool on PATH (or in an sbin folder); fails if not found. */
    public static Path require(String tool) {
        if (tool.contains("/")) {
            if (Files.isExecutable(Path.of(tool))) {
                return Path.of(tool);
            }
        } else {
            for (String dir : searchPath().split(File.pathSeparator)) {
                Path p = Path.of(dir.isEmpty() ? "." : dir, tool);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                    return p.toAbsolutePath();
                }
            }
        }
        throw new IllegalStateException("peer tool " + tool + " not found: " + HINT);
    }

    /** PATH with the sbin folders appended when missing (dockerd lives in /usr/sbin). */
    static String searchPath() {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        StringBuilder sb = new StringBuilder(path);
        for (String extra : EXTRA_PATH) {
            if (!(":" + path + ":").contains(":" + extra + ":")) {
                sb.append(':').append(extra);
            }
        }
        return sb.toString();
    }

    /** A fresh, empty, short folder {@code /tmp/kiln-it-N/NAME-K}, cleaned at JVM exit. */
    public static Path tempDir(String name) {
        try {
            Path dir = runDir().resolve(name + "-" + COUNTER.incrementAndGet());
            return Files.createDirectory(dir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a temp folder for " + name + ": " + e, e);
        }
    }

    private static synchronized Path runDir() throws IOException {
        if (runDir == null) {
            runDir = Files.createTempDirectory(Path.of("/tmp"), "kiln-it-");
            boolean keep = Boolean.getBoolean("kiln.keepTemp");
            atExit(() -> {
                if (!keep) {
                    deleteTree(runDir, true);
                }
            });
        }
        return runDir;
    }

    /** Runs ACTION once at JVM exit; actions run one after another, the last registered first. */
    public static void atExit(Runnable action) {
        synchronized (AT_EXIT) {
            AT_EXIT.push(action);
        }
    }

    private static void runExitActions() {
        while (true) {
            Runnable next;
            synchronized (AT_EXIT) {
                next = AT_EXIT.poll();
            }
            if (next == null) {
                return;
            }
            try {
                next.run();
            } catch (RuntimeException | Error e) {
                System.err.println("kiln test cleanup: " + e);
            }
        }
    }

    /** Deletes DIR and all below it (symlinks are not followed); with KEEPLOGS, *.log files stay. */
    public static void deleteTree(Path dir, boolean keepLogs) {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                    if (!(keepLogs && f.getFileName().toString().endsWith(".log"))) {
                        Files.delete(f);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    try (var s = Files.list(d)) {
                        if (s.findAny().isEmpty()) {
                            Files.delete(d);
                        }
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            System.err.println("kiln test cleanup: cannot delete " + dir + ": " + e);
        }
    }
}
