package dev.kiln.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A scripted HTTP server for registry security tests, on a loopback address of its own: each
 * instance listens on {@code 127.0.0.N} (N from 2 up), so several of them stand for different hosts
 * (a registry, its token server, a storage host it redirects to) without leaving the machine. Every
 * request is logged with its headers and body, so a test can check where credentials went. A
 * handler answers each request; {@link Exchange} has the answers a hostile registry gives: an error
 * that quotes the request back ({@link Exchange#echo}), a body that never ends
 * ({@link Exchange#endless}), one that trickles. Threads are daemons; {@link #close} stops it.
 *
 * <pre>
 * try (HostileRegistry r = HostileRegistry.start(2, ex -> ex.echo(401))) { ... r.address() ... r.requests() ... }
 * </pre>
 */
public final class HostileRegistry implements AutoCloseable {
    /** Answers one request. */
    public interface Handler {
        void handle(Exchange exchange) throws IOException;
    }

    /** A request as the server saw it. */
    public record Request(String host, String method, String uri, Map<String, List<String>> headers, byte[] body) {
        /** The first value of a header, any case, or null. */
        public String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }

        public String authorization() {
            return header("Authorization");
        }

        public String path() {
            int q = uri.indexOf('?');
            return q < 0 ? uri : uri.substring(0, q);
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return method + " " + host + uri + " " + headers.keySet();
        }
    }

    private final HttpServer server;
    private final ServerSocket front;
    private final String host;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicLong bytesSent = new AtomicLong();
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "hostile-registry");
        t.setDaemon(true);
        return t;
    });

    private HostileRegistry(int lastOctet, Handler handler) throws IOException {
        if (lastOctet < 2 || lastOctet > 254) {
            throw new IllegalArgumentException("127.0.0." + lastOctet + ": want 2..254");
        }
        this.host = "127.0.0." + lastOctet;
        InetAddress address = InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) lastOctet});
        server = HttpServer.create(new InetSocketAddress(address, 0), 50);
        front = new ServerSocket(0, 50, address);
        pool.execute(this::acceptLoop);
        server.createContext("/", ex -> {
            try (ex) {
                byte[] body;
                try (InputStream in = ex.getRequestBody()) {
                    body = in.readNBytes(16 << 20);
                }
                Request r = new Request(host, ex.getRequestMethod(), ex.getRequestURI().toString(),
                        copy(ex.getRequestHeaders()), body);
                requests.add(r);
                handler.handle(new Exchange(this, ex, r));
            } catch (IOException | RuntimeException e) {
                // the client went away (a cancelled endless body), or a handler failed on purpose
            }
        });
        server.setExecutor(pool);
        server.start();
    }

    /** A server on {@code 127.0.0.lastOctet} at a free port. */
    public static HostileRegistry start(int lastOctet, Handler handler) {
        try {
            return new HostileRegistry(lastOctet, handler);
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on 127.0.0." + lastOctet + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, List<String>> copy(Map<String, List<String>> headers) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        headers.forEach((k, v) -> out.put(k, List.copyOf(v)));
        return out;
    }

    /** {@code 127.0.0.N:PORT}, as in image references. */
    public String address() {
        return host + ":" + front.getLocalPort();
    }

    public int port() {
        return front.getLocalPort();
    }

    /**
     * The JDK's HttpServer never answers a TLS ClientHello; like Go's servers, the front answers one
     * with a plain 400 at once (so an HTTPS attempt fails fast, as against a real plain-HTTP registry)
     * and pipes everything else to the server.
     */
    private void acceptLoop() {
        while (!front.isClosed()) {
            try {
                Socket client = front.accept();
                pool.execute(() -> serve(client));
            } catch (IOException | java.util.concurrent.RejectedExecutionException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            int first = in.read();
            if (first < 0) {
                return;
            }
            if (first == 0x16) {
                client.getOutputStream().write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                return;
            }
            try (Socket back = new Socket(server.getAddress().getAddress(), server.getAddress().getPort())) {
                back.getOutputStream().write(first);
                pool.execute(() -> {
                    try {
                        in.transferTo(back.getOutputStream());
                        back.shutdownOutput();
                    } catch (IOException e) {
                        // either side closed
                    }
                });
                back.getInputStream().transferTo(client.getOutputStream());
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    public String host() {
        return host;
    }

    /** {@code http://127.0.0.N:PORT}. */
    public String url() {
        return "http://" + address();
    }

    public List<Request> requests() {
        return new ArrayList<>(requests);
    }

    /** The requests that carried an Authorization header. */
    public List<Request> authorized() {
        return requests.stream().filter(r -> r.authorization() != null).toList();
    }

    /** Body bytes this server managed to write (to tell whether a client stopped reading an endless body). */
    public long bytesSent() {
        return bytesSent.get();
    }

    @Override
    public void close() {
        try {
            front.close();
        } catch (IOException e) {
            // closing anyway
        }
        server.stop(0);
        pool.shutdownNow();
    }

    @Override
    public String toString() {
        return "HostileRegistry[" + address() + ", " + requests.size() + " requests]";
    }

    /** One request and the ways to answer it. */
    public static final class Exchange {
        private final HostileRegistry server;
        private final HttpExchange ex;
        public final Request request;

        Exchange(HostileRegistry server, HttpExchange ex, Request request) {
            this.server = server;
            this.ex = ex;
            this.request = request;
        }

        public String path() {
            return request.path();
        }

        public String method() {
            return request.method();
        }

        /** Answers with a status, a body (null for none) and header name/value pairs. */
        public void send(int status, String body, String... headers) throws IOException {
            send(status, body == null ? null : body.getBytes(StandardCharsets.UTF_8), headers);
        }

        public void send(int status, byte[] body, String... headers) throws IOException {
            for (int i = 0; i + 1 < headers.length; i += 2) {
                ex.getResponseHeaders().add(headers[i], headers[i + 1]);
            }
            boolean none = body == null || body.length == 0 || request.method().equals("HEAD") || status == 204;
            ex.sendResponseHeaders(status, none ? -1 : body.length);
            if (!none) {
                ex.getResponseBody().write(body);
                server.bytesSent.addAndGet(body.length);
            }
        }

        /**
         * A registry error that quotes the whole request back: every header (Authorization included)
         * in the message and as {@code detail}, and the request body.
         */
        public void echo(int status, String... headers) throws IOException {
            StringBuilder quoted = new StringBuilder();
            if (request.authorization() != null) {
                quoted.append("Authorization: ").append(request.authorization()).append("; "); // first, so no cut hides it
            }
            request.headers().forEach((k, vs) -> vs.forEach(v -> quoted.append(k).append(": ").append(v).append("; ")));
            String body = "{\"errors\":[{\"code\":\"DENIED\",\"message\":" + json("you sent " + quoted + "with "
                    + request.method() + " " + request.uri()) + ",\"detail\":{\"headers\":" + json(quoted.toString())
                    + ",\"body\":" + json(request.bodyText()) + "}}]}";
            send(status, body, headers);
        }

        /** A body of {@code status} that never ends: 64 KiB chunks until the client goes away. */
        public void endless(int status, String contentType) throws IOException {
            ex.getResponseHeaders().add("Content-Type", contentType);
            ex.sendResponseHeaders(status, 0);
            byte[] chunk = new byte[64 * 1024];
            java.util.Arrays.fill(chunk, (byte) '{');
            OutputStream out = ex.getResponseBody();
            while (true) {
                out.write(chunk);
                server.bytesSent.addAndGet(chunk.length);
            }
        }

        /** A body that trickles one byte every {@code millis} ms, forever (until the client goes away). */
        public void trickle(int status, String contentType, long millis) throws IOException {
            ex.getResponseHeaders().add("Content-Type", contentType);
            ex.sendResponseHeaders(status, 0);
            OutputStream out = ex.getResponseBody();
            try {
                while (true) {
                    out.write(' ');
                    out.flush();
                    server.bytesSent.incrementAndGet();
                    Thread.sleep(millis);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A JSON string literal. */
    public static String json(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
