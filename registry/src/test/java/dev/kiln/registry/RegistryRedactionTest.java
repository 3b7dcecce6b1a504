package dev.kiln.registry;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.testing.HostileRegistry;
import dev.kiln.testing.MiniDistribution;
import dev.kiln.testing.SecretForms;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Registries that quote the request back in their errors (headers, body, URL): neither the error
 * message nor a debug line shows the password, its base64 forms, a bearer token or an upload state.
 */
class RegistryRedactionTest {
    final SecurityFixture f = new SecurityFixture();

    @Test
    void anErrorQuotingBasicCredentialsIsRedacted() {
        MiniDistribution mini = new MiniDistribution().basic(f.user, f.password);
        try (HostileRegistry registry = HostileRegistry.start(2, ex -> {
            if (ex.path().contains("/manifests/")) {
                ex.echo(403);
            } else {
                mini.handle(ex);
            }
        })) {
            RegistryClient c = RegistryClient.connect(registry.address(), f.withCredentials());
            RegistryException e = assertThrows(RegistryException.class, () -> c.getManifest("team/app", "1"));
            assertTrue(e.getMessage().startsWith("registry " + registry.address() + ", repository team/app: getting manifest 1 failed: HTTP 403 DENIED"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("Authorization: Basic ****"), "the echo is kept, the secret is not: " + e.getMessage());
            assertFalse(registry.authorized().isEmpty(), "the registry got the credentials it quotes");
            SecretForms.assertNone("the error", e.getMessage(), SecretForms.of(f.user, f.password));
            SecretForms.assertNone("the debug log", f.debugLog(), SecretForms.of(f.user, f.password));
        }
    }

    @Test
    void anErrorQuotingABearerTokenAndAnUploadStateIsRedacted() {
        MiniDistribution mini = new MiniDistribution();
        try (HostileRegistry tokens = HostileRegistry.start(3, mini.tokenServer(f.user, f.password, null));
             HostileRegistry registry = HostileRegistry.start(2, ex -> {
                 if (ex.method().equals("PUT") && ex.path().contains("/blobs/uploads/")) {
                     ex.echo(400); // quotes the URL with its _state, and the Bearer token
                 } else {
                     mini.handle(ex);
                 }
             })) {
            mini.bearer(tokens.url() + "/token");
            RegistryClient c = RegistryClient.connect(registry.address(), f.withCredentials());
            RegistryException e = assertThrows(RegistryException.class, () -> f.pushLayer(c, "team/app"));
            assertTrue(e.getMessage().contains("repository team/app: completing the upload of blob"), e.getMessage());
            List<String> secrets = new ArrayList<>(SecretForms.of(f.user, f.password));
            mini.issuedTokens().forEach(t -> secrets.addAll(SecretForms.ofToken(t)));
            mini.uploadStates().forEach(s -> secrets.addAll(SecretForms.ofToken(s)));
            assertFalse(mini.issuedTokens().isEmpty() || mini.uploadStates().isEmpty(), "a token and an upload state were handed out");
            assertTrue(registry.requests().stream().anyMatch(r -> r.uri().contains("_state=")), "the upload URL carried its state");
            SecretForms.assertNone("the error", e.getMessage(), secrets);
            SecretForms.assertNone("the debug log", f.debugLog(), secrets);
        }
    }

    @Test
    void aBodyThatIsNotErrorJsonIsShownInTheDebugLogRedactedAndCut() {
        MiniDistribution mini = new MiniDistribution().basic(f.user, f.password);
        String b64 = java.util.Base64.getEncoder().encodeToString((f.user + ":" + f.password).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        try (HostileRegistry registry = HostileRegistry.start(2, ex -> {
            if (ex.path().contains("/manifests/")) {
                // an HTML error page that quotes the header, long enough that a cut could fall inside a secret
                ex.send(500, "<html>" + "x".repeat(268) + ex.request.authorization() + " and again " + f.password + "</html>");
            } else {
                mini.handle(ex);
            }
        })) {
            RegistryClient c = RegistryClient.connect(registry.address(), f.withCredentials());
            assertThrows(RegistryException.class, () -> c.getManifest("team/app", "1"));
            assertTrue(f.debugLog().contains("[body: <html>xxx"), f.debugLog());
            SecretForms.assertNone("the debug log", f.debugLog(), SecretForms.of(f.user, f.password));
            SecretForms.assertNone("the debug log", f.debugLog(), List.of(b64.substring(0, 12)));
        }
    }
}
