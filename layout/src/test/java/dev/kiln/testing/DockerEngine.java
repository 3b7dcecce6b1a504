package dev.kiln.testing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A sandboxed Docker 20.10 engine (scripts/dockerd: vfs, no iptables, no bridge, its own
 * socket) for {@code docker load / pull / run} checks. Starting one takes seconds, so tests
 * share {@link #shared()}, started on first use and stopped at JVM exit. A negative test
 * that must not find cached layers takes {@link #startNew()} and closes it.
 *
 * <pre>
 * DockerEngine.shared().docker("load", "-i", tar.toString()).assertOk();
 * </pre>
 */
public final class DockerEngine implements AutoCloseable {
    private static DockerEngine shared;
    private static IllegalStateException sharedFailure;

    private final Path dir;
    private final String host;
    private final boolean isShared;
    private final AtomicBoolean stopped = new AtomicBoolean();

    private DockerEngine(Path dir, String host, boolean isShared) {
        this.dir = dir;
        this.host = host;
        this.isShared = isShared;
    }

    /** The engine shared by this JVM, started on first call; fails clearly if it cannot start. */
    public static synchronized DockerEngine shared() {
        if (sharedFailure != null) {
            throw new IllegalStateException(sharedFailure.getMessage(), sharedFailure);
        }
        if (shared == null) {
            try {
                shared = start(true);
            } catch (IllegalStateException e) {
                sharedFailure = e;
                throw e;
            }
        }
        return shared;
    }

    /** A private engine with an empty data-root; {@link #close} stops it. */
    public static DockerEngine startNew() {
        return start(false);
    }

    private static DockerEngine start(boolean isShared) {
        Peers.require("dockerd");
        Peers.require("docker");
        Path dir = Peers.tempDir("docker");
        Proc.Result r = Proc.of(Peers.script("dockerd").toString(), "start", dir.toString(),
                "--owner", Long.toString(ProcessHandle.current().pid())).timeout(Duration.ofSeconds(120)).run();
        String host = Registry.parse(r.stdout()).get("DOCKER_HOST");
        if (!r.ok() || host == null) {
            throw new IllegalStateException("cannot start the sandboxed Docker engine (log: "
                    + dir.resolve("dockerd.log") + "): " + r.describe());
        }
        DockerEngine engine = new DockerEngine(dir, host, isShared);
        Peers.atExit(engine::stop);
        return engine;
    }

    /** {@code unix:///tmp/kiln-it-N/docker-K/docker.sock}. */
    public String host() {
        return host;
    }

    public Path dir() {
        return dir;
    }

    public Path log() {
        return dir.resolve("dockerd.log");
    }

    /** {@code docker -H HOST ARGS} with a private DOCKER_CONFIG, to run with more options. */
    public Proc command(String... args) {
        List<String> cmd = new ArrayList<>(List.of("docker", "-H", host));
        cmd.addAll(List.of(args));
        return Proc.of(cmd).env("DOCKER_CONFIG", dir.resolve("config").toString())
                .env("DOCKER_HOST", null).env("DOCKER_CONTEXT", null);
    }

    /** Runs {@code docker -H HOST ARGS}; check the result with {@code assertOk()}. */
    public Proc.Result docker(String... args) {
        return command(args).run();
    }

    /** Stops a private engine; the shared one stays up until JVM exit. */
    @Override
    public void close() {
        if (!isShared) {
            stop();
        }
    }

    private void stop() {
        if (stopped.compareAndSet(false, true)) {
            Proc.Result r = Proc.of(Peers.script("dockerd").toString(), "stop", dir.toString(), "--clean")
                    .timeout(Duration.ofSeconds(60)).run();
            if (!r.ok()) {
                throw new IllegalStateException("cannot stop the Docker engine in " + dir + ": " + r.describe());
            }
        }
    }

    @Override
    public String toString() {
        return "DockerEngine[" + host + (isShared ? ", shared" : "") + "]";
    }
}
