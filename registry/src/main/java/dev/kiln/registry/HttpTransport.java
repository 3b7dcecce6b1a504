package dev.kiln.registry;

import dev.kiln.layout.Hint;
import dev.kiln.layout.json.Json;
import dev.kiln.registry.auth.Authenticator;
import dev.kiln.registry.auth.CredentialsException;
import dev.kiln.registry.auth.KnownSecrets;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * Sends the requests of one registry client: adds the Authorization header (to the registry's own
 * origin only, never over plain HTTP to a host that is not loopback), answers 401 challenges, follows
 * redirects of GET and HEAD, and tries again with backoff on 5xx, 429 ({@code Retry-After}) and
 * connection failures when the request may be repeated. Logs every exchange, redacted.
 */
final class HttpTransport {
    static final int MAX_ERROR_BODY = 64 * 1024;
    private static final int MAX_REDIRECTS = 5;
    private static final int MAX_AUTH_RETRIES = 2;

    private final String registry;
    private final HttpClient http;
    private final RegistryOptions options;
    private final Authenticator auth;
    private volatile URI base;
    private volatile boolean closed;

    HttpTransport(String registry, HttpClient http, RegistryOptions options, Authenticator auth) {
        this.registry = registry;
        this.http = http;
        this.options = options;
        this.auth = auth;
    }

    void base(URI uri) {
        this.base = uri;
    }

    URI base() {
        return base;
    }

    String registry() {
        return registry;
    }

    RegistryOptions options() {
        return options;
    }

    Authenticator auth() {
        return auth;
    }

    /** Sends, trying again per the retry policy when the call is repeatable; failures become RegistryExceptions. */
    HttpAnswer send(HttpCall c) {
        try {
            return exchange(c, c.repeatable);
        } catch (IOException e) {
            throw connectionFailure(c, e, c.repeatable ? options.retry().maxAttempts() : 1);
        }
    }

    /** Sends once (still answering 401s and following redirects); connection failures are thrown. */
    HttpAnswer sendOnce(HttpCall c) throws IOException {
        return exchange(c, false);
    }

