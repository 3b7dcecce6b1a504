package dev.kiln.registry.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where credentials are looked up and how: given credentials before files; a {@code credHelpers}
 * entry matches its registry however the key is written and only when it names a helper; logout
 * says it removed something when only the helper held it; user names cannot hold ':' (it would
 * split a Basic header); and no toString shows a secret or the environment's values.
 */
class CredentialLookupRulesTest {
    static final String SECRET = "lookup-SECRET";
    @TempDir
    Path home;
    Path store;
    Map<String, String> env;

    @BeforeEach
    void helper() throws IOException {
        Path bin = Files.createDirectories(home.resolve("bin"));
        store = Files.createDirectories(home.resolve("store"));
        // keeps one file per server URL: get prints it, erase removes it
        Path h = bin.resolve("docker-credential-files");
        Files.writeString(h, """
                #!/bin/sh
                read -r url
                f="%s/$(printf %%s "$url" | sed 's/[^A-Za-z0-9]/_/g')"
                case "$1" in
                  get) if [ -f "$f" ]; then cat "$f"; else echo "credentials not found"; exit 1; fi ;;
                  erase) if [ -f "$f" ]; then rm "$f"; else echo "credentials not found"; exit 1; fi ;;
                esac
                """.formatted(store));
        Files.setPosixFilePermissions(h, PosixFilePermissions.fromString("rwx------"));
        env = new HashMap<>(Map.of("PATH", bin + ":/usr/bin:/bin"));
    }

    AuthEnvironment environment() {
        return new AuthEnvironment(home, env);
    }

    void config(String json) throws IOException {
        Files.createDirectories(home.resolve(".docker"));
        Files.writeString(home.resolve(".docker/config.json"), json);
    }

    void helperHolds(String serverUrl, String user) throws IOException {
        Files.writeString(store.resolve(serverUrl.replaceAll("[^A-Za-z0-9]", "_")),
                "{\"Username\":\"" + user + "\",\"Secret\":\"" + SECRET + "\"}");
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void givenCredentialsComeBeforeTheFiles() throws IOException {
        config("{\"auths\":{\"reg.example\":{\"auth\":\"" + b64("fromfile:f") + "\"}}}");
        CredentialStore files = new DockerConfigCredentials(environment());
        Credentials given = new Credentials("given", "g");
        assertEquals(Optional.of(given), CredentialStore.of(given).orElse(files).find("reg.example", "a"));
        assertEquals("fromfile", CredentialStore.none().orElse(files).find("reg.example", "a").orElseThrow().username());
        assertEquals(Optional.empty(), CredentialStore.none().orElse(files).find("other.example", "a"));
    }

    @Test
    void aCredHelpersKeyMatchesItsRegistryHoweverItIsWritten() throws IOException {
        helperHolds("reg.example:5000", "helped");
        config("{\"credHelpers\":{\"https://REG.example:5000/v2/\":\"files\"},"
                + "\"auths\":{\"reg.example:5000\":{\"auth\":\"" + b64("fromfile:f") + "\"}}}");
        assertEquals("helped", new DockerConfigCredentials(environment()).find("reg.example:5000", "a").orElseThrow().username());
    }

    @Test
    void aCredHelpersEntryThatNamesNoHelperIsIgnored() throws IOException {
        config("{\"credHelpers\":{\"reg.example\":5,\"other.example\":\"files\"},"
                + "\"auths\":{\"reg.example\":{\"auth\":\"" + b64("fromfile:f") + "\"}}}");
        assertEquals("fromfile", new DockerConfigCredentials(environment()).find("reg.example", null).orElseThrow().username());
        config("{\"credHelpers\":\"files\",\"auths\":{\"reg.example\":{\"auth\":\"" + b64("fromfile:f") + "\"}}}");
        assertEquals("fromfile", new DockerConfigCredentials(environment()).find("reg.example", null).orElseThrow().username());
    }

    @Test
    void logoutReportsCredentialsOnlyTheHelperHeld() throws IOException {
        helperHolds("reg.example", "helped");
        config("{\"credsStore\":\"files\"}");
        assertTrue(DockerConfigFile.erase(environment(), "reg.example"));
        assertEquals(Optional.empty(), new DockerConfigCredentials(environment()).find("reg.example", null));
        assertFalse(DockerConfigFile.erase(environment(), "reg.example"));
    }

    @Test
    void aUserNameWithAColonAnywhereIsRefused() {
        for (String user : new String[] {":bob", "bo:b", "bob:"}) {
            assertThrows(CredentialsException.class, () -> new Credentials(user, "pw"), user);
        }
        assertTrue(new Credentials(Credentials.IDENTITY_TOKEN_USER, "tok").isIdentityToken(), "the identity-token marker is allowed");
    }

    @Test
    void noToStringShowsASecretOrTheEnvironmentsValues() {
        env.put("REGISTRY_PASSWORD", SECRET);
        AuthEnvironment e = environment();
        Authenticator auth = new Authenticator("reg.example", CredentialStore.of(new Credentials("alice", SECRET)),
                new BearerTokens(HttpClient.newHttpClient(), Duration.ofSeconds(1), u -> true, null, "kiln-test", new ManualClock()));
        auth.learn(java.util.List.of("Basic realm=\"reg\""));
        for (Object o : new Object[] {e, new DockerConfigCredentials(e), auth, new Challenge("Basic", Map.of("realm", "reg"))}) {
            String s = o.toString();
            assertFalse(s.isEmpty() || s.contains(SECRET), o.getClass().getSimpleName() + ": " + s);
        }
        assertTrue(auth.toString().contains("reg.example") && auth.toString().contains("Basic"), auth.toString());
        assertTrue(e.toString().contains(home.toString()), e.toString());
    }
}
