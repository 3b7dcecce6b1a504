package dev.kiln.registry.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A credential helper runs with exactly the environment kiln was given ({@link AuthEnvironment}),
 * not whatever else the kiln process inherited, plus {@code HOME} when that names none, so that it
 * finds its store in the same home kiln reads; and what it prints is understood as Docker's helpers
 * print it.
 */
class CredentialHelperEnvironmentTest {
    static final String SECRET = "helper-ENV-SECRET";
    /** Variables a POSIX shell sets by itself. */
    static final Set<String> SHELL_OWN = Set.of("PWD", "OLDPWD", "SHLVL", "_", "PATH", "HOME");
    @TempDir
    Path home;
    Path bin;
    Map<String, String> env;

    @BeforeEach
    void helpers() throws IOException {
        bin = Files.createDirectories(home.resolve("bin"));
        env = new HashMap<>();
        env.put("PATH", bin + ":/usr/bin:/bin");
        // prints what it was given, then a canned answer chosen by the server URL
        helper("envdump", """
                #!/bin/sh
                read -r url
                /usr/bin/env > "%s/env-$1"
                case "$url" in
                  empty-secret) echo '{"Username":"u","Secret":""}' ;;
                  no-user) echo '{"Secret":"%s"}' ;;
                  not-json) echo 'Secret=%s' ;;
                  not-found) echo 'credentials not found in native keychain'; exit 1 ;;
                  fail) echo 'keychain locked' >&2; exit 7 ;;
                  *) echo '{"Username":"alice","Secret":"%s"}' ;;
                esac
                """.formatted(home, SECRET, SECRET, SECRET));
    }

    void helper(String name, String script) throws IOException {
        Path p = bin.resolve("docker-credential-" + name);
        Files.writeString(p, script);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
    }

    Map<String, String> seenEnv(String action) throws IOException {
        return Files.readAllLines(home.resolve("env-" + action)).stream().filter(l -> l.indexOf('=') > 0)
                .collect(Collectors.toMap(l -> l.substring(0, l.indexOf('=')), l -> l.substring(l.indexOf('=') + 1), (a, b) -> b));
    }

    CredentialHelper envdump() {
        return new CredentialHelper("envdump", new AuthEnvironment(home, env));
    }

    @Test
    void theHelperSeesOnlyTheGivenEnvironmentAndTheHome() throws IOException {
        env.put("DOCKER_CONFIG", home.resolve("cfg").toString());
        env.put("KILN_TEST_MARKER", "given");
        assertEquals(Optional.of(new Credentials("alice", SECRET)), envdump().get("reg.example"));
        Map<String, String> seen = seenEnv("get");
        assertEquals("given", seen.get("KILN_TEST_MARKER"));
        assertEquals(home.resolve("cfg").toString(), seen.get("DOCKER_CONFIG"));
        assertEquals(home.toString(), seen.get("HOME"), "HOME is the home kiln reads credentials from");
        List<String> inherited = System.getenv().keySet().stream().filter(k -> !SHELL_OWN.contains(k) && !env.containsKey(k)).toList();
        assertFalse(inherited.isEmpty(), "the test needs a variable of its own process to check; it has none");
        for (String k : inherited) {
            assertFalse(seen.containsKey(k), "the helper inherited " + k + " from the kiln process");
        }
    }

    @Test
    void aHomeInTheGivenEnvironmentIsKept() throws IOException {
        env.put("HOME", home.resolve("other").toString());
        envdump().get("reg.example");
        assertEquals(home.resolve("other").toString(), seenEnv("get").get("HOME"));
    }

    @Test
    void whatTheHelperPrintsIsReadAsDockerHelpersPrintIt() {
        CredentialHelper h = envdump();
        assertEquals(Optional.empty(), h.get("empty-secret"), "an empty secret is no credentials");
        assertEquals(Optional.empty(), h.get("not-found"));
        Credentials token = h.get("no-user").orElseThrow();
        assertTrue(token.isIdentityToken(), "a secret without a user name is an identity token");
        assertEquals(SECRET, token.secret());
    }

    @Test
    void outputThatIsNotCredentialsIsAnErrorThatDoesNotQuoteIt() {
        CredentialsException e = assertThrows(CredentialsException.class, () -> envdump().get("not-json"));
        assertTrue(e.getMessage().contains("docker-credential-envdump get for not-json"), e.getMessage());
        assertFalse(e.getMessage().contains(SECRET), e.getMessage());
    }

    @Test
    void aFailingHelperIsNamedWithItsExitCode() {
        CredentialsException e = assertThrows(CredentialsException.class, () -> envdump().get("fail"));
        assertTrue(e.getMessage().contains("docker-credential-envdump get for fail failed (exit 7)"), e.getMessage());
        assertTrue(e.getMessage().contains("keychain locked"), e.getMessage());
        CredentialsException erase = assertThrows(CredentialsException.class, () -> envdump().erase("fail"));
        assertTrue(erase.getMessage().contains("docker-credential-envdump erase for fail failed (exit 7)"), erase.getMessage());
    }

    @Test
    void eraseSaysWhetherTheHelperHadCredentials() {
        assertTrue(envdump().erase("reg.example"));
        assertFalse(envdump().erase("not-found"));
    }

    @Test
    void aHelperOnPathThatIsNotExecutableOrIsAFolderIsSkipped() throws IOException {
        Path first = Files.createDirectories(home.resolve("first"));
        Files.createDirectories(first.resolve("docker-credential-envdump"));
        Path second = Files.createDirectories(home.resolve("second"));
        Files.writeString(second.resolve("docker-credential-envdump"), "#!/bin/sh\nexit 9\n");
        env.put("PATH", first + "::" + second + ":" + bin);
        assertEquals("alice", envdump().get("reg.example").orElseThrow().username());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "../evil", "a/b", "a b", "x;rm"})
    void helperNamesThatCouldReachAnotherProgramAreRefused(String name) {
        AuthEnvironment e = new AuthEnvironment(home, env);
        assertThrows(CredentialsException.class, () -> new CredentialHelper(name, e));
    }

    @Test
    void theProgramIsNamedAfterTheHelper() {
        assertEquals("docker-credential-envdump", envdump().program());
        assertEquals("docker-credential-envdump", envdump().toString());
    }
}
