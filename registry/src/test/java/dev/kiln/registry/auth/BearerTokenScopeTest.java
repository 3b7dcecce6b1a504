package dev.kiln.registry.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A bearer token is cached per realm, service, scope set and user: a token granted for one
 * repository, one set of actions or one user is never sent for another (the token server decides
 * what each may do), while requests needing the same grant share one token.
 */
class BearerTokenScopeTest {
    static final String PULL_A = "repository:team/a:pull";
    static final String PUSH_A = "repository:team/a:pull,push";
    static final String PULL_B = "repository:team/b:pull";

    TokenServer server;
    HttpClient http;
    BearerTokens tokens;

    @BeforeEach
    void start() throws Exception {
        server = new TokenServer();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        tokens = new BearerTokens(http, Duration.ofSeconds(10), uri -> true, null, "kiln-test", new ManualClock());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    Challenge challenge(String service) {
        return new Challenge("Bearer", service == null ? Map.of("realm", server.realm())
                : Map.of("realm", server.realm(), "service", service));
    }

    @Test
    void aTokenForOneRepositoryOrActionIsNotReusedForAnother() {
        Challenge c = challenge("reg");
        String a = tokens.token(c, List.of(PULL_A), null);
        String b = tokens.token(c, List.of(PULL_B), null);
        String push = tokens.token(c, List.of(PUSH_A), null);
        assertEquals(List.of("tok-1", "tok-2", "tok-3"), List.of(a, b, push));
        assertEquals(PULL_B, server.requests.get(1).params().get("scope"));
        assertEquals(PUSH_A, server.requests.get(2).params().get("scope"));
    }

    @Test
    void aTokenForOneUserIsNotReusedForAnotherOrForAnonymousRequests() {
        Challenge c = challenge("reg");
        Credentials alice = new Credentials("alice", "pw-a");
        Credentials bob = new Credentials("bob", "pw-b");
        assertEquals("tok-1", tokens.token(c, List.of(PULL_A), alice));
        assertEquals("tok-2", tokens.token(c, List.of(PULL_A), bob));
        assertEquals("tok-3", tokens.token(c, List.of(PULL_A), null));
        assertEquals(alice.basicAuthorization(), server.requests.get(0).header("Authorization"));
        assertEquals(bob.basicAuthorization(), server.requests.get(1).header("Authorization"));
        assertNull(server.requests.get(2).header("Authorization"), "an anonymous token request carries no credentials");
        // and each keeps its own
        assertEquals("tok-1", tokens.token(c, List.of(PULL_A), alice));
        assertEquals("tok-2", tokens.token(c, List.of(PULL_A), bob));
        assertEquals("tok-3", tokens.token(c, List.of(PULL_A), null));
        assertEquals(3, server.requests.size());
    }

    @Test
    void aTokenForOneServiceOrRealmIsNotReusedForAnother() throws Exception {
        assertEquals("tok-1", tokens.token(challenge("one"), List.of(PULL_A), null));
        assertEquals("tok-2", tokens.token(challenge("two"), List.of(PULL_A), null));
        assertEquals("tok-3", tokens.token(challenge(null), List.of(PULL_A), null));
        try (TokenServer other = new TokenServer()) {
            other.answer = (ex, n) -> TokenServer.json(ex, 200, "{\"token\":\"other-" + n + "\"}");
            Challenge elsewhere = new Challenge("Bearer", Map.of("realm", other.realm(), "service", "one"));
            assertEquals("other-1", tokens.token(elsewhere, List.of(PULL_A), null));
        }
        assertEquals(3, server.requests.size());
    }

    @Test
    void requestsNeedingTheSameScopesShareOneTokenWhateverTheirOrder() {
        Challenge c = challenge("reg");
        String first = tokens.token(c, List.of(PULL_B, PUSH_A), null);
        assertEquals(first, tokens.token(c, List.of(PUSH_A, PULL_B), null));
        assertEquals(first, tokens.token(c, List.of(PULL_B, PUSH_A), null));
        assertEquals(1, server.requests.size());
        // the scopes go to the token server one parameter each, in a stable order
        assertEquals("service=reg&scope=repository%3Ateam%2Fa%3Apull%2Cpush&scope=repository%3Ateam%2Fb%3Apull",
                server.requests.get(0).rawQuery());
    }

    @Test
    void aTokenTheRegistryRefusedIsFetchedAnewAndOnlyThatOne() {
        Challenge c = challenge("reg");
        String a = tokens.token(c, List.of(PULL_A), null);
        String b = tokens.token(c, List.of(PULL_B), null);
        tokens.invalidate(a);
        String a2 = tokens.token(c, List.of(PULL_A), null);
        assertNotEquals(a, a2);
        assertEquals(b, tokens.token(c, List.of(PULL_B), null), "the other scope's token is kept");
        assertEquals(3, server.requests.size());
    }

    @Test
    void theRealmsOwnQueryIsKeptAndTheScopesAdded() {
        Challenge c = new Challenge("Bearer", Map.of("realm", server.realm() + "?account=ci", "service", "reg"));
        tokens.token(c, List.of(PULL_A), null);
        assertEquals("account=ci&service=reg&scope=repository%3Ateam%2Fa%3Apull", server.requests.get(0).rawQuery());
        assertEquals("/token", server.requests.get(0).path());
        assertEquals("GET", server.requests.get(0).method());
        assertEquals("kiln-test", server.requests.get(0).header("User-Agent"));
    }

    @Test
    void aRealmWithoutServiceOrScopesIsAskedAsIs() {
        Challenge c = new Challenge("Bearer", Map.of("realm", server.realm()));
        assertEquals("tok-1", tokens.token(c, List.of(), null));
        assertNull(server.requests.get(0).rawQuery());
    }
}
