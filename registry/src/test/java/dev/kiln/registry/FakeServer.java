package dev.kiln.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A scripted HTTP server on 127.0.0.1 for unit tests: one handler answers every request; each
 * request is recorded with its headers. Stops on close (and its threads are daemons).
 */
final class FakeServer implements AutoCloseable {
    interface Handler {
        void handle(HttpExchange exchange, byte[] body) throws IOException;
    }

    record Seen(String method, String uri, Map<String, List<String>> headers, int bodyLength) {
        String header(String name) {
            for (var e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }
    }

    final HttpServer server;
    final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-server");
        t.setDaemon(true);
        return t;
    });

    private final ServerSocket front;

    FakeServer(Handler handler) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        front = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        pool.execute(this::acceptLoop);
        server.createContext("/", ex -> {
            try (ex) {
                byte[] body;
                try (InputStream in = ex.getRequestBody()) {
                    body = in.readAllBytes();
                }
                seen.add(new Seen(ex.getRequestMethod(), ex.getRequestURI().toString(), Map.copyOf(ex.getRequestHeaders()), body.length));
                handler.handle(ex, body);
            } catch (CutOff e) {
                throw e; // on purpose: the connection closes short of the body
            } catch (RuntimeException | IOException e) {
                e.printStackTrace();
                throw e;
            }
        });
        server.setExecutor(pool);
        server.start();
    }

    /** Thrown by a handler to close the connection mid-answer on purpose (not printed). */
    static final class CutOff extends IOException {
        private static final long serialVersionUID = 1L;

        CutOff() {
            super("cut off on purpose");
        }
    }

    String address() {
        return "127.0.0.1:" + front.getLocalPort();
    }

    /**
     * The JDK's HttpServer never answers a TLS ClientHello; like Go's servers, this front answers it
     * with a plain 400 at once (so the client's HTTPS probe fails fast) and pipes everything else.
     */
    private void acceptLoop() {
        while (!front.isClosed()) {
            try {
                Socket client = front.accept();
                pool.execute(() -> serve(client));
            } catch (IOException | java.util.concurrent.RejectedExecutionException e) {
                return; // closed
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
            try (Socket back = new Socket(InetAddress.getLoopbackAddress(), server.getAddress().getPort())) {
                back.getOutputStream().write(first);
                pool.execute(() -> pipe(in, back));
                back.getInputStream().transferTo(client.getOutputStream());
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    private static void pipe(InputStream in, Socket back) {
        try {
            in.transferTo(back.getOutputStream());
            back.shutdownOutput();
        } catch (IOException e) {
            // either side closed
        }
    }

    long count(String method, String pathPrefix) {
        return seen.stream().filter(s -> s.method().equals(method) && s.uri().startsWith(pathPrefix)).count();
    }

    static void send(HttpExchange ex, int status, String body, String... headers) throws IOException {
        for (int i = 0; i + 1 < headers.length; i += 2) {
            ex.getResponseHeaders().add(headers[i], headers[i + 1]);
        }
        byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        boolean noBody = ex.getRequestMethod().equals("HEAD") || status == 204 || b.length == 0;
        ex.sendResponseHeaders(status, noBody ? -1 : b.length);
        if (!noBody) {
            ex.getResponseBody().write(b);
        }
    }

    static String error(String code, String message) {
        return "{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}]}";
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
}
