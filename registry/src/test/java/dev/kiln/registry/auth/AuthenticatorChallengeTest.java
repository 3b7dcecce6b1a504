package dev.kiln.registry.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Authorization header follows the registry's challenge: nothing before the registry asks,
 * Basic credentials to a Basic challenge, a bearer token to a Bearer one (preferred when both are
 * offered); after a 401 a retry is worth it only when something can change.
 */
class AuthenticatorChallengeTest {
    static final Credentials ALICE = new Credentials("alice", "pw-AUTH-SECRET");
    TokenServer server;
    BearerTokens tokens;
    final List<String> lookups = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = new TokenServer();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        tokens = new BearerTokens(http, Duration.ofSeconds(10), uri -> true, null, "kiln-test", new ManualClock());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    Authenticator auth(Credentials creds) {
        return new Authenticator("reg.example", (registry, repository) -> {
            lookups.add(registry + "/" + repository);
            return Optional.ofNullable(creds);
        }, tokens);
    }

    String bearer(String scope) {
        return "Bearer realm=\"" + server.realm() + "\",service=\"reg\"" + (scope == null ? "" : ",scope=\"" + scope + "\"");
    }

    static Set<String> scopes(String... s) {
        return new TreeSet<>(List.of(s));
    }

    @Test
    void nothingIsSentBeforeTheRegistryAsks() {
        Authenticator a = auth(ALICE);
        assertNull(a.authorization(scopes("repository:a:pull"), "a"));
        assertNull(a.scheme());
        assertFalse(a.usesCredentials("a"));
        a.learn(List.of("Negotiate abc=="));
        assertNull(a.authorization(scopes("repository:a:pull"), "a"), "a scheme kiln cannot answer is ignored");
        assertTrue(server.requests.isEmpty());
    }

    @Test
    void basicChallengeGetsTheCredentialsOfTheRepository() {
        Authenticator a = auth(ALICE);
        a.learn(List.of("Basic realm=\"reg\""));
        assertEquals("Basic", a.scheme());
        assertEquals(ALICE.basicAuthorization(), a.authorization(scopes(), "a"));
        assertTrue(a.usesCredentials("a"));
        assertNull(auth(null).authorization(scopes(), "a"));
    }

    @Test
    void bearerIsPreferredWhenBothAreOffered() {
        for (List<String> headers : List.of(List.of("Basic realm=\"reg\", " + bearer(null)),
                List.of("Basic realm=\"reg\"", bearer(null)), List.of(bearer(null), "Basic realm=\"reg\""))) {
            Authenticator a = auth(ALICE);
            a.learn(headers);
            assertEquals("Bearer", a.scheme(), headers.toString());
            assertTrue(a.authorization(scopes("repository:a:pull"), "a").startsWith("Bearer tok-"), headers.toString());
        }
        assertEquals(ALICE.basicAuthorization(), server.requests.get(0).header("Authorization"));
    }

    @Test
    void anonymousBearerTokensDoNotCountAsUsingCredentials() {
        Authenticator a = auth(null);
        a.learn(List.of(bearer(null)));
        assertEquals("Bearer tok-1", a.authorization(scopes("repository:a:pull"), "a"));
        assertFalse(a.usesCredentials("a"));
        assertNull(server.requests.get(0).header("Authorization"));
    }

    @Test
    void aRefusedBearerTokenIsDroppedAndTheChallengesScopesAdded() {
        Authenticator a = auth(ALICE);
        a.learn(List.of(bearer(null)));
        Set<String> want = scopes("repository:a:pull");
        String sent = a.authorization(want, "a");
        assertEquals("Bearer tok-1", sent);
        assertTrue(a.unauthorized(List.of(bearer("repository:a:pull,push")), want, "a", sent));
        assertEquals(scopes("repository:a:pull", "repository:a:pull,push"), want);
        assertEquals("Bearer tok-2", a.authorization(want, "a"));
        // the old scope's token was dropped too: it was refused
        assertEquals("Bearer tok-3", a.authorization(scopes("repository:a:pull"), "a"));
    }

    @Test
    void refusedBasicCredentialsAreNotRetried() {
        Authenticator a = auth(ALICE);
        assertTrue(a.unauthorized(List.of("Basic realm=\"reg\""), scopes(), "a", null), "first 401: retry with credentials");
        assertFalse(a.unauthorized(List.of("Basic realm=\"reg\""), scopes(), "a", ALICE.basicAuthorization()),
                "the credentials themselves were refused");
        assertFalse(auth(null).unauthorized(List.of("Basic realm=\"reg\""), scopes(), "a", null), "nothing to retry with");
    }

    @Test
    void aChallengeKilnCannotAnswerEndsTheRetries() {
        Authenticator a = auth(ALICE);
        a.learn(List.of("Basic realm=\"reg\""));
        assertFalse(a.unauthorized(List.of("Negotiate abc=="), scopes(), "a", null));
        assertFalse(a.unauthorized(List.of(), scopes(), "a", null));
        assertEquals("Basic", a.scheme(), "the usable challenge is kept");
    }

    @Test
    void credentialsAreLookedUpOncePerRepository() {
        Authenticator a = auth(ALICE);
        a.learn(List.of("Basic realm=\"reg\""));
        a.authorization(scopes(), "team/a");
        a.authorization(scopes(), "team/a");
        a.authorization(scopes(), "team/b");
        a.authorization(scopes(), null);
        a.authorization(scopes(), null);
        assertEquals(List.of("reg.example/team/a", "reg.example/team/b", "reg.example/null"), lookups);
    }
}
