package dev.kiln.registry.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A cached token is used until shortly before its {@code expires_in} (60 s when the server names
 * none, as the distribution token spec says), renewed early by a tenth of its lifetime but at most
 * 30 s, so that it does not run out between the check and the request.
 */
class TokenExpiryTest {
    static final List<String> PULL = List.of("repository:a:pull");
    TokenServer server;
    ManualClock clock;
    BearerTokens tokens;
    Challenge challenge;

    @BeforeEach
    void start() throws Exception {
        server = new TokenServer();
        clock = new ManualClock();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        tokens = new BearerTokens(http, Duration.ofSeconds(10), uri -> true, null, "kiln-test", clock);
        challenge = new Challenge("Bearer", Map.of("realm", server.realm(), "service", "reg"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    void expiresIn(String json) {
        server.answer = (ex, n) -> TokenServer.json(ex, 200, "{\"token\":\"tok-" + n + "\"" + json + "}");
    }

    String token() {
        return tokens.token(challenge, PULL, null);
    }

    @Test
    void aLongLivedTokenIsRenewedThirtySecondsBeforeItsEnd() {
        expiresIn(",\"expires_in\":3600");
        assertEquals("tok-1", token());
        clock.advance(Duration.ofSeconds(3569));
        assertEquals("tok-1", token());
        clock.advance(Duration.ofSeconds(2)); // 3571 s: within the last 30 s
        assertEquals("tok-2", token());
        assertEquals("tok-2", token());
    }

    @Test
    void aShortLivedTokenIsRenewedATenthBeforeItsEnd() {
        expiresIn(",\"expires_in\":100");
        assertEquals("tok-1", token());
        clock.advance(Duration.ofMillis(89_900));
        assertEquals("tok-1", token());
        clock.advance(Duration.ofMillis(200)); // 90.1 s
        assertEquals("tok-2", token());
    }

    @Test
    void withoutExpiresInATokenLivesSixtySeconds() {
        expiresIn("");
        assertEquals("tok-1", token());
        clock.advance(Duration.ofMillis(53_900));
        assertEquals("tok-1", token());
        clock.advance(Duration.ofMillis(200)); // 54.1 s: 60 s less a tenth
        assertEquals("tok-2", token());
    }

    @Test
    void anExpiresInThatIsNotANumberCountsAsAbsent() {
        expiresIn(",\"expires_in\":\"soon\"");
        assertEquals("tok-1", token());
        clock.advance(Duration.ofSeconds(50));
        assertEquals("tok-1", token());
        clock.advance(Duration.ofSeconds(5));
        assertEquals("tok-2", token());
    }

    @Test
    void aZeroOrNegativeLifetimeStillServesTheRequestThatAskedButNoLater() {
        for (String v : new String[] {"0", "-5"}) {
            expiresIn(",\"expires_in\":" + v);
            clock.advance(Duration.ofHours(1)); // whatever an earlier round cached is gone
            server.requests.clear();
            String first = token();
            assertEquals(first, token(), "usable at once (expires_in " + v + ")");
            clock.advance(Duration.ofSeconds(1));
            String second = token();
            assertEquals(2, server.requests.size(), "renewed a second later (expires_in " + v + "): " + first + " " + second);
        }
    }
}
