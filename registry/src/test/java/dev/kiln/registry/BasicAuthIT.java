package dev.kiln.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.transport.ImageReference;
import dev.kiln.layout.transport.LayoutDestination;
import dev.kiln.layout.transport.LayoutSource;
import dev.kiln.registry.auth.AuthEnvironment;
import dev.kiln.registry.auth.Credentials;
import dev.kiln.registry.auth.DockerConfigCredentials;
import dev.kiln.registry.auth.DockerConfigFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real registry with htpasswd Basic auth on 127.0.0.1 (plain HTTP, which loopback allows). */
class BasicAuthIT {
    static final String USER = "alice";
    static final String PASSWORD = "Basic-" + Long.toHexString(System.nanoTime()) + "-pw";
    static TestRegistry registry;

    @BeforeAll
    static void start() throws Exception {
        registry = TestRegistry.start("--htpasswd", USER + ":" + PASSWORD);
    }

    @AfterAll
    static void stop() throws Exception {
        if (registry != null) {
            registry.close();
        }
    }

    final Queue<String> log = new ConcurrentLinkedQueue<>();

    RegistryOptions options() {
        return RegistryOptions.defaults().withDebug(log::add);
    }

    ImageReference ref(String repoTag) {
        return ImageReference.parse("docker://" + registry.address + "/" + repoTag);
    }

    void assertNoSecretIn(String text, String... secrets) {
        for (String s : secrets) {
            assertFalse(text.contains(s), "secret leaked: " + text);
            assertFalse(text.contains(Base64.getEncoder().encodeToString((USER + ":" + s).getBytes())), "secret leaked: " + text);
        }
    }

    @Test
    void pushesAndPullsWithCredentials(@TempDir Path tmp) throws Exception {
        TestImage image = TestImage.build(tmp.resolve("src"), "latest", 0, "basic");
        RegistryOptions o = options().withCredentials(new Credentials(USER, PASSWORD));
        try (RegistryDestination d = RegistryDestination.open(ref("auth/app:1"), o)) {
            MiniCopy.copy(new LayoutSource(image.layout, "latest", "oci:src"), d, List.of(), 4);
        }
        byte[] raw = Cmd.check("skopeo", "inspect", "--raw", "--tls-verify=false", "--creds", USER + ":" + PASSWORD,
                "docker://" + registry.address + "/auth/app:1");
        assertEquals(image.index.digest(), Digest.sha256(raw));
        OciLayout pulled = OciLayout.openOrCreate(tmp.resolve("pulled"));
        try (RegistrySource s = RegistrySource.open(ref("auth/app:1"), o);
             LayoutDestination ld = new LayoutDestination(pulled, "1", "oci:pulled")) {
            MiniCopy.copy(s, ld, List.of(), 4);
        }
        assertEquals(PushPullIT.digests(image.layout, image.index), PushPullIT.digests(pulled, pulled.resolve("1")));
        log.forEach(l -> assertNoSecretIn(l, PASSWORD));
        assertTrue(log.stream().anyMatch(l -> l.contains("Authorization: Basic REDACTED")));
    }

    @Test
    void aWrongPasswordIsOneLineThatDoesNotContainIt(@TempDir Path tmp) throws Exception {
        TestImage image = TestImage.build(tmp.resolve("src"), "latest", 0, "wrong");
        String wrong = "Wrong-" + PASSWORD;
        RegistryException e = assertThrows(RegistryException.class, () -> {
            try (RegistryDestination d = RegistryDestination.open(ref("auth/app:wrong"), options().withCredentials(new Credentials(USER, wrong)))) {
                MiniCopy.copy(new LayoutSource(image.layout, "latest", "oci:src"), d, List.of(), 4);
            }
        });
        String m = e.getMessage();
        assertFalse(m.contains("\n") || m.contains("\r"), m);
        assertNoSecretIn(m, wrong, PASSWORD);
        assertTrue(m.contains("registry " + registry.address) && m.contains("repository auth/app"), m);
        assertTrue(m.contains("authentication failed for user alice: wrong user name or password?"), m);
        assertEquals(ErrorCode.UNAUTHORIZED, e.code());
        log.forEach(l -> assertNoSecretIn(l, wrong, PASSWORD));
    }

    @Test
    void anonymousAccessIsToldHowToLogIn() {
        RegistryException e = assertThrows(RegistryException.class, () -> {
            try (RegistrySource s = RegistrySource.open(ref("auth/app:1"), options())) {
                s.root();
            }
        });
        assertTrue(e.getMessage().contains("authentication required: pass --creds USER:PASSWORD or log in"), e.getMessage());
    }

    @Test
    void credentialsSavedByLoginAreUsedAndLogoutRemovesThem(@TempDir Path home) throws Exception {
        AuthEnvironment env = new AuthEnvironment(home, Map.of("PATH", "/usr/bin:/bin"));
        DockerConfigFile.store(env, registry.address, new Credentials(USER, PASSWORD));
        Path config = home.resolve(".docker/config.json");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(config)));
        // the file is readable by docker's own format: skopeo uses it through REGISTRY_AUTH_FILE
        Cmd.check("skopeo", "login", "--tls-verify=false", "--get-login", "--authfile", config.toString(), registry.address);

        TestImage image = TestImage.build(home.resolve("src"), "latest", 0, "login");
        RegistryOptions o = options().withCredentialStore(new DockerConfigCredentials(env));
        try (RegistryDestination d = RegistryDestination.open(ref("auth/login:1"), o)) {
            MiniCopy.copy(new LayoutSource(image.layout, "latest", "oci:src"), d, List.of(), 4);
        }
        assertEquals(image.index.digest(), Digest.sha256(Cmd.check("skopeo", "inspect", "--raw", "--tls-verify=false",
                "--authfile", config.toString(), "docker://" + registry.address + "/auth/login:1")));

        assertTrue(DockerConfigFile.erase(env, registry.address));
        RegistryException e = assertThrows(RegistryException.class, () -> {
            try (RegistrySource s = RegistrySource.open(ref("auth/login:1"), options().withCredentialStore(new DockerConfigCredentials(env)))) {
                s.root();
            }
        });
        assertTrue(e.getMessage().contains("authentication required"), e.getMessage());
    }
}
