package dev.kiln.registry.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.testing.SecretForms;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A credential helper that fails after printing the secret on stdout (and repeating it on stderr):
 * the error names the helper, the action and its exit code, quotes its stderr redacted, and never its stdout.
 */
class FailingCredentialHelperTest {
    @TempDir
    Path home;

    private AuthEnvironment helper(String body) throws IOException {
        Path bin = Files.createDirectories(home.resolve("bin"));
        Path p = bin.resolve("docker-credential-leaky");
        Files.writeString(p, "#!/bin/sh\nread -r input\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return new AuthEnvironment(home, Map.of("PATH", bin + ":/usr/bin:/bin"));
    }

    @Test
    void getShowsNameExitCodeAndRedactedStderrButNeverStdout() throws IOException {
        String secret = "helper-secret-" + UUID.randomUUID();
        String stdoutOnly = "stdout-only-" + UUID.randomUUID();
        AuthEnvironment env = helper("""
                echo '{"ServerURL":"reg.example","Username":"bob","Secret":"%s"} %s'
                echo "keychain locked while reading %s" >&2
                exit 7""".formatted(secret, stdoutOnly, secret));
        CredentialsException e = assertThrows(CredentialsException.class, () -> new CredentialHelper("leaky", env).get("reg.example"));
        String m = e.getMessage();
        assertTrue(m.startsWith("docker-credential-leaky get for reg.example failed (exit 7): keychain locked while reading ****"), m);
        assertFalse(m.contains(stdoutOnly), "stdout is never quoted: " + m);
        SecretForms.assertNone("the error", m, SecretForms.ofToken(secret));
    }

    @Test
    void aHelperThatSaysNothingOnStderrSaysSo() throws IOException {
        String secret = "helper-secret-" + UUID.randomUUID();
        AuthEnvironment env = helper("echo '{\"Secret\":\"" + secret + "\"}'\nexit 2");
        CredentialsException e = assertThrows(CredentialsException.class, () -> new CredentialHelper("leaky", env).get("reg.example"));
        assertEquals("docker-credential-leaky get for reg.example failed (exit 2): nothing on stderr", e.getMessage());
    }

    @Test
    void eraseAndStoreQuoteStderrOnly() throws IOException {
        String secret = "store-secret-" + UUID.randomUUID();
        AuthEnvironment env = helper("echo \"$input\"\necho \"refused: $input\" >&2\nexit 5");
        CredentialsException store = assertThrows(CredentialsException.class,
                () -> new CredentialHelper("leaky", env).store("reg.example", new Credentials("bob", secret)));
        assertTrue(store.getMessage().startsWith("docker-credential-leaky store for reg.example failed (exit 5): refused: "), store.getMessage());
        SecretForms.assertNone("the error", store.getMessage(), SecretForms.of("bob", secret));
        CredentialsException erase = assertThrows(CredentialsException.class, () -> new CredentialHelper("leaky", env).erase("reg.example"));
        assertEquals("docker-credential-leaky erase for reg.example failed (exit 5): refused: reg.example", erase.getMessage());
    }
}
