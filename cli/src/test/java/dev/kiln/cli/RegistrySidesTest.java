package dev.kiln.cli;

import static dev.kiln.cli.KilnTestSupport.kiln;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.testing.HostileRegistry;
import dev.kiln.testing.MiniDistribution;
import dev.kiln.testing.SecretForms;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * copy, push and pull between registries on different hosts (127.0.0.N): each side's credentials
 * reach only that side ({@code --src-creds}, {@code --dest-creds}); plain {@code --creds} names no side
 * on a copy between two registries and is bad usage; a copy within one registry mounts its blobs.
 */
class RegistrySidesTest {
    @TempDir
    static Path work;
    static Path layout;
    final String alicePw = "alice-pw-" + UUID.randomUUID();
    final String bobPw = "bob-pw-" + UUID.randomUUID();

    @BeforeAll
    static void tinyImage() throws Exception {
        layout = HostileRegistries.tinyLayout(work);
    }

    @Test
    void eachSideGetsOnlyItsOwnCredentials() {
        MiniDistribution a = new MiniDistribution().basic("alice", alicePw);
        MiniDistribution b = new MiniDistribution();
        try (HostileRegistry regA = HostileRegistry.start(2, a);
             HostileRegistry tokensB = HostileRegistry.start(4, b.tokenServer("bob", bobPw, null));
             HostileRegistry regB = HostileRegistry.start(3, b.bearer(tokensB.url() + "/token"))) {
            kiln("push", "--creds", "alice:" + alicePw, "oci:" + layout + ":1", "docker://" + regA.address() + "/src:1").ok();
            KilnTestSupport.Run copy = kiln("copy", "--src-creds", "alice:" + alicePw, "--dest-creds", "bob:" + bobPw,
                    "docker://" + regA.address() + "/src:1", "docker://" + regB.address() + "/dst:1").ok();
            assertTrue(copy.out().startsWith("copied docker://"), copy.out());
            assertTrue(b.hasManifest("dst", "1"));

            String basicA = "Basic " + Base64.getEncoder().encodeToString(("alice:" + alicePw).getBytes(StandardCharsets.UTF_8));
            assertTrue(regA.authorized().stream().allMatch(r -> r.authorization().equals(basicA)), regA.requests().toString());
            assertEquals(List.of("Basic " + Base64.getEncoder().encodeToString(("bob:" + bobPw).getBytes(StandardCharsets.UTF_8))),
                    tokensB.authorized().stream().map(HostileRegistry.Request::authorization).distinct().toList());
            assertTrue(regB.authorized().stream().allMatch(r -> r.authorization().startsWith("Bearer tok-")));
            SecretForms.assertNone("what the destination's hosts saw", HostileRegistries.headersSeenBy(regB, tokensB),
                    SecretForms.of("alice", alicePw));
            SecretForms.assertNone("what the source saw", HostileRegistries.headersSeenBy(regA), SecretForms.of("bob", bobPw));
            SecretForms.assertNone("the output", copy.out() + copy.err(), SecretForms.of("alice", alicePw));
        }
    }

    @Test
    void plainRegistryOptionsOnACopyBetweenTwoRegistriesAreBadUsage() {
        try (HostileRegistry regA = HostileRegistry.start(2, new MiniDistribution());
             HostileRegistry regB = HostileRegistry.start(3, new MiniDistribution())) {
            for (List<String> flag : List.of(List.of("--creds", "alice:" + alicePw), List.of("--cert-dir", "/tmp"),
                    List.of("--insecure"), List.of("--tls-verify=false"))) {
                List<String> args = new java.util.ArrayList<>(List.of("copy"));
                args.addAll(flag);
                args.addAll(List.of("docker://" + regA.address() + "/src:1", "docker://" + regB.address() + "/dst:1"));
                KilnTestSupport.Run r = kiln(args.toArray(String[]::new));
                assertEquals(2, r.code(), flag + ": " + r.err());
                assertEquals(1, r.err().strip().lines().count(), r.err());
                assertTrue(r.err().startsWith("kiln: --creds, --cert-dir, --insecure and --tls-verify name no side"), r.err());
                assertTrue(r.err().contains("--src-creds/--dest-creds"), r.err());
            }
            assertEquals(List.of(), regA.requests(), "nothing was sent");
            assertEquals(List.of(), regB.requests(), "nothing was sent");
        }
    }

