package dev.kiln.registry.auth;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A token server on 127.0.0.1 for the auth tests: records every request (method, query, headers,
 * body) and answers with what {@link #answer} says; by default a fresh token per request
 * ({@code tok-1}, {@code tok-2}, ...). Stops on close; its threads are daemons.
 */
final class TokenServer implements AutoCloseable {
    interface Answer {
        /** Writes the answer; {@code n} counts requests from 1. */
        void write(HttpExchange ex, int n) throws IOException;
    }

    record Request(String method, String path, String rawQuery, Map<String, List<String>> headers, String body) {
        String header(String name) {
            for (var e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }

        /** The query's (GET) or form body's (POST) parameters, decoded; the last value of a name wins. */
        Map<String, String> params() {
            Map<String, String> out = new LinkedHashMap<>();
            String s = method.equals("POST") ? body : rawQuery;
            if (s == null || s.isEmpty()) {
                return out;
            }
            for (String p : s.split("&")) {
                int eq = p.indexOf('=');
                String name = URLDecoder.decode(eq < 0 ? p : p.substring(0, eq), StandardCharsets.UTF_8);
                out.put(name, eq < 0 ? "" : URLDecoder.decode(p.substring(eq + 1), StandardCharsets.UTF_8));
            }
            return out;
        }
    }

    final List<Request> requests = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "token-server");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger count = new AtomicInteger();
    volatile Answer answer = (ex, n) -> json(ex, 200, "{\"token\":\"tok-" + n + "\",\"expires_in\":300}");

    TokenServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.createContext("/", ex -> {
            try (ex) {
                String body;
                try (InputStream in = ex.getRequestBody()) {
                    body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                URI uri = ex.getRequestURI();
                requests.add(new Request(ex.getRequestMethod(), uri.getRawPath(), uri.getRawQuery(),
                        Map.copyOf(ex.getRequestHeaders()), body));
                answer.write(ex, count.incrementAndGet());
            }
        });
        server.setExecutor(pool);
        server.start();
    }

    /** {@code http://127.0.0.1:PORT/token}. */
    String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    static void json(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            ex.getResponseBody().write(b);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
