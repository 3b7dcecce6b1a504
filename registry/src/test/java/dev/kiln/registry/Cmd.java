package dev.kiln.registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a peer tool (skopeo) and returns its stdout; fails with its stderr. */
final class Cmd {
    private Cmd() {
    }

    record Result(int exit, byte[] stdout, String stderr) {
        String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }

    static Result run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(command)).start();
        p.getOutputStream().close();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                return new byte[0];
            }
        });
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(shown(command) + " did not finish in 120 s");
        }
        return new Result(p.exitValue(), out, new String(err.join(), StandardCharsets.UTF_8).trim());
    }

    static byte[] check(String... command) throws IOException, InterruptedException {
        Result r = run(command);
        if (r.exit() != 0) {
            throw new AssertionError(shown(command) + " failed (exit " + r.exit() + "): " + r.stderr());
        }
        return r.stdout();
    }

    /** The command line with the values of credential options hidden. */
    static String shown(String... command) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < command.length; i++) {
            String a = command[i];
            boolean secretNext = i > 0 && command[i - 1].matches("--(src-|dest-)?creds");
            b.append(i == 0 ? "" : " ").append(secretNext ? "****" : a.replaceAll("(--(src-|dest-)?creds=).*", "$1****"));
        }
        return b.toString();
    }
}
