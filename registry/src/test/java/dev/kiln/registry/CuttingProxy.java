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
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A streaming HTTP/1.1 proxy on 127.0.0.1 in front of a real registry that, unlike {@link FaultProxy}
 * (which drops a request before the registry sees any of it), passes the first {@code cutAfter}
 * bytes of the body of the first {@code PATCH} on to the registry and then resets both connections:
 * the registry really holds part of the request, as after a connection lost in the middle of an
 * upload. Everything else streams through unchanged, one request per connection. Records each
 * request as {@code METHOD target [Content-Range]}.
 */
final class CuttingProxy implements AutoCloseable {
    private final String upstream;
    private final long cutAfter;
    private final ServerSocket server;
    private final AtomicInteger cuts = new AtomicInteger(1);
    final List<String> seen = new CopyOnWriteArrayList<>();
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "cutting-proxy");
        t.setDaemon(true);
        return t;
    });

    CuttingProxy(String upstream, long cutAfter) throws IOException {
        this.upstream = upstream;
        this.cutAfter = cutAfter;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        pool.execute(() -> {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    pool.execute(() -> serve(client));
                } catch (IOException | java.util.concurrent.RejectedExecutionException e) {
                    return;
                }
            }
        });
    }

    String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    long count(String method, String targetPart) {
        return seen.stream().filter(s -> s.startsWith(method + " ") && s.contains(targetPart)).count();
    }

    private void serve(Socket client) {
        String[] hp = upstream.split(":");
        try (client; Socket up = new Socket(hp[0], Integer.parseInt(hp[1]))) {
            client.setSoTimeout(60_000);
            up.setSoTimeout(60_000);
            InputStream in = new BufferedInputStream(client.getInputStream());
            String requestLine = readLine(in);
            if (requestLine == null || requestLine.isEmpty()) {
                return;
            }
            StringBuilder head = new StringBuilder(requestLine).append("\r\n");
            long length = 0;
            String range = "";
            for (String line; (line = readLine(in)) != null && !line.isEmpty(); ) {
                String name = line.substring(0, Math.max(line.indexOf(':'), 0)).trim().toLowerCase(Locale.ROOT);
                String value = line.substring(line.indexOf(':') + 1).trim();
                if (name.equals("connection") || name.equals("keep-alive")) {
                    continue;
                }
                if (name.equals("transfer-encoding")) {
                    throw new IOException("chunked request bodies are not supported by this test proxy");
                }
                if (name.equals("content-length")) {
                    length = Long.parseLong(value);
                }
                if (name.equals("content-range")) {
                    range = " " + value;
                }
                head.append(line).append("\r\n");
            }
            head.append("Connection: close\r\n\r\n");
            String[] parts = requestLine.split(" ");
            boolean cut = parts[0].equals("PATCH") && length > cutAfter && cuts.getAndDecrement() > 0;
            seen.add(parts[0] + " " + parts[1] + range + (cut ? " cut" : ""));
            OutputStream upOut = up.getOutputStream();
            upOut.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            copy(in, upOut, cut ? cutAfter : length);
            upOut.flush();
            if (cut) {
                Thread.sleep(200); // let the registry take in what it got
                up.setSoLinger(true, 0);
                client.setSoLinger(true, 0);
                return; // both reset, the rest of the body unsent
            }
            up.getInputStream().transferTo(client.getOutputStream());
        } catch (IOException | RuntimeException e) {
            // either side went away; the test sees the effect
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void copy(InputStream in, OutputStream out, long n) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        while (n > 0) {
            int r = in.read(buffer, 0, (int) Math.min(buffer.length, n));
            if (r < 0) {
                throw new IOException("the client's body ended early");
            }
            out.write(buffer, 0, r);
            n -= r;
        }
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
