package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.testing.HostileRegistry;
import dev.kiln.testing.MiniDistribution;
import dev.kiln.testing.Proc;
import dev.kiln.testing.Registry;
import dev.kiln.testing.SecretForms;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real kiln jar in its own process, where the environment matters: {@code $HOME} (not Java's
 * {@code user.home}, set to a folder that does not exist), {@code DOCKER_CONFIG}, credential helpers
 * on {@code PATH}, a small heap, and host names from a hosts file ({@code -Djdk.net.hosts.file}) that
 * point at loopback servers under names that are not loopback by their look. {@code login} against the
 * real Distribution registry (Basic) and a hostile one (Bearer) writes nothing unless the registry
 * accepts the credentials.
 */
class RegistrySecurityIT {
    @TempDir
    Path tmp;
    final String password = "pw-" + UUID.randomUUID();

    /** kiln with HOME = tmp/home and nothing else that moves credential files or the cache. */
    Proc.Result kiln(Map<String, String> env, List<String> jvm, String stdin, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Djava.io.tmpdir=" + tmp, "-Duser.home=/nonexistent-user-home"));
        cmd.addAll(jvm);
        cmd.addAll(List.of("-jar", KilnJar.jar().toString()));
        cmd.addAll(List.of(args));
        Map<String, String> e = new HashMap<>();
        for (String v : List.of("DOCKER_CONFIG", "REGISTRY_AUTH_FILE", "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "KILN_CACHE_DIR")) {
            e.put(v, null);
        }
        e.put("HOME", tmp.resolve("home").toString());
        e.putAll(env);
        return Proc.of(cmd).env(e).timeout(Duration.ofMinutes(2)).stdin(stdin == null ? "" : stdin).redact(password).run();
    }

    Proc.Result kiln(String... args) {
        return kiln(Map.of(), List.of(), null, args);
    }

    Path dockerConfig() {
        return tmp.resolve("home/.docker/config.json");
    }

    @Test
    void loginChecksThePasswordAndWritesToHomeOnlyWhenTheRegistryAcceptsIt() throws Exception {
        try (Registry registry = Registry.builder().htpasswd("alice", password).start()) {
            Proc.Result wrong = kiln(Map.of(), List.of(), "wrong-" + password + "\n", "login", registry.hostPort(), "-u", "alice", "--password-stdin");
            assertEquals(1, wrong.exitCode(), wrong.describe());
            assertTrue(wrong.stderr().startsWith("kiln: registry " + registry.hostPort() + ": logging in failed: HTTP 401"), wrong.stderr());
            assertFalse(wrong.stdout().contains("Succeeded"), wrong.stdout());
            assertFalse(Files.exists(dockerConfig()), "a refused login writes nothing");

            Proc.Result ok = kiln(Map.of(), List.of(), password + "\n", "login", "--json", registry.hostPort(), "-u", "alice", "--password-stdin");
            assertEquals(0, ok.exitCode(), ok.describe());
            JsonNode o = KilnTestSupport.MAPPER.readTree(ok.stdout());
            assertEquals(registry.hostPort(), o.get("registry").asText());
            assertTrue(o.get("checked").asBoolean());
            assertEquals(dockerConfig().toString(), o.get("configFile").asText(), "written under $HOME, not user.home");
            String b64 = Base64.getEncoder().encodeToString(("alice:" + password).getBytes(StandardCharsets.UTF_8));
            assertEquals(b64, KilnTestSupport.MAPPER.readTree(dockerConfig().toFile()).get("auths").get(registry.hostPort()).get("auth").asText());

            // the stored credentials are found by host: a push needs no --creds
            Path layout = HostileRegistries.tinyLayout(tmp.resolve("img"));
            kiln("push", "oci:" + layout + ":1", "docker://" + registry.hostPort() + "/x:1").assertOk();

            Proc.Result out = kiln("logout", "--json", registry.hostPort());
            assertEquals(0, out.exitCode(), out.describe());
            JsonNode l = KilnTestSupport.MAPPER.readTree(out.stdout());
            assertTrue(l.get("removed").asBoolean(), out.stdout());
            assertFalse(KilnTestSupport.MAPPER.readTree(dockerConfig().toFile()).get("auths").has(registry.hostPort()));
            Proc.Result again = kiln("logout", "--json", registry.hostPort());
            assertFalse(KilnTestSupport.MAPPER.readTree(again.stdout()).get("removed").asBoolean(), again.stdout());
        }
    }

    @Test
    void loginFollowsABearerChallengeAndDockerConfigMovesTheFile() throws Exception {
        MiniDistribution mini = new MiniDistribution();
        try (HostileRegistry tokens = HostileRegistry.start(3, mini.tokenServer("bob", password, null));
             HostileRegistry registry = HostileRegistry.start(2, mini)) {
            mini.bearer(tokens.url() + "/token");
            Path dc = tmp.resolve("dc");
            Map<String, String> env = Map.of("DOCKER_CONFIG", dc.toString());
            Proc.Result wrong = kiln(env, List.of(), null, "login", registry.address(), "-u", "bob", "-p", "nope-" + password);
            assertEquals(1, wrong.exitCode(), wrong.describe());
            assertTrue(wrong.stderr().contains("refused the credentials of user bob"), wrong.stderr());
            assertFalse(Files.exists(dc.resolve("config.json")));
            Proc.Result ok = kiln(env, List.of(), null, "login", registry.address(), "-u", "bob", "-p", password);
            assertEquals(0, ok.exitCode(), ok.describe());
            assertEquals("Login Succeeded (" + registry.address() + ")", ok.stdout().strip());
            assertTrue(Files.exists(dc.resolve("config.json")), "$DOCKER_CONFIG/config.json");
            assertFalse(Files.exists(dockerConfig()));
            assertTrue(tokens.authorized().size() >= 1, "the token server checked the password");
        }
    }

    @Test
    void aFailingCredentialHelperIsNamedWithItsExitCodeAndStderrNeverItsStdout() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path helper = bin.resolve("docker-credential-leaky");
        Files.writeString(helper, "#!/bin/sh\nread -r input\necho '{\"Username\":\"bob\",\"Secret\":\"" + password + "\"}'\n"
                + "echo \"keyring locked; had " + password + "\" >&2\nexit 9\n");
        Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwx------"));
        Files.createDirectories(dockerConfig().getParent());
        Files.writeString(dockerConfig(), "{\"credsStore\":\"leaky\"}");
        MiniDistribution mini = new MiniDistribution().basic("bob", password);
        try (HostileRegistry registry = HostileRegistry.start(2, mini)) {
            Proc.Result r = kiln(Map.of("PATH", bin + ":/usr/bin:/bin"), List.of(), null, "pull", "--debug",
                    "docker://" + registry.address() + "/x:1", "oci:" + tmp.resolve("out") + ":1");
            assertEquals(1, r.exitCode(), r.describe());
            String line = r.stderr().lines().filter(s -> s.startsWith("kiln: ")).findFirst().orElseThrow();
            assertTrue(line.contains("docker-credential-leaky get for " + registry.address() + " failed (exit 9): keyring locked; had ****"), line);
            SecretForms.assertNone("stderr", r.stderr(), SecretForms.of("bob", password));
            SecretForms.assertNone("stdout", r.stdout(), SecretForms.of("bob", password));
            assertEquals(List.of(), registry.authorized());
        }
    }