    @Test
    void sideOptionsApplyOnlyToARegistryOnThatSide() {
        try (HostileRegistry reg = HostileRegistry.start(2, new MiniDistribution())) {
            KilnTestSupport.Run push = kiln("push", "--src-creds", "alice:" + alicePw, "oci:" + layout + ":1", "docker://" + reg.address() + "/x:1");
            assertEquals(2, push.code(), push.err());
            assertTrue(push.err().startsWith("kiln: --src-creds, --src-cert-dir and --src-tls-verify apply to a docker:// source"), push.err());
            KilnTestSupport.Run pull = kiln("pull", "--dest-creds", "alice:" + alicePw, "docker://" + reg.address() + "/x:1",
                    "oci:" + work.resolve("never") + ":1");
            assertEquals(2, pull.code(), pull.err());
            KilnTestSupport.Run both = kiln("push", "--creds", "a:b12345", "--dest-creds", "alice:" + alicePw, "oci:" + layout + ":1",
                    "docker://" + reg.address() + "/x:1");
            assertEquals(2, both.code(), both.err());
            assertTrue(both.err().contains("not both"), both.err());
            assertEquals(List.of(), reg.requests());
        }
    }

    @Test
    void onOneRegistryTheDestOptionsAndThePlainOnesAreTheSame() {
        MiniDistribution mini = new MiniDistribution().basic("alice", alicePw);
        try (HostileRegistry reg = HostileRegistry.start(2, mini)) {
            kiln("push", "--dest-creds", "alice:" + alicePw, "oci:" + layout + ":1", "docker://" + reg.address() + "/x:1").ok();
            kiln("push", "--creds", "alice:" + alicePw, "oci:" + layout + ":1", "docker://" + reg.address() + "/y:1").ok();
            kiln("pull", "--src-creds", "alice:" + alicePw, "docker://" + reg.address() + "/y:1", "oci:" + work.resolve("p" + UUID.randomUUID()) + ":1").ok();
            KilnTestSupport.Run wrong = kiln("pull", "--src-creds", "alice:nope-" + bobPw, "docker://" + reg.address() + "/y:1",
                    "oci:" + work.resolve("q" + UUID.randomUUID()) + ":1");
            assertEquals(1, wrong.code(), wrong.err());
        }
    }

    @Test
    void aCopyWithinOneRegistryMountsFromTheSourceRepositoryAndSaysSo() throws Exception {
        MiniDistribution mini = new MiniDistribution();
        try (HostileRegistry reg = HostileRegistry.start(2, mini)) {
            kiln("push", "oci:" + layout + ":1", "docker://" + reg.address() + "/team/a:1").ok();
            int before = reg.requests().size();
            KilnTestSupport.Run copy = kiln("copy", "docker://" + reg.address() + "/team/a:1", "docker://" + reg.address() + "/team/b:1").ok();
            assertTrue(copy.out().contains(", 2 mounted from another repository)"), copy.out());
            List<HostileRegistry.Request> during = reg.requests().subList(before, reg.requests().size());
            assertEquals(2, during.stream().filter(r -> r.uri().contains("mount=")).count(), during.toString());
            assertFalse(during.stream().anyMatch(r -> r.method().equals("GET") && r.path().contains("/blobs/")), "no blob downloaded");
            assertFalse(during.stream().anyMatch(r -> r.method().equals("PATCH")
                    || r.method().equals("PUT") && r.path().contains("/blobs/")), "no blob uploaded");

            KilnTestSupport.Run json = kiln("copy", "--json", "docker://" + reg.address() + "/team/a:1", "docker://" + reg.address() + "/team/c:1").ok();
            JsonNode o = KilnTestSupport.MAPPER.readTree(json.out());
            assertEquals(2, o.get("blobsMounted").asInt(), json.out());
        }
    }

    static int port(HostileRegistry r) {
        return Integer.parseInt(r.address().substring(r.address().indexOf(':') + 1));
    }
}
