package dev.kiln.registry;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * An HTTP/1.1 proxy on 127.0.0.1 in front of a real registry that injects faults by rule: drop the
 * connection half-way through a request body (nothing reaches the registry, as with a buffering
 * load balancer), answer with a status of its own (500, 503, 429 with Retry-After, 416), or pass
 * the registry's answer on with a false {@code Docker-Content-Digest}. On the way back it can cut
 * an answer's body off at a random point (a reset), send fewer bytes than its Content-Length and
 * close, stall half-way through the body, or drop a request's {@code Range} header (so the registry
 * answers 200 with the whole blob). It can also play a token
 * server in front of the registry (Bearer auth with tokens that can be expired mid-push). Every
 * request is recorded. One request per connection ({@code Connection: close}). Closes itself after
 * ten minutes at the latest.
 */
final class FaultProxy implements AutoCloseable {
    enum Action { DROP_MID_BODY, RESPOND, LIE_DIGEST, RESET_MID_RESPONSE, TRUNCATE_RESPONSE, STALL_MID_RESPONSE, IGNORE_RANGE, DELAY }

    private static final class Rule {
        final String method;
        final Pattern path;
        final Action action;
        final int status;
        final Map<String, String> headers;
        long stallMillis;
        int skip;
        int times;

        Rule(String method, String pathRegex, Action action, int skip, int times, int status, Map<String, String> headers) {
            this.method = method;
            this.path = Pattern.compile(pathRegex);
            this.action = action;
            this.skip = skip;
            this.times = times;
            this.status = status;
            this.headers = headers;
        }
    }

    record Seen(String method, String target, String fault) {
    }

