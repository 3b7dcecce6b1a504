package dev.kiln.registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away Distribution registry on 127.0.0.1, started with the shared {@code start-registry}
 * script (to be switched to the project's {@code scripts/start-registry} once it exists) and stopped
 * by {@link #close()} through the script's own {@code stop}, which kills only that PID.
 */
final class TestRegistry implements AutoCloseable {
    static final Path SCRIPT = System.getProperty("kiln.startRegistry") != null
            ? Paths.get(System.getProperty("kiln.startRegistry")) : dev.kiln.testing.Peers.script("start-registry");

    final String address;
    final Path dir;
    final Path certDir;
    final boolean tls;

    private final Thread hook;

    private TestRegistry(Map<String, String> values) {
        this.address = values.get("REGISTRY");
        this.dir = Paths.get(values.get("DIR"));
        this.certDir = values.containsKey("CERT_DIR") ? Paths.get(values.get("CERT_DIR")) : null;
        this.tls = "https".equals(values.get("SCHEME"));
        // stops the registry even when the test JVM ends without @AfterAll
        this.hook = new Thread(this::stopQuietly, "stop-registry");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    private void stopQuietly() {
        try {
            Process p = new ProcessBuilder(SCRIPT.toString(), "stop", "--dir", dir.toString()).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor(30, TimeUnit.SECONDS);
        } catch (IOException e) {
            // nothing more to do
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Fails (never skips) when a tool the integration tests need is missing. */
    static void requireTools(String... tools) {
        for (String tool : tools) {
            if (which(tool) == null) {
                throw new IllegalStateException(tool + " is not installed; the registry integration tests need it "
                        + "(run scripts/install-test-tools)");
            }
        }
        if (!Files.isExecutable(SCRIPT)) {
            throw new IllegalStateException(SCRIPT + " is missing or not executable (set -Dkiln.startRegistry=PATH)");
        }
    }

    static Path which(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Paths.get(dir, tool);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /**
     * @param extraEnv environment for the registry, e.g. {@code REGISTRY_VALIDATION_MANIFESTS_URLS_ALLOW}
     */
    static TestRegistry start(Map<String, String> extraEnv, String... options) throws IOException, InterruptedException {
        requireTools("docker-registry", "skopeo");
        List<String> cmd = new ArrayList<>();
        cmd.add(SCRIPT.toString());
        cmd.addAll(List.of(options));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false);
        pb.environment().putAll(extraEnv);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("start-registry failed: " + new String(err, StandardCharsets.UTF_8).trim());
        }
        Map<String, String> values = new HashMap<>();
        for (String line : new String(out, StandardCharsets.UTF_8).split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        if (!values.containsKey("REGISTRY") || !values.containsKey("DIR")) {
            throw new IllegalStateException("start-registry printed no REGISTRY/DIR: " + values.keySet());
        }
        return new TestRegistry(values);
    }

    static TestRegistry start(String... options) throws IOException, InterruptedException {
        return start(Map.of(), options);
    }

    String scheme() {
        return tls ? "https" : "http";
    }

    @Override
    public void close() {
        stopQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down
        }
    }
}