    /**
     * Sends once, anonymously, giving up after {@code deadline} even in a TLS handshake that never
     * ends (a plain-HTTP server that waits for a request line). Only an error body is read, at most
     * {@link #MAX_ERROR_BODY} bytes and within the same deadline; a 2xx or 401 body is not needed (the
     * ping learns from the status and headers) and is discarded unread.
     */
    HttpAnswer probe(HttpCall c, Duration deadline) throws IOException {
        refuseIfClosed(c);
        long start = System.nanoTime();
        HttpRequest request = build(c, c.uri, null);
        log("> " + c.method + " " + Redaction.url(c.uri));
        CompletableFuture<HttpResponse<InputStream>> future = http.sendAsync(request, BodyStream.handler(options.readTimeout()));
        try {
            HttpResponse<InputStream> r = future.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
            int status = r.statusCode();
            rememberSecrets(r.headers());
            byte[] body;
            try (InputStream in = r.body()) {
                if (status >= 200 && status < 300 || status == 401) {
                    body = new byte[0];
                } else {
                    Duration left = deadline.minusNanos(System.nanoTime() - start);
                    ((BodyStream) in).deadline(left.isNegative() ? Duration.ZERO : left);
                    body = in.readNBytes(MAX_ERROR_BODY);
                }
            }
            HttpAnswer response = new HttpAnswer(status, r.headers(), c.uri, body, null);
            log("< " + status + " " + c.method + " " + Redaction.url(c.uri) + ExchangeLog.response(response));
            return response;
        } catch (TimeoutException e) {
            future.cancel(true);
            IOException timeout = new HttpTimeoutException("no answer within " + deadline.toMillis() + " ms");
            log("! " + c.method + " " + Redaction.url(c.uri) + ": " + ConnectionProblems.describe(timeout));
            throw timeout;
        } catch (ExecutionException e) {
            IOException io = e.getCause() instanceof IOException x ? x : new IOException(e.getCause());
            log("! " + c.method + " " + Redaction.url(c.uri) + ": " + ConnectionProblems.describe(io));
            throw io;
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
    }

    /** After this the client's selector thread is gone: a request would never be answered, so none is sent. */
    void markClosed() {
        closed = true;
    }

    private void refuseIfClosed(HttpCall c) {
        if (closed) {
            throw new IllegalStateException("registry " + registry + ": " + c.what + ": the client was closed");
        }
    }

    private HttpAnswer exchange(HttpCall c, boolean retry) throws IOException {
        refuseIfClosed(c);
        RetryPolicy policy = options.retry();
        Set<String> scopes = new TreeSet<>(c.scopes);
        URI uri = c.uri;
        int attempt = 1;
        int authRetries = 0;
        int redirects = 0;
        while (true) {
            boolean ownOrigin = Hosts.sameOrigin(uri, base);
            String authorization = c.authenticate && ownOrigin ? authorization(c, scopes) : null;
            if (authorization != null && !Hosts.mayCarryCredentials(uri) && auth.usesCredentials(c.repository)) {
                throw new RegistryException("registry " + registry + ": refusing to send credentials over plain HTTP to "
                        + uri.getHost() + " (not a loopback address); use HTTPS");
            }
            HttpRequest request = build(c, uri, authorization);
            log("> " + c.method + " " + Redaction.url(uri) + ExchangeLog.request(request));
            HttpResponse<InputStream> r;
            try {
                r = http.send(request, BodyStream.handler(options.readTimeout()));
            } catch (IOException e) {
                log("! " + c.method + " " + Redaction.url(uri) + ": " + ConnectionProblems.describe(e));
                if (retry && attempt < policy.maxAttempts() && ConnectionProblems.isTransient(e)) {
                    pause(c, attempt, policy.backoff(attempt), ConnectionProblems.describe(e));
                    attempt++;
                    continue;
                }
                throw e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted");
            }
            int status = r.statusCode();
            rememberSecrets(r.headers());
            boolean streamIt = c.stream && status >= 200 && status < 300;
            byte[] body = null;
            if (!streamIt) {
                int limit = bodyLimit(c, status);
                try (InputStream in = r.body()) {
                    if (limit > 0 || isEmpty(c.method, status, r.headers())) {
                        ((BodyStream) in).deadline(c.timeout != null ? c.timeout : options.requestTimeout());
                        body = in.readNBytes(Math.max(limit, 1));
                    } else {
                        body = new byte[0]; // not needed: closing the stream discards it unread
                    }
                } catch (IOException e) {
                    // cut off, truncated or stalled half-way through the body: like a failed connection
                    log("! " + c.method + " " + Redaction.url(uri) + ": HTTP " + status + ", body cut off: " + ConnectionProblems.describe(e));
                    if (retry && attempt < policy.maxAttempts() && ConnectionProblems.isTransient(e)) {
                        pause(c, attempt, policy.backoff(attempt), "body cut off: " + ConnectionProblems.describe(e));
                        attempt++;
                        continue;
                    }
                    throw e;
                }
            }
            HttpAnswer response = new HttpAnswer(status, r.headers(), uri, body, streamIt ? r.body() : null);
            log("< " + status + " " + c.method + " " + Redaction.url(uri) + ExchangeLog.response(response));
            if (status == 401 && c.authenticate && ownOrigin && authRetries < MAX_AUTH_RETRIES) {
                boolean again = auth.unauthorized(r.headers().allValues("WWW-Authenticate"), scopes, c.repository, authorization);
                if (again) {
                    authRetries++;
                    continue;
                }
            }
            if (isRedirect(status) && (c.method.equals("GET") || c.method.equals("HEAD")) && redirects < MAX_REDIRECTS) {
                Optional<String> location = response.header("Location");
                if (location.isPresent()) {
                    response.discard();
                    uri = location(c, response, uri);
                    redirects++;
                    continue;
                }
            }
            if (retry && attempt < policy.maxAttempts() && isRetryableStatus(status) && !isDefinite(response)) {
                Duration asked = RetryAfter.parse(response.header("Retry-After").orElse(null), Instant.now()).orElse(null);
                Duration wait = status == 429 || status == 503 ? policy.waitFor(asked, attempt) : policy.backoff(attempt);
                response.discard();
                pause(c, attempt, wait, "HTTP " + status);
                attempt++;
                continue;
            }
            return response;
        }
    }

    /**
     * How much of a body to read into memory: a 2xx body only when the call wants one (up to its
     * {@code maxBody}, one byte more to notice a longer one), an error body up to
     * {@link #MAX_ERROR_BODY} (its error codes are used), a redirect's body never.
     */
    private static int bodyLimit(HttpCall c, int status) {
        if (status >= 200 && status < 300) {
            return c.maxBody == 0 ? 0 : c.maxBody + 1;
        }
        return status >= 400 ? MAX_ERROR_BODY : 0;
    }

    /** An answer that has no body: reading its end costs nothing, and keeps the connection for the next request. */
    private static boolean isEmpty(String method, int status, HttpHeaders h) {
        return method.equals("HEAD") || status == 204 || status == 304
                || h.firstValue("Content-Length").map(String::trim).filter("0"::equals).isPresent();
    }

    /**
     * The URL an answer's {@code Location} names, resolved against the request's; {@code otherwise}
     * when it has none. A Location kiln cannot follow ({@code file:}, {@code javascript:}, no host) is
     * the registry's error: it fails the call in one line naming the registry, repository and request.
     */
    URI location(HttpCall c, HttpAnswer r, URI otherwise) {
        Optional<String> l = r.header("Location");
        if (l.isEmpty()) {
            return otherwise;
        }
        try {
            return Locations.resolve(r.uri(), l.get());
        } catch (IllegalArgumentException e) {
            r.discard();
            throw new RegistryException(prefix(c) + c.what + " failed: the registry answered HTTP " + r.status() + " with a "
                    + RegistryError.clean(e.getMessage()), r.status(), List.of(), null);
        }
    }

    private RegistryException unusableUri(HttpCall c, URI uri, IllegalArgumentException e) {
        return new RegistryException(prefix(c) + c.what + " failed: cannot send a request to " + Redaction.url(uri)
                + " (" + RegistryError.clean(e.getMessage()) + ")", 0, List.of(), null);
    }

    private String prefix(HttpCall c) {
        return "registry " + registry + (c.repository == null ? "" : ", repository " + c.repository) + ": ";
    }

    /** Opaque values of an answer's Location (upload states, storage signatures) are secrets from now on. */
    private static void rememberSecrets(HttpHeaders h) {
        h.allValues("Location").forEach(Redaction::rememberOpaqueValues);
    }

    private String authorization(HttpCall c, Set<String> scopes) {
        try {
            return auth.authorization(scopes, c.repository);
        } catch (CredentialsException e) {
            throw new RegistryException("registry " + registry + (c.repository == null ? "" : ", repository " + c.repository)
                    + ": " + c.what + ": " + e.getMessage(), 401, List.of(), e);
        }
    }

    /** The request; a URL the JDK's client refuses (no host it accepts, another scheme) fails the call in one line. */
    private HttpRequest build(HttpCall c, URI uri, String authorization) {
        HttpRequest.Builder b;
        try {
            b = HttpRequest.newBuilder(uri);
        } catch (IllegalArgumentException e) {
            throw unusableUri(c, uri, e);
        }
        b.timeout(c.timeout != null ? c.timeout : options.requestTimeout());
        c.headers.forEach(b::header);
        b.header("User-Agent", options.userAgent());
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        HttpRequest.BodyPublisher publisher = c.publisher != null ? c.publisher.get()
                : c.body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(c.body, c.offset, c.length);
        return b.method(c.method, publisher).build();
    }

    static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    static boolean isRetryableStatus(int status) {
        return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
    }

    /** An error answer whose codes say trying again cannot help, whatever its status (Distribution sends 500s like that). */
    static boolean isDefinite(HttpAnswer r) {
        return r.errors().stream().anyMatch(e -> switch (e.code()) {
            case BLOB_UNKNOWN, MANIFEST_BLOB_UNKNOWN, MANIFEST_INVALID, MANIFEST_UNVERIFIED, DIGEST_INVALID, NAME_INVALID,
                    NAME_UNKNOWN, SIZE_INVALID, TAG_INVALID, DENIED, UNAUTHORIZED, UNSUPPORTED -> true;
            default -> false;
        });
    }


    void pause(HttpCall c, int attempt, Duration wait, String reason) throws InterruptedIOException {
        options.progress().retrying(c.what, attempt, wait, reason);
        log("~ " + c.what + ": " + reason + ", try " + (attempt + 1) + " in " + wait.toMillis() + " ms");
        sleep(wait);
    }

    static void sleep(Duration wait) throws InterruptedIOException {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to try again");
        }
    }

