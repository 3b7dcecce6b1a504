package dev.kiln.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs one command with a timeout and captures its exit code, stdout and stderr.
 * {@code Proc.run("skopeo", "inspect", ref).assertOk()}, or {@code Proc.of(...).env(..).timeout(..).run()}.
 * Output goes through temp files, so a command that leaves a daemon behind does not hang us.
 * Messages never show a secret given to {@link #redact} or {@link #redactEverywhere}.
 * Stdin is empty unless {@link #stdin} is given. The environment is inherited, with
 * {@code LC_ALL=C.UTF-8} (stable messages) and the sbin folders on PATH, then the overrides.
 */
public final class Proc {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);
    private static final Set<String> SECRETS = ConcurrentHashMap.newKeySet();

    private final List<String> command;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<String> secrets = new ArrayList<>();
    private Path dir;
    private Duration timeout = DEFAULT_TIMEOUT;
    private byte[] stdin;

    private Proc(List<String> command) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        this.command = List.copyOf(command);
    }

    public static Proc of(String... command) {
        return new Proc(Arrays.asList(command));
    }

    public static Proc of(List<String> command) {
        return new Proc(command);
    }

    /** Runs COMMAND with the defaults: {@code Proc.run("umoci", "stat", ...).assertOk()}. */
    public static Result run(String... command) {
        return of(command).run();
    }

    /** Hides SECRET (e.g. a registry password) in the messages of every Proc from now on. */
    public static void redactEverywhere(String secret) {
        if (secret != null && !secret.isEmpty()) {
            SECRETS.add(secret);
        }
    }

    /** Sets (or, with a null VALUE, removes) an environment variable of the command. */
    public Proc env(String key, String value) {
        env.put(key, value);
        return this;
    }

    public Proc env(Map<String, String> vars) {
        env.putAll(vars);
        return this;
    }

    public Proc dir(Path workDir) {
        this.dir = workDir;
        return this;
    }

    public Proc timeout(Duration t) {
        this.timeout = t;
        return this;
    }

    public Proc stdin(byte[] input) {
        this.stdin = input.clone();
        return this;
    }

    public Proc stdin(String input) {
        return stdin(input.getBytes(StandardCharsets.UTF_8));
    }

    /** Hides these strings in this command's messages (the command line and output tails). */
    public Proc redact(String... hide) {
        for (String s : hide) {
            if (s != null && !s.isEmpty()) {
                secrets.add(s);
            }
        }
        return this;
    }

    public List<String> command() {
        return command;
    }

    /**
     * Runs the command and returns its result whatever the exit code. Fails (AssertionError)
     * on a timeout, after killing the command and its children, and (IllegalStateException)
     * when the command cannot be started at all.
     */
    public Result run() {
        Path out = null, err = null, in = null;
        long t0 = System.nanoTime();
        try {
            out = Files.createTempFile("kiln-proc", ".out");
            err = Files.createTempFile("kiln-proc", ".err");
            ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            if (stdin != null) {
                in = Files.write(Files.createTempFile("kiln-proc", ".in"), stdin);
                pb.redirectInput(in.toFile());
            } else {
                pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            }
            if (dir != null) {
                pb.directory(dir.toFile());
            }
            Map<String, String> e = pb.environment();
            e.put("PATH", Peers.searchPath());
            e.put("LC_ALL", "C.UTF-8");
            env.forEach((k, v) -> {
                if (v == null) {
                    e.remove(k);
                } else {
                    e.put(k, v);
                }
            });
            Process p;
            try {
                p = pb.start();
            } catch (IOException ex) {
                throw new IllegalStateException("cannot start `" + hide(commandLine()) + "`: "
                        + ex.getMessage() + " (" + Peers.HINT + "?)", ex);
            }
            boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            Result r = new Result(this, done ? p.exitValue() : -1, Files.readAllBytes(out),
                    Files.readAllBytes(err), Duration.ofNanos(System.nanoTime() - t0));
            if (!done) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s: " + r.describe());
            }
            return r;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run `" + hide(commandLine()) + "`: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running `" + hide(commandLine()) + "`", e);
        } finally {
            for (Path f : new Path[] {out, err, in}) {
                if (f != null) {
                    f.toFile().delete();
                }
            }
        }
    }

    String commandLine() {
        return command.stream().map(Proc::quote).collect(Collectors.joining(" "));
    }

    private static String quote(String arg) {
        return arg.matches("[A-Za-z0-9_@%+=:,./-]+") ? arg : "'" + arg.replace("'", "'\\''") + "'";
    }

    String hide(String text) {
        String s = text;
        for (String secret : secrets) {
            s = s.replace(secret, "***");
        }
        for (String secret : SECRETS) {
            s = s.replace(secret, "***");
        }
        return s;
    }

    /** What a command did. {@code stdout()}/{@code stderr()} are UTF-8 text, the *Bytes raw. */
    public static final class Result {
        private static final int TAIL_LINES = 25;
        private final Proc proc;
        private final int exitCode;
        private final byte[] stdout;
        private final byte[] stderr;
        private final Duration elapsed;

        Result(Proc proc, int exitCode, byte[] stdout, byte[] stderr, Duration elapsed) {
            this.proc = proc;
            this.exitCode = exitCode;
            this.stdout = stdout;
            this.stderr = stderr;
            this.elapsed = elapsed;
        }

        public List<String> command() {
            return proc.command;
        }

        public int exitCode() {
            return exitCode;
        }

        public boolean ok() {
            return exitCode == 0;
        }

        public byte[] stdoutBytes() {
            return stdout.clone();
        }

        public byte[] stderrBytes() {
            return stderr.clone();
        }

        public String stdout() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        public String stderr() {
            return new String(stderr, StandardCharsets.UTF_8);
        }

        public Duration elapsed() {
            return elapsed;
        }

        /** Fails unless the exit code is 0; the message has the command line and output tails. */
        public Result assertOk() {
            if (exitCode != 0) {
                throw new AssertionError(describe());
            }
            return this;
        }

        /** Fails if the command succeeded (a negative test expects it to refuse the input). */
        public Result assertFails() {
            if (exitCode == 0) {
                throw new AssertionError("expected a failure, but it succeeded: " + describe());
            }
            return this;
        }

        public Result assertExit(int expected) {
            if (exitCode != expected) {
                throw new AssertionError("expected exit code " + expected + ": " + describe());
            }
            return this;
        }

        /** "`cmd` exited N after T s", then the stderr tail and, if any, the stdout tail. Redacted. */
        public String describe() {
            StringBuilder sb = new StringBuilder("`").append(proc.commandLine()).append("` exited ")
                    .append(exitCode).append(" after ").append(elapsed.toMillis() / 1000.0).append(" s");
            appendTail(sb, "stderr", stderr());
            appendTail(sb, "stdout", stdout());
            return proc.hide(sb.toString());
        }

        private static void appendTail(StringBuilder sb, String name, String text) {
            String t = text.strip();
            if (t.isEmpty()) {
                return;
            }
            List<String> lines = t.lines().collect(Collectors.toList());
            int from = Math.max(0, lines.size() - TAIL_LINES);
            String tail = String.join("\n  ", lines.subList(from, lines.size()));
            if (tail.length() > 4000) {
                tail = "..." + tail.substring(tail.length() - 4000);
            }
            sb.append("\n ").append(name).append(from > 0 ? " (last " + TAIL_LINES + " lines)" : "")
                    .append(":\n  ").append(tail);
        }

        @Override
        public String toString() {
            return describe();
        }
    }
}
