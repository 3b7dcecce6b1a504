package dev.kiln.registry;

import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The streamed upload body: a cancel by the client is not blamed on the content. */
class HashingBodyTest {
    /** Content whose read is slow (a cold disk): blocks until closed, then fails as a closed channel does. */
    static final class SlowStream extends InputStream {
        final CountDownLatch reading = new CountDownLatch(1);
        final CountDownLatch closed = new CountDownLatch(1);

        @Override
        public int read() throws IOException {
            byte[] b = new byte[1];
            return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            reading.countDown();
            try {
                closed.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException();
            }
            throw new java.nio.channels.AsynchronousCloseException();
        }

        @Override
        public void close() {
            closed.countDown();
        }
    }

    @Test
    void clientCancellingMidReadIsNotBlamedOnTheContent() throws Exception {
        SlowStream s = new SlowStream();
        HashingBody body = new HashingBody(offset -> s, 0, 1 << 20, 1 << 20, MessageDigest.getInstance("SHA-256"), n -> { });
        Flow.Subscription[] sub = new Flow.Subscription[1];
        body.subscribe(new Flow.Subscriber<ByteBuffer>() {
            public void onSubscribe(Flow.Subscription x) { sub[0] = x; }
            public void onNext(ByteBuffer b) { }
            public void onError(Throwable t) { }
            public void onComplete() { }
        });
        Thread drainer = new Thread(() -> sub[0].request(1)); // the client's writer thread asks for a piece
        drainer.start();
        s.reading.await();
        sub[0].cancel(); // the connection dropped: the client cancels from its selector thread
        drainer.join();
        // the content is fine; a retry/resume should follow, not "reading the blob content failed"
        assertNull(body.problem(), "connection cancel misreported as a content problem");
    }
}
