package dev.kiln.registry.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An identity token (what {@code docker login} stores as {@code identitytoken}, user
 * {@code <token>}) is an OAuth2 refresh token: it is POSTed to the realm as a form with
 * {@code grant_type=refresh_token}, never sent as Basic credentials, neither to the token server
 * nor to a registry that asks for Basic.
 */
class IdentityTokenRefreshTest {
    static final String REFRESH = "refresh-IDTOKEN-SECRET";
    static final Credentials IDENTITY = new Credentials(Credentials.IDENTITY_TOKEN_USER, REFRESH);
    TokenServer server;
    BearerTokens tokens;

    @BeforeEach
    void start() throws Exception {
        server = new TokenServer();
        server.answer = (ex, n) -> TokenServer.json(ex, 200, "{\"access_token\":\"acc-" + n + "\",\"expires_in\":300}");
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        tokens = new BearerTokens(http, Duration.ofSeconds(10), uri -> true, null, "kiln-test", new ManualClock());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void theRefreshTokenIsPostedAsAFormWithTheRefreshGrant() {
        Challenge c = new Challenge("Bearer", Map.of("realm", server.realm(), "service", "reg"));
        assertEquals("acc-1", tokens.token(c, List.of("repository:b:pull", "repository:a:pull,push"), IDENTITY));
        TokenServer.Request r = server.requests.get(0);
        assertEquals("POST", r.method());
        assertNull(r.rawQuery(), "nothing in the URL (it would be logged by proxies)");
        assertNull(r.header("Authorization"), "never sent as Basic");
        assertEquals("application/x-www-form-urlencoded", r.header("Content-Type"));
        assertEquals(Map.of("grant_type", "refresh_token", "client_id", "kiln", "service", "reg",
                "scope", "repository:a:pull,push repository:b:pull", "refresh_token", REFRESH), r.params());
        assertEquals("kiln-test", r.header("User-Agent"));
    }

    @Test
    void withoutAServiceTheFormHasNone() {
        Challenge c = new Challenge("Bearer", Map.of("realm", server.realm()));
        tokens.token(c, List.of("repository:a:pull"), IDENTITY);
        Map<String, String> form = server.requests.get(0).params();
        assertFalse(form.containsKey("service"), form.toString());
        assertEquals("refresh_token", form.get("grant_type"));
    }

    @Test
    void aPasswordIsSentAsBasicWithAGetNeverAsARefreshGrant() {
        Challenge c = new Challenge("Bearer", Map.of("realm", server.realm(), "service", "reg"));
        Credentials alice = new Credentials("alice", "pw");
        tokens.token(c, List.of("repository:a:pull"), alice);
        TokenServer.Request r = server.requests.get(0);
        assertEquals("GET", r.method());
        assertEquals(alice.basicAuthorization(), r.header("Authorization"));
        assertFalse(r.params().containsKey("grant_type"));
    }

    @Test
    void aRegistryAskingForBasicGetsNothingFromAnIdentityToken() {
        Authenticator auth = new Authenticator("reg.example", CredentialStore.of(IDENTITY), tokens);
        auth.learn(List.of("Basic realm=\"reg\""));
        assertNull(auth.authorization(new java.util.TreeSet<>(), "a"));
        // and a 401 to Basic cannot be helped by retrying with it
        assertFalse(auth.unauthorized(List.of("Basic realm=\"reg\""), new java.util.TreeSet<>(), "a", null));
        assertTrue(server.requests.isEmpty());
    }

    @Test
    void aRegistryAskingForBearerGetsAnAccessTokenFromTheIdentityToken() {
        Authenticator auth = new Authenticator("reg.example", CredentialStore.of(IDENTITY), tokens);
        auth.learn(List.of("Bearer realm=\"" + server.realm() + "\",service=\"reg\""));
        assertEquals("Bearer acc-1", auth.authorization(new java.util.TreeSet<>(List.of("repository:a:pull")), "a"));
        assertEquals("POST", server.requests.get(0).method());
    }
}
