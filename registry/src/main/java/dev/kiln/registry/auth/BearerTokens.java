package dev.kiln.registry.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.layout.KilnException;
import dev.kiln.layout.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Bearer tokens of the distribution token protocol: fetched from the challenge's realm with its
 * service and the scopes needed ({@code repository:NAME:pull,push}), with Basic credentials when
 * there are some (or the OAuth2 refresh-token grant for identity tokens), cached per realm, service
 * and scope set until shortly before {@code expires_in}, and dropped when a registry refuses them.
 * Tokens never reach logs or messages.
 */
public final class BearerTokens {
    private static final int MAX_TOKEN_RESPONSE = 1 << 20;
    private static final int TRIES = 3;

    private final HttpClient http;
    private final Duration timeout;
    private final Predicate<URI> mayCarryCredentials;
    private final Consumer<String> debug;
    private final String userAgent;
    private final Clock clock;
    private final Map<String, Token> cache = new ConcurrentHashMap<>();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    private record Token(String value, Instant expires) {
        @Override
        public String toString() {
            return "Token[expires=" + expires + "]";
        }
    }

    /**
     * @param mayCarryCredentials false for realms that credentials must not travel to (plain HTTP to
     *                            a host that is not loopback)
     * @param debug               receives redacted lines, or null
     */
    public BearerTokens(HttpClient http, Duration timeout, Predicate<URI> mayCarryCredentials, Consumer<String> debug,
                        String userAgent, Clock clock) {
        this.http = http;
        this.timeout = timeout;
        this.mayCarryCredentials = mayCarryCredentials;
        this.debug = debug;
        this.userAgent = userAgent;
        this.clock = clock;
    }

    /** A valid token for these scopes, from the cache or the realm. */
    public String token(Challenge challenge, Collection<String> scopes, Credentials credentials) {
        String key = key(challenge, scopes, credentials);
        Token t = cache.get(key);
        if (t != null && clock.instant().isBefore(t.expires)) {
            return t.value;
        }
        synchronized (locks.computeIfAbsent(key, k -> new Object())) {
            t = cache.get(key);
            if (t != null && clock.instant().isBefore(t.expires)) {
                return t.value;
            }
            t = fetch(challenge, new TreeSet<>(scopes), credentials);
            cache.put(key, t);
            return t.value;
        }
    }

    /** Forgets a token the registry refused (expired or revoked). */
    public void invalidate(String token) {
        cache.values().removeIf(t -> t.value.equals(token));
    }

    private static String key(Challenge c, Collection<String> scopes, Credentials credentials) {
        return c.realm() + "|" + c.service() + "|" + String.join(" ", new TreeSet<>(scopes)) + "|"
                + (credentials == null ? "" : credentials.username());
    }

    private Token fetch(Challenge challenge, Set<String> scopes, Credentials credentials) {
        URI realmUri = realm(challenge.realm());
        if (credentials != null && !mayCarryCredentials.test(realmUri)) {
            throw new CredentialsException("refusing to send credentials over plain HTTP to token server " + realmUri.getHost()
                    + " (it is not a loopback address); the registry must use HTTPS for its token realm");
        }
        HttpRequest request = credentials != null && credentials.isIdentityToken()
                ? refreshRequest(realmUri, challenge.service(), scopes, credentials)
                : getRequest(realmUri, challenge.service(), scopes, credentials);
        IOException last = null;
        for (int attempt = 1; attempt <= TRIES; attempt++) {
            log("> " + request.method() + " " + realmUri.getScheme() + "://" + realmUri.getRawAuthority()
                    + realmUri.getRawPath() + " (token for " + String.join(" ", scopes) + ")");
            // headers and body within one deadline, the body read up to a limit: a token server that
            // streams forever or trickles gets neither the memory nor the time
            CompletableFuture<HttpResponse<byte[]>> future = http.sendAsync(request, BoundedBody.handler(MAX_TOKEN_RESPONSE));
            try {
                HttpResponse<byte[]> r = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                byte[] body = r.body();
                log("< " + r.statusCode() + " from token server");
                if (r.statusCode() >= 500 || r.statusCode() == 429) {
                    last = new IOException("HTTP " + r.statusCode());
                    sleep(attempt);
                    continue;
                }
                if (r.statusCode() == 401 || r.statusCode() == 403) {
                    throw new CredentialsException(credentials == null
                            ? "the token server " + realmUri.getHost() + " refused anonymous access (HTTP " + r.statusCode()
                            + "); pass --creds USER:PASSWORD or log in"
                            : "the token server " + realmUri.getHost() + " refused the credentials of user "
                            + credentials.username() + " (HTTP " + r.statusCode() + "): wrong user name or password?");
                }
                if (r.statusCode() != 200) {
                    throw new CredentialsException("the token server " + realmUri.getHost() + " answered HTTP " + r.statusCode());
                }
                if (body.length > MAX_TOKEN_RESPONSE) {
                    throw new CredentialsException("the token server " + realmUri.getHost() + " answered more than "
                            + MAX_TOKEN_RESPONSE + " bytes; a token answer is small");
                }
                return parse(body, realmUri);
            } catch (TimeoutException e) {
                future.cancel(true);
                last = new HttpTimeoutException("no complete answer within " + timeout.toMillis() + " ms");
                log("! token server: " + last.getMessage());
                sleep(attempt);
            } catch (ExecutionException e) {
                last = e.getCause() instanceof IOException io ? io : new IOException(String.valueOf(e.getCause()), e.getCause());
                sleep(attempt);
            } catch (InterruptedException e) {
                future.cancel(true);
                Thread.currentThread().interrupt();
                throw new CredentialsException("interrupted while getting a token from " + realmUri.getHost());
            }
        }
        throw new CredentialsException("cannot get a token from " + realmUri.getHost() + " after " + TRIES + " tries: "
                + (last == null ? "no answer" : last.getClass().getSimpleName() + ": " + last.getMessage()));
    }

