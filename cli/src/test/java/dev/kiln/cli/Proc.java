package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs external tools for the integration tests; a missing tool fails the test with a clear message. */
final class Proc {
    private Proc() {
    }

    record Result(int code, String out, String err) {
    }

    static void requireTool(String name) {
        for (String dir : System.getenv("PATH").split(":")) {
            if (Files.isExecutable(Path.of(dir, name))) {
                return;
            }
        }
        fail(name + " is not installed (not on PATH); install the OCI peer tools: scripts/install-test-tools");
    }

    static Result run(Path cwd, List<String> cmd) throws IOException, InterruptedException {
        Path out = Files.createTempFile("proc", ".out");
        Path err = Files.createTempFile("proc", ".err");
        try {
            Process p = new ProcessBuilder(cmd).directory(cwd == null ? null : cwd.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("timed out: " + cmd);
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static String ok(Path cwd, String... cmd) throws IOException, InterruptedException {
        Result r = run(cwd, List.of(cmd));
        if (r.code() != 0) {
            fail(String.join(" ", cmd) + " failed (" + r.code() + "):\n" + r.out() + "\n" + r.err());
        }
        return r.out();
    }
}