    @Test
    void anEndlessPingBodyDoesNotExhaustASmallHeap() {
        try (HostileRegistry registry = HostileRegistry.start(2, ex -> ex.endless(ex.path().equals("/v2/") ? 200 : 500, "application/json"))) {
            long start = System.nanoTime();
            Proc.Result r = kiln(Map.of(), List.of("-Xmx128m"), null, "inspect", "docker://" + registry.address() + "/x:1");
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertEquals(1, r.exitCode(), r.describe());
            assertEquals(1, r.stderr().strip().lines().count(), r.stderr());
            assertTrue(r.stderr().startsWith("kiln: registry " + registry.address() + ", repository x: getting manifest 1 failed: HTTP 500"),
                    r.stderr());
            assertFalse(r.stderr().contains("memory"), r.stderr());
            System.out.println("endless bodies with -Xmx128m: exit 1 after " + ms + " ms, server wrote " + registry.bytesSent() / (1 << 20) + " MiB");
        }
    }

    @Test
    void credentialsNeverGoOverPlainHttpToANameThatIsNotLoopback() throws Exception {
        MiniDistribution mini = new MiniDistribution().basic("alice", password);
        try (HostileRegistry registry = HostileRegistry.start(2, mini)) {
            Path hosts = tmp.resolve("hosts");
            Files.writeString(hosts, """
                    127.0.0.2 registry.test
                    127.0.0.2 good.localhost
                    127.0.0.2 mixed.localhost
                    192.0.2.1 mixed.localhost
                    """);
            List<String> jvm = List.of("-Djdk.net.hosts.file=" + hosts);
            String port = ":" + registry.port();
            Proc.Result insecure = kiln(Map.of(), jvm, null, "pull", "--insecure", "--creds", "alice:" + password,
                    "docker://registry.test" + port + "/x:1", "oci:" + tmp.resolve("a") + ":1");
            assertEquals(1, insecure.exitCode(), insecure.describe());
            assertTrue(insecure.stderr().contains("refusing to send credentials over plain HTTP to registry.test (not a loopback address)"),
                    insecure.stderr());
            assertEquals(List.of(), registry.authorized(), "no Authorization reached the registry");
            assertFalse(registry.requests().isEmpty(), "it was asked anonymously");

            Proc.Result mixed = kiln(Map.of(), jvm, null, "pull", "--creds", "alice:" + password,
                    "docker://mixed.localhost" + port + "/x:1", "oci:" + tmp.resolve("b") + ":1");
            assertEquals(1, mixed.exitCode(), mixed.describe());
            assertTrue(mixed.stderr().contains("plain HTTP, which kiln uses only for loopback registries"), mixed.stderr());
            assertEquals(List.of(), registry.authorized());

            Proc.Result good = kiln(Map.of(), jvm, null, "pull", "--creds", "alice:" + password,
                    "docker://good.localhost" + port + "/x:1", "oci:" + tmp.resolve("c") + ":1");
            assertEquals(1, good.exitCode(), good.describe());
            assertTrue(good.stderr().contains("getting manifest 1 failed: HTTP 404"), "a *.localhost that is loopback only is loopback: "
                    + good.stderr());
            assertFalse(registry.authorized().isEmpty(), "the loopback registry got its credentials");
        }
    }

    @Test
    void theLayerCacheDefaultsToHomeFromTheEnvironment() throws IOException {
        Path ctx = Files.createDirectories(tmp.resolve("ctx"));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY a.txt /a.txt\n");
        Files.writeString(ctx.resolve("a.txt"), "cached\n");
        kiln("build", ctx.toString(), "--platform", "linux/amd64", "-o", "oci:" + tmp.resolve("out") + ":1").assertOk();
        assertTrue(Files.isDirectory(tmp.resolve("home/.cache/kiln")), "$HOME/.cache/kiln");
        Path xdg = tmp.resolve("xdg");
        kiln(Map.of("XDG_CACHE_HOME", xdg.toString()), List.of(), null, "build", ctx.toString(), "--platform", "linux/amd64",
                "-o", "oci:" + tmp.resolve("out2") + ":1").assertOk();
        assertTrue(Files.isDirectory(xdg.resolve("kiln")), "$XDG_CACHE_HOME/kiln");
    }
}