    /**
     * The realm of a challenge as a URL kiln may ask for a token: {@code http} or {@code https} with a
     * host name. Anything else ({@code file:}, {@code javascript:}, {@code http://127.1:P}, which has no
     * host the HTTP client accepts) is refused in a message that quotes it.
     */
    static URI realm(String realm) {
        if (realm == null || realm.isBlank()) {
            throw new CredentialsException("the registry asks for a bearer token but names no token realm to get it from");
        }
        URI uri;
        try {
            uri = new URI(realm.trim());
        } catch (java.net.URISyntaxException e) {
            throw refused(realm, "not a valid URL");
        }
        String scheme = uri.getScheme();
        if (scheme == null || !scheme.equalsIgnoreCase("https") && !scheme.equalsIgnoreCase("http")) {
            throw refused(realm, "only http and https URLs are used");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw refused(realm, "no host name the HTTP client accepts");
        }
        if (uri.getRawUserInfo() != null) {
            throw refused(realm, "it holds a user name or password");
        }
        return uri;
    }

    private static CredentialsException refused(String realm, String why) {
        String shown = realm.replaceAll("[\\p{Cntrl}\\u0080-\\u009f]", "?");
        shown = shown.length() > 200 ? shown.substring(0, 200) + "..." : shown;
        return new CredentialsException("token realm '" + shown + "' refused: " + why);
    }

    private Token parse(byte[] body, URI realm) {
        ObjectNode node;
        try {
            node = Json.parseObject(body, "token response");
        } catch (KilnException e) {
            throw new CredentialsException("the token server " + realm.getHost() + " answered something that is not JSON");
        }
        String token = text(node, "token");
        if (token == null) {
            token = text(node, "access_token");
        }
        if (token == null) {
            throw new CredentialsException("the token server " + realm.getHost() + " answered without a token");
        }
        KnownSecrets.add(token);
        KnownSecrets.add(text(node, "access_token"));
        KnownSecrets.add(text(node, "refresh_token"));
        long expiresIn = node.path("expires_in").canConvertToLong() ? node.path("expires_in").asLong() : 60;
        expiresIn = Math.max(expiresIn, 1);
        Instant issued = clock.instant();
        // renew a little early, so a token does not run out between the check and the request
        long lifetimeMs = expiresIn * 1000 - Math.min(expiresIn * 100, 30_000);
        return new Token(token, issued.plusMillis(Math.max(lifetimeMs, 500)));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v != null && v.isTextual() && !v.textValue().isEmpty() ? v.textValue() : null;
    }

    private HttpRequest getRequest(URI realm, String service, Set<String> scopes, Credentials credentials) {
        StringBuilder q = new StringBuilder();
        if (service != null) {
            q.append("service=").append(enc(service));
        }
        for (String s : scopes) {
            q.append(q.length() == 0 ? "" : "&").append("scope=").append(enc(s));
        }
        String base = realm.toString();
        URI uri = URI.create(q.length() == 0 ? base : base + (realm.getRawQuery() == null ? "?" : "&") + q);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout).GET().header("User-Agent", userAgent);
        if (credentials != null) {
            b.header("Authorization", credentials.basicAuthorization());
        }
        return b.build();
    }

    private HttpRequest refreshRequest(URI realm, String service, Set<String> scopes, Credentials credentials) {
        String form = "grant_type=refresh_token&client_id=kiln"
                + (service == null ? "" : "&service=" + enc(service))
                + "&scope=" + enc(String.join(" ", scopes))
                + "&refresh_token=" + enc(credentials.secret());
        return HttpRequest.newBuilder(realm).timeout(timeout)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("User-Agent", userAgent)
                .POST(HttpRequest.BodyPublishers.ofString(form)).build();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private void log(String line) {
        if (debug != null) {
            debug.accept(line);
        }
    }

    private static void sleep(int attempt) {
        try {
            Thread.sleep(200L << attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "BearerTokens[" + cache.size() + " cached]";
    }
}
