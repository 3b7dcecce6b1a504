package dev.kiln.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * podman with storage of its own: {@code --root/--runroot/--tmpdir} in a fresh folder and the
 * vfs driver, so it never meets the default store nor another test's cached layers.
 * Take a {@link #fresh()} one per test (a must for negative tests).
 *
 * <pre>
 * Podman p = Podman.fresh();
 * p.podman("load", "-i", tar.toString()).assertOk();
 * p.run("example.com/hello:1.0", "/bin/sh", "-c", "echo hi").assertOk();
 * </pre>
 */
public final class Podman {
    private final Path dir;

    private Podman(Path dir) {
        this.dir = dir;
    }

    public static Podman fresh() {
        Peers.require("podman");
        return new Podman(Peers.tempDir("podman"));
    }

    public Path root() {
        return dir.resolve("root");
    }

    public Path runroot() {
        return dir.resolve("run");
    }

    /** {@code podman --root .. --runroot .. --tmpdir .. --storage-driver vfs ARGS}. */
    public Proc command(String... args) {
        List<String> cmd = new ArrayList<>(List.of("podman", "--root", root().toString(),
                "--runroot", runroot().toString(), "--tmpdir", dir.resolve("tmp").toString(),
                "--storage-driver", "vfs"));
        cmd.addAll(List.of(args));
        return Proc.of(cmd);
    }

    public Proc.Result podman(String... args) {
        return command(args).run();
    }

    /**
     * {@code podman --runtime runc run --rm --network none IMAGE CMD}, with the ulimits this
     * sandbox accepts (crun and the default limits are refused here).
     */
    public Proc.Result run(String image, String... cmd) {
        List<String> args = new ArrayList<>(List.of("--runtime", "runc", "run", "--rm", "--network", "none",
                "--ulimit", "nofile=20000:20000", "--ulimit", "nproc=32768:32768", image));
        args.addAll(List.of(cmd));
        return podman(args.toArray(String[]::new));
    }

    @Override
    public String toString() {
        return "Podman[" + dir + "]";
    }
}
