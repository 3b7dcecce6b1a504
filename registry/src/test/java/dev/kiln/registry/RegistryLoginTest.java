package dev.kiln.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.registry.auth.Credentials;
import dev.kiln.testing.HostileRegistry;
import dev.kiln.testing.MiniDistribution;
import dev.kiln.testing.SecretForms;
import org.junit.jupiter.api.Test;

/** {@link RegistryClient#authenticate}: what {@code kiln login} asks before it writes anything. */
class RegistryLoginTest {
    final SecurityFixture f = new SecurityFixture();

    @Test
    void basicCredentialsAreCheckedWithGetV2() {
        MiniDistribution mini = new MiniDistribution().basic(f.user, f.password);
        try (HostileRegistry registry = HostileRegistry.start(2, mini)) {
            assertTrue(RegistryClient.connect(registry.address(), f.withCredentials()).authenticate());
            assertTrue(registry.requests().stream().anyMatch(r -> r.path().equals("/v2/") && r.authorization() != null));

            RegistryClient wrong = RegistryClient.connect(registry.address(), f.options().withCredentials(new Credentials(f.user, "wrong-" + f.password)));
            RegistryException e = assertThrows(RegistryException.class, wrong::authenticate);
            assertEquals(401, e.status());
            assertTrue(e.getMessage().startsWith("registry " + registry.address() + ": logging in failed: HTTP 401"), e.getMessage());
            assertTrue(e.getMessage().contains("authentication failed for user alice"), e.getMessage());
        }
    }

    @Test
    void aBearerChallengeIsFollowedToTheTokenServer() {
        MiniDistribution mini = new MiniDistribution();
        try (HostileRegistry tokens = HostileRegistry.start(3, mini.tokenServer(f.user, f.password, null));
             HostileRegistry registry = HostileRegistry.start(2, mini)) {
            mini.bearer(tokens.url() + "/token");
            assertTrue(RegistryClient.connect(registry.address(), f.withCredentials()).authenticate());
            assertEquals(1, tokens.authorized().size(), "the token server checked the credentials");

            String bad = "bad-" + f.password;
            RegistryClient wrong = RegistryClient.connect(registry.address(), f.options().withCredentials(new Credentials(f.user, bad)));
            RegistryException e = assertThrows(RegistryException.class, wrong::authenticate);
            assertTrue(e.getMessage().contains("refused the credentials of user alice"), e.getMessage());
            SecretForms.assertNone("the error", e.getMessage(), SecretForms.of(f.user, bad));
        }
    }

    @Test
    void aRegistryThatAsksForNothingCannotCheckCredentials() {
        try (HostileRegistry registry = HostileRegistry.start(2, new MiniDistribution())) {
            assertFalse(RegistryClient.connect(registry.address(), f.withCredentials()).authenticate());
            assertEquals(0, registry.authorized().size(), "credentials are not sent where nobody asked for them");
        }
    }
}
