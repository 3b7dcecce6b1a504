package dev.kiln.registry.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A registry names the token server in its challenge; kiln asks only http(s) realms, and sends
 * credentials only where the transport policy allows (HTTPS, or plain HTTP to loopback). A realm it
 * cannot use is a clear {@link CredentialsException}, with nothing sent anywhere.
 */
class TokenRealmSchemeTest {
    static final Credentials ALICE = new Credentials("alice", "pw-REALM-SECRET");
    TokenServer server;
    HttpClient http;
    final List<URI> asked = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = new TokenServer();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    BearerTokens tokens(boolean credentialsAllowed) {
        return new BearerTokens(http, Duration.ofSeconds(10), uri -> {
            asked.add(uri);
            return credentialsAllowed;
        }, null, "kiln-test", new ManualClock());
    }

    static Challenge realm(String realm) {
        return new Challenge("Bearer", Map.of("realm", realm, "service", "reg"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"file:///etc/passwd", "ftp://127.0.0.1/token", "javascript:alert(1)", "jar:file:/x.jar!/token",
            "/relative/token"})
    void aRealmThatIsNotHttpIsRefused(String realm) {
        BearerTokens t = tokens(true);
        assertThrows(CredentialsException.class, () -> t.token(realm(realm), List.of("repository:a:pull"), ALICE));
        assertThrows(CredentialsException.class, () -> t.token(realm(realm), List.of("repository:a:pull"), null));
    }

    @Test
    void httpAndHttpsInAnyCaseAreUsable() {
        BearerTokens t = tokens(true);
        String upper = server.realm().replace("http://", "HTTP://");
        assertEquals("tok-1", t.token(realm(upper), List.of("repository:a:pull"), ALICE));
        assertEquals(1, server.requests.size());
        assertEquals(ALICE.basicAuthorization(), server.requests.get(0).header("Authorization"));
    }

    @Test
    void aMissingBlankOrMalformedRealmIsAClearError() {
        BearerTokens t = tokens(true);
        assertThrows(CredentialsException.class, () -> t.token(new Challenge("Bearer", Map.of("service", "reg")), List.of(), null));
        assertThrows(CredentialsException.class, () -> t.token(realm("  "), List.of(), null));
        assertThrows(CredentialsException.class, () -> t.token(realm("http://bad host/token"), List.of(), null));
        assertTrue(server.requests.isEmpty());
    }

    @Test
    void credentialsAreNotSentToARealmThePolicyRefuses() {
        BearerTokens t = tokens(false);
        CredentialsException e = assertThrows(CredentialsException.class,
                () -> t.token(realm(server.realm()), List.of("repository:a:pull"), ALICE));
        assertTrue(server.requests.isEmpty(), "nothing reached the token server");
        assertEquals(List.of(URI.create(server.realm())), asked);
        assertTrue(e.getMessage().contains("127.0.0.1"), e.getMessage());
        assertFalse(e.getMessage().contains(ALICE.secret()), e.getMessage());
    }

    @Test
    void anAnonymousTokenMayComeFromARealmThatMustNotSeeCredentials() {
        BearerTokens t = tokens(false);
        assertEquals("tok-1", t.token(realm(server.realm()), List.of("repository:a:pull"), null));
        assertEquals(null, server.requests.get(0).header("Authorization"));
    }
}
