package dev.kiln.registry.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.layout.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Credential files and helpers, in a temporary HOME with a fake {@code docker-credential-fake}. */
class DockerConfigFileTest {
    static final String SECRET = "hunter2-S3CRET";
    @TempDir
    Path home;
    Path bin;
    Path helperStore;
    Map<String, String> env;

    @BeforeEach
    void fakeHelper() throws IOException {
        bin = Files.createDirectories(home.resolve("bin"));
        helperStore = home.resolve("helper-store");
        Files.createDirectories(helperStore);
        // a credential helper speaking Docker's protocol, keeping one file per server URL
        String script = """
                #!/bin/sh
                store=%s
                read -r input
                key=$(printf %%s "$input" | sed 's/[^A-Za-z0-9]/_/g')
                case "$1" in
                  get)
                    if [ "$input" = "broken.example" ]; then echo "helper exploded" >&2; exit 3; fi
                    if [ -f "$store/$key" ]; then cat "$store/$key"; else echo "credentials not found in native keychain"; exit 1; fi ;;
                  store)
                    url=$(printf %%s "$input" | sed 's/.*"ServerURL":"\\([^"]*\\)".*/\\1/')
                    if [ "$url" = "fail.example" ]; then echo "cannot store $input" >&2; exit 4; fi
                    key=$(printf %%s "$url" | sed 's/[^A-Za-z0-9]/_/g')
                    printf %%s "$input" > "$store/$key" ;;
                  erase)
                    if [ -f "$store/$key" ]; then rm "$store/$key"; else echo "credentials not found in native keychain"; exit 1; fi ;;
                esac
                """.formatted(helperStore);
        Path helper = bin.resolve("docker-credential-fake");
        Files.writeString(helper, script);
        Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwx------"));
        env = new HashMap<>();
        env.put("PATH", bin + ":/usr/bin:/bin");
    }

    AuthEnvironment environment() {
        return new AuthEnvironment(home, env);
    }

