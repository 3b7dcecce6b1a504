package dev.kiln.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A response body as an InputStream, with two things the JDK's {@code BodyHandlers.ofInputStream()}
 * lacks: a read timeout (a body that stays silent longer than {@code idle} fails with an
 * {@link HttpTimeoutException}, which callers treat as a cut-off connection), and read-ahead of a
 * few buffers so the client's selector thread keeps receiving while the reader hashes and writes.
 * Memory stays bounded: at most {@link #PREFETCH} deliveries of the client's buffers are queued.
 * Closing it early cancels the exchange (the connection is not reused).
 */
final class BodyStream extends InputStream implements HttpResponse.BodySubscriber<InputStream> {
    static final int PREFETCH = 8;
    private static final Object END = new Object();

    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final long idleNanos;
    private final Duration idle;
    private volatile Flow.Subscription subscription;
    private volatile boolean closed;
    private long deadline = Long.MAX_VALUE;
    private Duration deadlineAfter;
    private Iterator<ByteBuffer> current;
    private ByteBuffer buffer;
    private boolean eof;
    private IOException failure;

    BodyStream(Duration idle) {
        this.idle = idle;
        this.idleNanos = idle.toNanos();
    }

    static HttpResponse.BodyHandler<InputStream> handler(Duration idle) {
        return info -> new BodyStream(idle);
    }

    /**
     * Bounds the time the rest of the body may take, whatever its pace: a body read into memory (an
     * error, a manifest) that has not ended {@code limit} from now fails with a {@link ReadTimeout}, so
     * a registry trickling a byte now and then cannot hold a request forever.
     */
    void deadline(Duration limit) {
        this.deadlineAfter = limit;
        long now = System.nanoTime();
        this.deadline = limit.toNanos() > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + limit.toNanos();
    }

    @Override
    public CompletionStage<InputStream> getBody() {
        return CompletableFuture.completedStage(this);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        if (subscription != null || closed) {
            s.cancel();
            return;
        }
        subscription = s;
        s.request(PREFETCH);
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        queue.add(item);
    }

    @Override
    public void onError(Throwable t) {
        queue.add(t);
    }

    @Override
    public void onComplete() {
        queue.add(END);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (closed) {
            throw new IOException("body stream closed");
        }
        if (failure != null) {
            throw failure;
        }
        if (eof) {
            return -1;
        }
        if (len == 0) {
            return 0;
        }
        while (buffer == null || !buffer.hasRemaining()) {
            if (current != null && current.hasNext()) {
                buffer = current.next();
                continue;
            }
            Object next = take();
            if (next == END) {
                eof = true;
                return -1;
            }
            if (next instanceof Throwable t) {
                failure = t instanceof IOException io ? io : new IOException(t.getMessage() == null ? t.toString() : t.getMessage(), t);
                throw failure;
            }
            @SuppressWarnings("unchecked")
            List<ByteBuffer> list = (List<ByteBuffer>) next;
            current = list.iterator();
            buffer = null;
            subscription.request(1);
        }
        int n = Math.min(len, buffer.remaining());
        buffer.get(b, off, n);
        return n;
    }

    private Object take() throws IOException {
        Object next;
        long left = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
        try {
            next = left <= 0 ? queue.poll() : queue.poll(Math.min(idleNanos, left), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new InterruptedIOException("interrupted while reading a response body");
        }
        if (next == null && left <= idleNanos) {
            failure = new ReadTimeout("the body did not end within " + describe(deadlineAfter));
            cancel();
            throw failure;
        }
        if (next == null) {
            failure = new ReadTimeout("no data for " + describe(idle) + " (read timeout)");
            cancel();
            throw failure;
        }
        return next;
    }

    /** A body that stayed silent longer than the read timeout, or did not end by its {@link #deadline}. */
    static final class ReadTimeout extends HttpTimeoutException {
        private static final long serialVersionUID = 1L;

        ReadTimeout(String message) {
            super(message);
        }
    }

    static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    @Override
    public int available() {
        return buffer == null ? 0 : buffer.remaining();
    }

    private void cancel() {
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (!eof) {
                cancel();
            }
            queue.clear();
            current = null;
            buffer = null;
        }
    }
}
