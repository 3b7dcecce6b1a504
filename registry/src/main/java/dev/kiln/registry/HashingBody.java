package dev.kiln.registry;

import dev.kiln.layout.transport.SeekableBlob;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;

/**
 * The body of one streamed upload request: bytes {@code [offset, offset + length)} of a blob, read
 * from its content in 64 KiB pieces only as the HTTP client asks for them, each piece hashed just
 * before it is handed over, so the digest covers exactly the bytes sent and memory does not grow with
 * the blob. The content is opened when the client subscribes and closed when the body ends or is
 * given up. Content that ends early, runs past the blob's end or cannot be read fails the request;
 * {@link #problem} then says what was wrong with it (as opposed to the connection).
 */
final class HashingBody implements HttpRequest.BodyPublisher {
    static final int PIECE = 64 * 1024;
    private static final long PROGRESS_STEP = 1 << 20;
    private static final int POOL = 4;

    private final SeekableBlob content;
    private final long offset;
    private final long length;
    private final long blobSize;
    private final MessageDigest md;
    private final LongConsumer progress;
    private final AtomicBoolean subscribed = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile InputStream in;
    private volatile String problem;
    private volatile long sent;

    /** @param md the hash of bytes {@code [0, offset)}, which this body goes on with; {@code progress} gets absolute positions */
    HashingBody(SeekableBlob content, long offset, long length, long blobSize, MessageDigest md, LongConsumer progress) {
        this.content = content;
        this.offset = offset;
        this.length = length;
        this.blobSize = blobSize;
        this.md = md;
        this.progress = progress;
    }

    @Override
    public long contentLength() {
        return length;
    }

    /** What was wrong with the content (not the connection), or null. */
    String problem() {
        return problem;
    }

    /** Bytes handed to the client so far. */
    long sent() {
        return sent;
    }

    /** The hash of bytes {@code [0, offset + sent())}; meaningful once the whole body was sent. */
    MessageDigest digest() {
        return md;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
        if (!subscribed.compareAndSet(false, true)) {
            subscriber.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                }

                @Override
                public void cancel() {
                }
            });
            subscriber.onError(new IOException("an upload body is sent once; the upload opens its content again to resend"));
            return;
        }
        subscriber.onSubscribe(new Pieces(subscriber));
    }

    /** Closes the content if it is still open (idempotent). */
    void close() {
        if (closed.compareAndSet(false, true)) {
            InputStream s = in;
            if (s != null) {
                try {
                    s.close();
                } catch (IOException e) {
                    // nothing more to read from it anyway
                }
            }
        }
    }

    private final class Pieces implements Flow.Subscription {
        private final Flow.Subscriber<? super ByteBuffer> subscriber;
        private long demand;
        private boolean draining;
        private boolean done;
        private long reported;
        private final byte[][] arrays = new byte[POOL][];
        private final ByteBuffer[] handed = new ByteBuffer[POOL];
        private int next;

        Pieces(Flow.Subscriber<? super ByteBuffer> subscriber) {
            this.subscriber = subscriber;
        }

        @Override
        public void request(long n) {
            synchronized (this) {
                if (done) {
                    return;
                }
                if (n <= 0) {
                    done = true;
                } else {
                    demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
                    if (draining) {
                        return; // the loop below, further up this thread's stack or on another, serves it
                    }
                    draining = true;
                }
            }
            if (n <= 0) {
                close();
                subscriber.onError(new IllegalArgumentException("non-positive request " + n));
                return;
            }
            drain();
        }

        private void drain() {
            while (true) {
                synchronized (this) {
                    if (done || demand == 0) {
                        draining = false;
                        return;
                    }
                    demand--;
                }
                ByteBuffer piece;
                boolean last;
                try {
                    piece = next();
                    last = sent == length;
                    if (last) {
                        endOfContent();
                    }
                } catch (IOException e) {
                    finish();
                    subscriber.onError(e);
                    return;
                }
                subscriber.onNext(piece);
                if (last) {
                    finish();
                    subscriber.onComplete();
                    return;
                }
            }
        }

        private ByteBuffer next() throws IOException {
            if (closed.get()) {
                throw new IOException("the upload body was closed");
            }
            try {
                if (in == null) {
                    in = content.openAt(offset);
                }
                int want = (int) Math.min(PIECE, length - sent);
                byte[] bytes = freeArray();
                int n = in.readNBytes(bytes, 0, want);
                if (n < want) {
                    throw content("the content ended after " + (offset + sent + n) + " of " + blobSize + " bytes");
                }
                md.update(bytes, 0, n);
                sent += n;
                if (offset + sent - reported >= PROGRESS_STEP || sent == length) {
                    reported = offset + sent;
                    progress.accept(reported);
                }
                ByteBuffer piece = ByteBuffer.wrap(bytes, 0, n);
                if (next >= 0) {
                    handed[next] = piece;
                }
                return piece;
            } catch (IOException e) {
                // a read cut short because the client cancelled the body (a dropped connection, an
                // early answer) is the connection's problem, not the content's: the upload resumes
                if (problem == null && !closed.get()) {
                    problem = "reading the blob content failed: " + ConnectionProblems.describe(e);
                }
                throw e;
            }
        }

        /**
         * An array whose bytes the client has consumed (the buffer it was handed has nothing left:
         * written to the socket, or encrypted), else a new one. Reusing them keeps a big upload from
         * allocating its size in garbage (which would grow the heap); an array still held is never touched.
         */
        private byte[] freeArray() {
            for (int i = 0; i < arrays.length; i++) {
                if (arrays[i] == null || handed[i] == null || !handed[i].hasRemaining()) {
                    if (arrays[i] == null) {
                        arrays[i] = new byte[PIECE];
                    }
                    next = i;
                    return arrays[i];
                }
            }
            next = -1;
            return new byte[PIECE]; // every pooled array is still in the client's hands
        }

        /** The blob must end exactly where the descriptor says. */
        private void endOfContent() throws IOException {
            if (offset + length == blobSize && in.read() != -1) {
                throw content("the content is longer than the descriptor's " + blobSize + " bytes");
            }
        }

        private IOException content(String what) {
            problem = what;
            return new IOException(what);
        }

        private void finish() {
            synchronized (this) {
                done = true;
                draining = false;
            }
            close();
        }

        @Override
        public void cancel() {
            synchronized (this) {
                done = true;
            }
            close();
        }
    }
}