    void write(Path file, String json) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, json);
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void authsEntriesInTheirManyForms() throws IOException {
        write(home.resolve(".docker/config.json"), """
                {"auths": {
                  "https://index.docker.io/v1/": {"auth": "%s"},
                  "http://127.0.0.1:5000": {"auth": "%s"},
                  "ghcr.io": {"username": "carol", "password": "pw3"},
                  "quay.io": {"auth": "", "identitytoken": "refresh-me"},
                  "empty.example": {}
                }, "HttpHeaders": {"X-Keep": "me"}}
                """.formatted(b64("hubuser:pw1"), b64("local:pw2")));
        DockerConfigCredentials store = new DockerConfigCredentials(environment());
        assertEquals(new Credentials("hubuser", "pw1"), store.find("docker.io", "library/alpine").orElseThrow());
        assertEquals(new Credentials("local", "pw2"), store.find("127.0.0.1:5000", "x").orElseThrow());
        assertEquals(new Credentials("carol", "pw3"), store.find("ghcr.io", null).orElseThrow());
        assertTrue(store.find("quay.io", "a").orElseThrow().isIdentityToken());
        assertEquals(Optional.empty(), store.find("empty.example", "a"));
        assertEquals(Optional.empty(), store.find("other.example", "a"));
    }

    @Test
    void containersAuthFilesComeFirstAndRepositoryKeysAreMostSpecificFirst() throws IOException {
        write(home.resolve(".docker/config.json"), "{\"auths\":{\"reg.example\":{\"auth\":\"" + b64("docker:d") + "\"}}}");
        write(home.resolve(".config/containers/auth.json"), "{\"auths\":{"
                + "\"reg.example/team\":{\"auth\":\"" + b64("team:t") + "\"},"
                + "\"reg.example/team/app\":{\"auth\":\"" + b64("app:a") + "\"}}}");
        DockerConfigCredentials store = new DockerConfigCredentials(environment());
        assertEquals("app", store.find("reg.example", "team/app").orElseThrow().username());
        assertEquals("team", store.find("reg.example", "team/other").orElseThrow().username());
        assertEquals("docker", store.find("reg.example", "elsewhere").orElseThrow().username());

        Path runtime = home.resolve("run");
        write(runtime.resolve("containers/auth.json"), "{\"auths\":{\"reg.example\":{\"auth\":\"" + b64("xdg:x") + "\"}}}");
        env.put("XDG_RUNTIME_DIR", runtime.toString());
        assertEquals("xdg", new DockerConfigCredentials(environment()).find("reg.example", "elsewhere").orElseThrow().username());

        Path authFile = home.resolve("my-auth.json");
        write(authFile, "{\"auths\":{\"reg.example\":{\"auth\":\"" + b64("given:g") + "\"}}}");
        env.put("REGISTRY_AUTH_FILE", authFile.toString());
        assertEquals("given", new DockerConfigCredentials(environment()).find("reg.example", "team/app").orElseThrow().username());
    }

    @Test
    void dockerConfigVariableMovesTheFile() throws IOException {
        Path dir = home.resolve("elsewhere");
        write(dir.resolve("config.json"), "{\"auths\":{\"reg.example\":{\"auth\":\"" + b64("moved:m") + "\"}}}");
        env.put("DOCKER_CONFIG", dir.toString());
        assertEquals(dir.resolve("config.json"), environment().dockerConfigFile());
        assertEquals("moved", new DockerConfigCredentials(environment()).find("reg.example", null).orElseThrow().username());
    }

    @Test
    void credHelpersAndCredsStoreRunTheHelperWithTheServerUrlOnStdin() throws IOException {
        Files.writeString(helperStore.resolve("reg_example"), "{\"ServerURL\":\"reg.example\",\"Username\":\"helped\",\"Secret\":\"" + SECRET + "\"}");
        Files.writeString(helperStore.resolve("https___index_docker_io_v1_"), "{\"Username\":\"hub\",\"Secret\":\"h\"}");
        Files.writeString(helperStore.resolve("tok_example"), "{\"Username\":\"<token>\",\"Secret\":\"idtok\"}");
        write(home.resolve(".docker/config.json"), """
                {"auths": {"other.example": {"auth": "%s"}},
                 "credHelpers": {"reg.example": "fake", "missing.example": "fake", "broken.example": "fake"},
                 "credsStore": "fake"}
                """.formatted(b64("plain:p")));
        DockerConfigCredentials store = new DockerConfigCredentials(environment());
        assertEquals(new Credentials("helped", SECRET), store.find("reg.example", "x").orElseThrow());
        assertEquals(new Credentials("hub", "h"), store.find("docker.io", "library/alpine").orElseThrow(), "credsStore, with Docker Hub's server URL");
        assertTrue(store.find("tok.example", null).orElseThrow().isIdentityToken());
        assertEquals("plain", store.find("other.example", null).orElseThrow().username(), "auths before credsStore");
        assertEquals(Optional.empty(), store.find("missing.example", null), "not found is no error");
        CredentialsException e = assertThrows(CredentialsException.class, () -> store.find("broken.example", null));
        assertTrue(e.getMessage().contains("docker-credential-fake get for broken.example failed (exit 3)"), e.getMessage());
        assertTrue(e.getMessage().contains("helper exploded"), e.getMessage());
    }

    @Test
    void aHelperMissingFromPathIsAClearError() throws IOException {
        write(home.resolve(".docker/config.json"), "{\"credsStore\": \"nosuch\"}");
        CredentialsException e = assertThrows(CredentialsException.class,
                () -> new DockerConfigCredentials(environment()).find("reg.example", null));
        assertEquals("credential helper docker-credential-nosuch is not on PATH", e.getMessage());
    }

    @Test
    void storeWritesA0600FileAtomicallyAndKeepsOtherFields() throws IOException {
        Path file = home.resolve(".docker/config.json");
        write(file, "{\"auths\":{\"keep.example\":{\"auth\":\"" + b64("k:k") + "\"}},\"HttpHeaders\":{\"X-Keep\":\"me\"}}");
        DockerConfigFile.store(environment(), "127.0.0.1:5000", new Credentials("alice", SECRET));
        DockerConfigFile.store(environment(), "docker.io", new Credentials("hubby", "pw"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        JsonNode root = Json.parseObject(Files.readAllBytes(file), "config");
        assertEquals(b64("alice:" + SECRET), root.path("auths").path("127.0.0.1:5000").path("auth").textValue());
        assertEquals(b64("hubby:pw"), root.path("auths").path("https://index.docker.io/v1/").path("auth").textValue());
        assertEquals("me", root.path("HttpHeaders").path("X-Keep").textValue());
        assertTrue(root.path("auths").has("keep.example"));
        try (var files = Files.list(file.getParent())) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
        DockerConfigCredentials store = new DockerConfigCredentials(environment());
        assertEquals(new Credentials("alice", SECRET), store.find("127.0.0.1:5000", "any").orElseThrow());

        assertTrue(DockerConfigFile.erase(environment(), "http://127.0.0.1:5000/"));
        assertFalse(DockerConfigFile.erase(environment(), "127.0.0.1:5000"));
        assertEquals(Optional.empty(), store.find("127.0.0.1:5000", "any"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @Test
    void storeCreatesTheFileAndFolderWhenMissing() {
        env.put("DOCKER_CONFIG", home.resolve("new/dir").toString());
        DockerConfigFile.store(environment(), "reg.example", new Credentials("a", "b"));
        assertEquals("a", new DockerConfigCredentials(environment()).find("reg.example", null).orElseThrow().username());
    }

    @Test
    void storeAndEraseGoThroughTheConfiguredHelper() throws IOException {
        Path file = home.resolve(".docker/config.json");
        write(file, "{\"credsStore\":\"fake\"}");
        DockerConfigFile.store(environment(), "reg.example", new Credentials("viahelper", SECRET));
        JsonNode root = Json.parseObject(Files.readAllBytes(file), "config");
        assertTrue(root.path("auths").path("reg.example").isObject());
        assertFalse(Files.readString(file).contains(SECRET), "the secret went to the helper, not the file");
        assertEquals(new Credentials("viahelper", SECRET), new DockerConfigCredentials(environment()).find("reg.example", null).orElseThrow());
        assertTrue(DockerConfigFile.erase(environment(), "reg.example"));
        assertEquals(Optional.empty(), new DockerConfigCredentials(environment()).find("reg.example", null));
    }

    @Test
    void helperFailuresNeverQuoteTheSecret() throws IOException {
        write(home.resolve(".docker/config.json"), "{\"credsStore\":\"fake\"}");
        CredentialsException e = assertThrows(CredentialsException.class,
                () -> DockerConfigFile.store(environment(), "fail.example", new Credentials("u", SECRET)));
        assertTrue(e.getMessage().contains("docker-credential-fake store for fail.example failed (exit 4)"), e.getMessage());
        assertFalse(e.getMessage().contains(SECRET), e.getMessage());
    }

    @Test
    void aBrokenFileIsAnErrorThatDoesNotQuoteIt() throws IOException {
        write(home.resolve(".docker/config.json"), "{\"auths\": {\"r\": {\"auth\": \"" + SECRET + "\"");
        CredentialsException e = assertThrows(CredentialsException.class,
                () -> new DockerConfigCredentials(environment()).find("r", null));
        assertFalse(e.getMessage().contains(SECRET), e.getMessage());
        assertTrue(e.getMessage().contains("config.json"), e.getMessage());
    }
}
