package dev.kiln.registry.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How kiln takes the token server's answers: busy answers (5xx, 429) are retried, three tries in
 * all; refusals and other statuses end at once in one line that says whose access was refused and
 * never the password; either token field is accepted; requests waiting for the same token share one
 * fetch; debug output shows the request without query, credentials or token.
 */
class TokenServerAnswerTest {
    static final Credentials ALICE = new Credentials("alice", "pw-ANSWER-SECRET");
    TokenServer server;
    BearerTokens tokens;
    final List<String> debug = Collections.synchronizedList(new ArrayList<>());
    Challenge challenge;

    @BeforeEach
    void start() throws Exception {
        server = new TokenServer();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        tokens = new BearerTokens(http, Duration.ofSeconds(10), uri -> true, debug::add, "kiln-test", new ManualClock());
        challenge = new Challenge("Bearer", Map.of("realm", server.realm(), "service", "reg"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    String token(Credentials c) {
        return tokens.token(challenge, List.of("repository:a:pull"), c);
    }

    @Test
    void busyAnswersAreRetriedUpToThreeTries() {
        server.answer = (ex, n) -> {
            if (n == 1) {
                TokenServer.json(ex, 503, "{}");
            } else if (n == 2) {
                TokenServer.json(ex, 429, "{}");
            } else {
                TokenServer.json(ex, 200, "{\"token\":\"tok-" + n + "\"}");
            }
        };
        assertEquals("tok-3", token(ALICE));
        assertEquals(3, server.requests.size());
    }

    @Test
    void aServerThatStaysBrokenIsGivenUpAfterThreeTries() {
        server.answer = (ex, n) -> TokenServer.json(ex, 500, "{\"details\":\"" + ALICE.secret() + "\"}");
        CredentialsException e = assertThrows(CredentialsException.class, () -> token(ALICE));
        assertEquals(3, server.requests.size());
        assertTrue(e.getMessage().contains("after 3 tries") && e.getMessage().contains("HTTP 500"), e.getMessage());
        assertFalse(e.getMessage().contains(ALICE.secret()), e.getMessage());
    }

    @Test
    void refusalsEndAtOnceSayingWhoseAccessWasRefused() {
        server.answer = (ex, n) -> TokenServer.json(ex, n == 1 ? 401 : 403, "{}");
        CredentialsException user = assertThrows(CredentialsException.class, () -> token(ALICE));
        assertTrue(user.getMessage().contains("refused the credentials of user alice"), user.getMessage());
        assertFalse(user.getMessage().contains(ALICE.secret()), user.getMessage());
        CredentialsException anonymous = assertThrows(CredentialsException.class, () -> token(null));
        assertTrue(anonymous.getMessage().contains("refused anonymous access"), anonymous.getMessage());
        assertEquals(2, server.requests.size(), "no retry");
    }

    @Test
    void anyOtherStatusOrABadBodyIsAnErrorWithoutRetry() {
        server.answer = (ex, n) -> TokenServer.json(ex, 404, "{}");
        assertTrue(assertThrows(CredentialsException.class, () -> token(null)).getMessage().contains("answered HTTP 404"));
        server.answer = (ex, n) -> TokenServer.json(ex, 200, "not json " + ALICE.secret());
        CredentialsException notJson = assertThrows(CredentialsException.class, () -> token(null));
        assertTrue(notJson.getMessage().contains("not JSON"), notJson.getMessage());
        assertFalse(notJson.getMessage().contains(ALICE.secret()), notJson.getMessage());
        server.answer = (ex, n) -> TokenServer.json(ex, 200, "{\"token\":\"\",\"access_token\":7}");
        assertTrue(assertThrows(CredentialsException.class, () -> token(null)).getMessage().contains("without a token"));
        assertEquals(3, server.requests.size());
    }

    @Test
    void theTokenFieldWinsOverAccessTokenAndAnEmptyOneIsSkipped() {
        server.answer = (ex, n) -> TokenServer.json(ex, 200, "{\"token\":\"t-" + n + "\",\"access_token\":\"a-" + n + "\"}");
        assertEquals("t-1", token(null));
        server.answer = (ex, n) -> TokenServer.json(ex, 200, "{\"token\":\"\",\"access_token\":\"a-" + n + "\"}");
        assertEquals("a-2", token(ALICE));
    }

    @Test
    void requestsWaitingForTheSameTokenShareOneFetch() throws Exception {
        CountDownLatch arrived = new CountDownLatch(1);
        server.answer = (ex, n) -> {
            arrived.countDown();
            try {
                Thread.sleep(300); // the other requests queue up meanwhile
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            TokenServer.json(ex, 200, "{\"token\":\"tok-" + n + "\"}");
        };
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> got = new ArrayList<>();
            got.add(pool.submit(() -> token(ALICE)));
            assertTrue(arrived.await(10, TimeUnit.SECONDS));
            for (int i = 0; i < 3; i++) {
                got.add(pool.submit(() -> token(ALICE)));
            }
            for (Future<String> f : got) {
                assertEquals("tok-1", f.get(10, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, server.requests.size());
    }

    @Test
    void debugOutputShowsTheRequestButNoSecret() {
        Challenge withQuery = new Challenge("Bearer", Map.of("realm", server.realm() + "?account=alice&sig=QUERYSECRET", "service", "reg"));
        String token = tokens.token(withQuery, List.of("repository:a:pull"), ALICE);
        assertEquals(List.of("> GET " + server.realm() + " (token for repository:a:pull)", "< 200 from token server"), debug);
        for (String line : debug) {
            assertFalse(line.contains(ALICE.secret()) || line.contains(ALICE.toBase64()) || line.contains(token)
                    || line.contains("QUERYSECRET"), line);
        }
        assertTrue(tokens.toString().contains("1 cached") && !tokens.toString().contains(token), tokens.toString());
    }
}
