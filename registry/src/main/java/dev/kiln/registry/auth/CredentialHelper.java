package dev.kiln.registry.auth;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.layout.KilnException;
import dev.kiln.layout.json.Json;
import dev.kiln.layout.json.JsonFields;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A Docker credential helper, the program {@code docker-credential-<name>} found on {@code PATH}:
 * {@code get} reads the server URL on stdin and prints {@code {"Username":..,"Secret":..}};
 * {@code store} reads {@code {"ServerURL","Username","Secret"}}; {@code erase} reads the server URL.
 * A helper that fails is reported by name, action, exit code and stderr (redacted); its stdout,
 * which may hold the secret, is never quoted.
 */
public final class CredentialHelper {
    private static final long TIMEOUT_SECONDS = 60;
    private final String name;
    private final AuthEnvironment environment;

    public CredentialHelper(String name, AuthEnvironment environment) {
        if (name == null || name.isEmpty() || !name.matches("[A-Za-z0-9._-]+")) {
            throw new CredentialsException("invalid credential helper name '" + name + "'");
        }
        this.name = name;
        this.environment = environment;
    }

    public String program() {
        return "docker-credential-" + name;
    }

    /** The stored credentials for a server, or empty when the helper has none. */
    public Optional<Credentials> get(String serverUrl) {
        Result r = run("get", serverUrl, null);
        if (r.exit != 0) {
            // docker-credential-helpers print "credentials not found ..." on stdout
            if ((r.stdout + " " + r.stderr).toLowerCase().contains("credentials not found")) {
                return Optional.empty();
            }
            throw failed("get", serverUrl, r);
        }
        String where = program() + " get for " + serverUrl;
        try {
            ObjectNode node = Json.parseObject(r.stdout.getBytes(StandardCharsets.UTF_8), where);
            JsonFields f = new JsonFields(node, where);
            String user = f.string("Username");
            String secret = f.string("Secret");
            if (secret == null || secret.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new Credentials(user == null || user.isEmpty() ? Credentials.IDENTITY_TOKEN_USER : user, secret));
        } catch (CredentialsException e) {
            throw e;
        } catch (KilnException e) {
            // never quote the output: it may hold the secret
            throw new CredentialsException(where + ": the helper printed something that is not credentials JSON");
        }
    }

    public void store(String serverUrl, Credentials credentials) {
        ObjectNode node = Json.object();
        node.put("ServerURL", serverUrl);
        node.put("Username", credentials.username());
        node.put("Secret", credentials.secret());
        Result r = run("store", Json.toString(node), credentials);
        if (r.exit != 0) {
            throw failed("store", serverUrl, r);
        }
    }

    /** Removes a server's credentials; returns false when the helper had none. */
    public boolean erase(String serverUrl) {
        Result r = run("erase", serverUrl, null);
        if (r.exit != 0) {
            if ((r.stdout + " " + r.stderr).toLowerCase().contains("not found")) {
                return false;
            }
            throw failed("erase", serverUrl, r);
        }
        return true;
    }

    private Path locate() {
        for (Path dir : environment.path()) {
            Path p = dir.resolve(program());
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        throw new CredentialsException("credential helper " + program() + " is not on PATH");
    }

    /** What the helper did: its stdout may hold a secret and is never shown; its stderr is shown redacted. */
    private record Result(int exit, String stdout, String stderr) {
    }

    /**
     * The error of a helper that exited non-zero: its name, action, exit code and stderr, with every
     * known secret and anything its stdout held redacted from it. The stdout is never quoted: a helper
     * that fails half-way may have printed the secret there (and may repeat it on stderr, so a secret
     * field found in the stdout is remembered as a secret first).
     */
    private CredentialsException failed(String action, String serverUrl, Result r) {
        rememberSecretsIn(r.stdout);
        String stderr = r.stderr;
        for (String word : r.stdout.split("[\\s\",:{}]+")) {
            if (word.length() >= 8 && !serverUrl.contains(word)) {
                stderr = stderr.replace(word, KnownSecrets.MASK);
            }
        }
        String stdoutLine = r.stdout.strip();
        if (!stdoutLine.isEmpty() && !serverUrl.contains(stdoutLine)) {
            stderr = stderr.replace(stdoutLine, KnownSecrets.MASK);
        }
        return new CredentialsException(program() + " " + action + " for " + serverUrl + " failed (exit " + r.exit + "): "
                + (stderr.isBlank() ? "nothing on stderr" : oneLine(stderr)));
    }

    private static void rememberSecretsIn(String stdout) {
        try {
            ObjectNode node = Json.parseObject(stdout.getBytes(StandardCharsets.UTF_8), "helper output");
            if (node.path("Secret").isTextual()) {
                KnownSecrets.add(node.path("Secret").textValue());
            }
        } catch (KilnException e) {
            // not JSON: its words are redacted from stderr all the same
        }
    }

    private Result run(String action, String input, Credentials redactWith) {
        Path program = locate();
        ProcessBuilder pb = new ProcessBuilder(program.toString(), action);
        pb.environment().clear();
        pb.environment().putAll(environment.env());
        pb.environment().putIfAbsent("HOME", environment.home().toString());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new CredentialsException("cannot run " + program + ": " + oneLine(e.getMessage()));
        }
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        try (OutputStream stdin = p.getOutputStream()) {
            stdin.write(input.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the helper may exit without reading; its exit status tells
        }
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new CredentialsException(program() + " " + action + " did not finish within " + TIMEOUT_SECONDS + " s");
            }
            String stdout = new String(out.get(), StandardCharsets.UTF_8);
            String stderr = new String(err.get(), StandardCharsets.UTF_8);
            if (redactWith != null) {
                stderr = redactWith.redact(stderr);
            }
            return new Result(p.exitValue(), stdout, stderr);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CredentialsException(program() + " " + action + " was interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new CredentialsException(program() + " " + action + ": cannot read its output");
        }
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf)) != -1; ) {
                if (b.size() < 1 << 20) {
                    b.write(buf, 0, n);
                }
            }
            return b.toByteArray();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    private static String oneLine(String s) {
        if (s == null || s.isBlank()) {
            return "no message";
        }
        String line = s.replaceAll("\\s+", " ").trim().replaceAll("[\\p{Cntrl}\\u0080-\\u009f]", "?");
        return KnownSecrets.redactAndCut(line, 200);
    }

    @Override
    public String toString() {
        return program();
    }
}