    private final java.util.Random random = new java.util.Random(Long.getLong("kiln.faultSeed", 20261128L));
    private final String upstream;
    private final ServerSocket server;
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fault-proxy");
        t.setDaemon(true);
        return t;
    });

    // token server mode
    private volatile String credentials;
    private final Set<String> validTokens = ConcurrentHashMap.newKeySet();
    final AtomicInteger tokensIssued = new AtomicInteger();
    private final AtomicInteger expireAfter = new AtomicInteger(-1);

    FaultProxy(String upstream) throws IOException {
        this.upstream = upstream;
        this.server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        pool.execute(this::acceptLoop);
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(600_000);
            } catch (InterruptedException e) {
                return;
            }
            close();
        }, "fault-proxy-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** Drops the connection half-way through the body of matching requests, after {@code skip} have passed. */
    FaultProxy drop(String method, String pathRegex, int skip, int times) {
        rules.add(new Rule(method, pathRegex, Action.DROP_MID_BODY, skip, times, 0, Map.of()));
        return this;
    }

    /** Answers matching requests itself (the registry never sees them). */
    FaultProxy respond(String method, String pathRegex, int skip, int times, int status, String... headers) {
        Map<String, String> h = new LinkedHashMap<>();
        for (int i = 0; i + 1 < headers.length; i += 2) {
            h.put(headers[i], headers[i + 1]);
        }
        rules.add(new Rule(method, pathRegex, Action.RESPOND, skip, times, status, h));
        return this;
    }

    /** Passes matching requests on, but answers with a false Docker-Content-Digest. */
    FaultProxy lieAboutDigest(String method, String pathRegex, int skip, int times) {
        rules.add(new Rule(method, pathRegex, Action.LIE_DIGEST, skip, times, 0, Map.of()));
        return this;
    }

    /** Passes matching requests on and resets the connection at a random point of the answer's body. */
    FaultProxy resetMidResponse(String method, String pathRegex, int skip, int times) {
        rules.add(new Rule(method, pathRegex, Action.RESET_MID_RESPONSE, skip, times, 0, Map.of()));
        return this;
    }

    /** Passes matching requests on, sends a random part of the answer's body (less than its Content-Length) and closes. */
    FaultProxy truncateResponse(String method, String pathRegex, int skip, int times) {
        rules.add(new Rule(method, pathRegex, Action.TRUNCATE_RESPONSE, skip, times, 0, Map.of()));
        return this;
    }

    /** Passes matching requests on, and goes silent for {@code millis} at a random point of the body, then closes. */
    FaultProxy stallMidResponse(String method, String pathRegex, int skip, int times, long millis) {
        Rule r = new Rule(method, pathRegex, Action.STALL_MID_RESPONSE, skip, times, 0, Map.of());
        r.stallMillis = millis;
        rules.add(r);
        return this;
    }

    /** Passes matching requests on after waiting {@code millis}: a slow registry that answers in the end. */
    FaultProxy delay(String method, String pathRegex, int skip, int times, long millis) {
        Rule r = new Rule(method, pathRegex, Action.DELAY, skip, times, 0, Map.of());
        r.stallMillis = millis;
        rules.add(r);
        return this;
    }

    /** Passes matching requests on without their Range header (the registry answers 200, the whole blob). */
    FaultProxy ignoreRange(String method, String pathRegex, int skip, int times) {
        rules.add(new Rule(method, pathRegex, Action.IGNORE_RANGE, skip, times, 0, Map.of()));
        return this;
    }

    /** Requires Bearer tokens from its own {@code /token} realm, issued for {@code user:password}. */
    FaultProxy requireTokens(String userColonPassword) {
        this.credentials = "Basic " + Base64.getEncoder().encodeToString(userColonPassword.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** Every token stops working after {@code n} more authorized requests (an expiry mid-push). */
    void expireTokensAfter(int n) {
        expireAfter.set(n);
    }

    long count(String method, String targetRegex) {
        Pattern p = Pattern.compile(targetRegex);
        return seen.stream().filter(s -> s.method.equals(method) && p.matcher(s.target).find()).count();
    }

    long faults(String fault) {
        return seen.stream().filter(s -> fault.equals(s.fault)).count();
    }

    /** Every fault injected so far (requests answered or passed on with a fault, tokens and 401s not counted). */
    long faults() {
        return seen.stream().filter(s -> s.fault != null && !s.fault.equals("token") && !s.fault.equals("401")).count();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                pool.execute(() -> serve(client));
            } catch (IOException | java.util.concurrent.RejectedExecutionException e) {
                return; // closed
            }
        }
    }

    private record Head(String method, String target, String version, List<String[]> headers) {
        String header(String name) {
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    return h[1];
                }
            }
            return null;
        }

        String path() {
            int q = target.indexOf('?');
            return q < 0 ? target : target.substring(0, q);
        }
    }

    private synchronized Rule match(Head head) {
        for (Rule r : rules) {
            if (r.times > 0 && r.method.equals(head.method) && r.path.matcher(head.path()).matches()
                    && (r.action != Action.IGNORE_RANGE || head.header("Range") != null)) {
                if (r.skip > 0) {
                    r.skip--;
                    continue;
                }
                r.times--;
                return r;
            }
        }
        return null;
    }

    private void serve(Socket client) {
        try (client) {
            client.setSoTimeout(120_000);
            InputStream in = new BufferedInputStream(client.getInputStream());
            OutputStream out = client.getOutputStream();
            Head head = readRequestHead(in);
            if (head == null) {
                return;
            }
            long length = head.header("Content-Length") == null ? 0 : Long.parseLong(head.header("Content-Length").trim());
            if (head.header("Transfer-Encoding") != null) {
                throw new IOException("chunked request bodies are not supported by this test proxy");
            }
            Rule rule = match(head);
            if (rule != null && rule.action == Action.DROP_MID_BODY) {
                in.readNBytes((int) (length / 2));
                seen.add(new Seen(head.method, head.target, "drop"));
                client.setSoLinger(true, 0); // reset, as a dying load balancer would
                return;
            }
            byte[] body = in.readNBytes((int) length);
            if (rule != null && rule.action == Action.RESPOND) {
                seen.add(new Seen(head.method, head.target, "status " + rule.status));
                respond(out, rule.status, rule.headers, rule.status >= 400 ? errorBody(rule.status) : "");
                return;
            }
            if (credentials != null && !authorized(head, out)) {
                return;
            }
            seen.add(new Seen(head.method, head.target, rule == null ? null : switch (rule.action) {
                case LIE_DIGEST -> "lie";
                case RESET_MID_RESPONSE -> "reset";
                case TRUNCATE_RESPONSE -> "truncate";
                case STALL_MID_RESPONSE -> "stall";
                case IGNORE_RANGE -> "ignore range";
                case DELAY -> "delay";
                default -> "other";
            }));
            if (rule != null && rule.action == Action.DELAY) {
                try {
                    Thread.sleep(rule.stallMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            forward(head, body, client, rule);
        } catch (IOException | RuntimeException e) {
            // the client or the registry went away; the test sees the effect
        }
    }

    /** Token-server mode: answers /token, and 401 for requests without a valid token. */
    private boolean authorized(Head head, OutputStream out) throws IOException {
        if (head.path().equals("/token")) {
            seen.add(new Seen(head.method, head.target, "token"));
            if (!credentials.equals(head.header("Authorization"))) {
                respond(out, 401, Map.of("Content-Type", "application/json"), "{\"details\":\"incorrect username or password\"}");
                return false;
            }
            String token = "proxy-token-" + tokensIssued.incrementAndGet() + "-" + Long.toHexString(System.nanoTime());
            validTokens.add(token);
            respond(out, 200, Map.of("Content-Type", "application/json"), "{\"token\":\"" + token + "\",\"expires_in\":300}");
            return false;
        }
        String auth = head.header("Authorization");
        boolean ok = auth != null && auth.startsWith("Bearer ") && validTokens.contains(auth.substring(7));
        if (ok && expireAfter.get() >= 0 && expireAfter.getAndDecrement() == 0) {
            validTokens.clear();
            ok = false;
        }
        if (!ok) {
            seen.add(new Seen(head.method, head.target, "401"));
            String repo = head.path().replaceFirst("^/v2/(.+?)/(blobs|manifests|tags)/.*$", "$1");
            String scope = repo.equals(head.path()) ? "" : ",scope=\"repository:" + repo + ":pull,push\"";
            respond(out, 401, Map.of("WWW-Authenticate", "Bearer realm=\"http://" + address() + "/token\",service=\"fault-proxy\"" + scope,
                    "Content-Type", "application/json"), "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}");
        }
        return ok;
    }

    private void forward(Head head, byte[] body, Socket client, Rule rule) throws IOException {
        OutputStream out = client.getOutputStream();
        Action action = rule == null ? null : rule.action;
        boolean lie = action == Action.LIE_DIGEST;
        String[] hp = upstream.split(":");
        try (Socket up = new Socket(hp[0], Integer.parseInt(hp[1]))) {
            up.setSoTimeout(120_000);
            StringBuilder req = new StringBuilder(head.method + " " + head.target + " HTTP/1.1\r\n");
            for (String[] h : head.headers) {
                String n = h[0].toLowerCase(Locale.ROOT);
                if (n.equals("connection") || n.equals("keep-alive") || (credentials != null && n.equals("authorization"))
                        || (action == Action.IGNORE_RANGE && n.equals("range"))) {
                    continue;
                }
                req.append(h[0]).append(": ").append(h[1]).append("\r\n");
            }
            req.append("Connection: close\r\n\r\n");
            OutputStream upOut = up.getOutputStream();
            upOut.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            upOut.write(body);
            upOut.flush();
            InputStream upIn = new BufferedInputStream(up.getInputStream());
            String status = readLine(upIn);
            if (status == null) {
                return;
            }
            StringBuilder resp = new StringBuilder(status).append("\r\n");
            long contentLength = -1;
            for (String line; (line = readLine(upIn)) != null && !line.isEmpty(); ) {
                String n = line.substring(0, Math.max(line.indexOf(':'), 0)).trim().toLowerCase(Locale.ROOT);
                if (n.equals("content-length")) {
                    contentLength = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                }
                if (n.equals("connection") || n.equals("keep-alive")) {
                    continue;
                }
                if (lie && n.equals("docker-content-digest")) {
                    line = "Docker-Content-Digest: sha256:" + "0".repeat(64);
                }
                resp.append(line).append("\r\n");
            }
            resp.append("Connection: close\r\n\r\n");
            out.write(resp.toString().getBytes(StandardCharsets.ISO_8859_1));
            boolean cut = action == Action.RESET_MID_RESPONSE || action == Action.TRUNCATE_RESPONSE || action == Action.STALL_MID_RESPONSE;
            if (!cut || contentLength < 2) {
                upIn.transferTo(out);
                out.flush();
                return;
            }
            long at;
            synchronized (random) {
                at = 1 + (long) (random.nextDouble() * (contentLength - 1)); // 1 .. length-1 bytes get through
            }
            byte[] part = upIn.readNBytes((int) Math.min(at, Integer.MAX_VALUE));
            out.write(part);
            out.flush();
            if (action == Action.STALL_MID_RESPONSE) {
                try {
                    Thread.sleep(rule.stallMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            } else if (action == Action.RESET_MID_RESPONSE) {
                client.setSoLinger(true, 0); // a reset: the client sees the connection die mid-body
            }
        }
    }

    private static String errorBody(int status) {
        String code = switch (status) {
            case 429 -> "TOOMANYREQUESTS";
            case 416 -> "RANGE_INVALID";
            case 400 -> "MANIFEST_INVALID";
            default -> "UNAVAILABLE";
        };
        return "{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"injected by the fault proxy\"}]}";
    }

    private static void respond(OutputStream out, int status, Map<String, String> headers, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder r = new StringBuilder("HTTP/1.1 " + status + " Injected\r\n");
        headers.forEach((k, v) -> r.append(k).append(": ").append(v).append("\r\n"));
        if (b.length > 0 && !headers.containsKey("Content-Type")) {
            r.append("Content-Type: application/json\r\n");
        }
        r.append("Content-Length: ").append(b.length).append("\r\nConnection: close\r\n\r\n");
        out.write(r.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(b);
        out.flush();
    }

    private static Head readRequestHead(InputStream in) throws IOException {
        String line = readLine(in);
        if (line == null || line.isEmpty()) {
            return null;
        }
        String[] parts = line.split(" ");
        List<String[]> headers = new ArrayList<>();
        for (String h; (h = readLine(in)) != null && !h.isEmpty(); ) {
            int colon = h.indexOf(':');
            headers.add(new String[] {h.substring(0, colon).trim(), h.substring(colon + 1).trim()});
        }
        return new Head(parts[0], parts[1], parts.length > 2 ? parts[2] : "HTTP/1.1", headers);
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = in.read()) != -1; ) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        pool.shutdownNow();
    }
}