    RegistryException connectionFailure(HttpCall c, IOException e, int tries) {
        return new RegistryException("registry " + registry + (c.repository == null ? "" : ", repository " + c.repository)
                + ": " + c.what + " failed: " + ConnectionProblems.describe(e) + (tries > 1 ? " (after " + tries + " tries)" : ""), 0, List.of(), e);
    }

    /** The error for an answer the caller cannot use; {@code hint} is appended when not null. */
    RegistryException failure(HttpCall c, HttpAnswer r, String hint) {
        return failure(c, r, hint, null);
    }

    /** As above, carrying {@code action}: what the user can do, worded by the command line. */
    RegistryException failure(HttpCall c, HttpAnswer r, String hint, Hint action) {
        List<RegistryError> errors = r.errors();
        StringBuilder m = new StringBuilder("registry ").append(registry);
        if (c.repository != null) {
            m.append(", repository ").append(c.repository);
        }
        m.append(": ").append(c.what).append(" failed: HTTP ").append(r.status());
        if (!errors.isEmpty()) {
            m.append(' ').append(errors.stream().map(RegistryError::toString).collect(Collectors.joining("; ")));
        }
        String authHint = authHint(c, r);
        if (authHint != null) {
            m.append(" (").append(authHint).append(')');
        }
        if (hint != null) {
            m.append("; ").append(hint);
        }
        return new RegistryException(m.toString(), r.status(), errors, null, action);
    }

    private String authHint(HttpCall c, HttpAnswer r) {
        if (r.status() != 401 && r.status() != 403) {
            return null;
        }
        Optional<String> user = auth.credentials(c.repository).map(x -> x.isIdentityToken() ? "with an identity token" : "for user " + x.username());
        if (r.status() == 401) {
            return user.map(u -> "authentication failed " + u + ": wrong user name or password?")
                    .orElse("authentication required: pass --creds USER:PASSWORD or log in");
        }
        return user.map(u -> "access denied " + u).orElse("anonymous access denied: pass --creds USER:PASSWORD or log in");
    }

    /** A debug line, with every known secret redacted (lines quote what the registry sent). */
    void log(String line) {
        if (options.debug() != null) {
            options.debug().accept(KnownSecrets.redact("registry " + registry + ": " + line));
        }
    }
}
