package dev.kiln.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.digest.DigestMismatchException;
import dev.kiln.layout.spec.Descriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Blob downloads cut off half-way against a scripted server: what each kind of second answer leads to. */
class ResumingBlobStreamTest {
    static final byte[] BLOB = new byte[100_000];
    static final int CUT = 40_000;

    static {
        new Random(7).nextBytes(BLOB);
    }

    static final Descriptor DESC = new Descriptor("application/octet-stream", Digest.sha256(BLOB), BLOB.length);

    RegistryOptions options() {
        return RegistryOptions.defaults().withRetry(new RetryPolicy(4, Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofSeconds(5)));
    }

    /** Sends the headers of the whole blob and only its first {@link #CUT} bytes, then the connection dies. */
    static void cutOff(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().add("Docker-Content-Digest", DESC.digest().toString());
        ex.sendResponseHeaders(200, BLOB.length);
        OutputStream out = ex.getResponseBody();
        out.write(BLOB, 0, CUT);
        out.flush();
        throw new FakeServer.CutOff(); // the server closes the connection short of Content-Length
    }

    static void send(HttpExchange ex, int status, byte[] body, String... headers) throws IOException {
        for (int i = 0; i + 1 < headers.length; i += 2) {
            ex.getResponseHeaders().add(headers[i], headers[i + 1]);
        }
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
    }

    interface Second {
        void answer(HttpExchange ex) throws IOException;
    }

    /** GETs without a Range are cut off; those with one (the resumptions) get the second answer. */
    static FakeServer server(AtomicInteger gets, Second second) throws IOException {
        return new FakeServer((ex, body) -> {
            if (ex.getRequestURI().getPath().equals("/v2/")) {
                FakeServer.send(ex, 200, "{}");
            } else if (ex.getRequestHeaders().getFirst("Range") == null) {
                gets.incrementAndGet();
                cutOff(ex);
            } else {
                gets.incrementAndGet();
                second.answer(ex);
            }
        });
    }

    /** Where a {@code Range: bytes=N-} asks to start. */
    static int rangeStart(HttpExchange ex) {
        String r = ex.getRequestHeaders().getFirst("Range");
        return Integer.parseInt(r.substring("bytes=".length(), r.length() - 1));
    }

    @Test
    void aCutOffDownloadResumesWithARangeAndEndsWithTheExactBytes() throws Exception {
        AtomicInteger gets = new AtomicInteger();
        try (FakeServer s = server(gets, ex -> send(ex, 206, Arrays.copyOfRange(BLOB, rangeStart(ex), BLOB.length),
                "Content-Range", "bytes " + rangeStart(ex) + "-" + (BLOB.length - 1) + "/" + BLOB.length))) {
            RegistryClient c = RegistryClient.connect(s.address(), options());
            try (InputStream in = c.openBlob("team/app", DESC)) {
                assertArrayEquals(BLOB, in.readAllBytes());
            }
            var blobGets = s.seen.stream().filter(x -> x.uri().contains("/blobs/")).toList();
            assertNull(blobGets.get(0).header("Range"));
            var last = blobGets.get(blobGets.size() - 1);
            // normally bytes=CUT-; fewer when the connection lost some of the bytes sent before the cut
            assertTrue(last.header("Range") != null && last.header("Range").matches("bytes=[1-9][0-9]*-")
                    && rangeStartOf(last.header("Range")) <= CUT, "resumed where it stopped: " + last.header("Range"));
        }
    }

    static int rangeStartOf(String header) {
        return Integer.parseInt(header.substring("bytes=".length(), header.length() - 1));
    }

    @Test
    void aRangeAnsweredWithTheWholeBlobIsReadFromItsStartAndChecked() throws Exception {
        AtomicInteger gets = new AtomicInteger();
        try (FakeServer s = server(gets, ex -> send(ex, 200, BLOB))) {
            RegistryClient c = RegistryClient.connect(s.address(), options());
            try (InputStream in = c.openBlob("team/app", DESC)) {
                assertArrayEquals(BLOB, in.readAllBytes());
            }
        }
    }

    @Test
    void aWholeBlobSentAgainWithOtherFirstBytesIsAClearError() throws Exception {
        byte[] changed = BLOB.clone();
        changed[0] ^= 1; // among the bytes already handed on, however few got through before the cut
        AtomicInteger gets = new AtomicInteger();
        try (FakeServer s = server(gets, ex -> send(ex, 200, changed))) {
            RegistryClient c = RegistryClient.connect(s.address(), options());
            DigestMismatchException e = assertThrows(DigestMismatchException.class, () -> {
                try (InputStream in = c.openBlob("team/app", DESC)) {
                    in.readAllBytes();
                }
            });
            assertTrue(e.getMessage().contains("blob " + DESC.digest()) && e.getMessage().contains("differ from those it sent before"), e.getMessage());
        }
    }

    @Test
    void aContentRangeThatDoesNotStartWhereAskedIsRefused() throws Exception {
        AtomicInteger gets = new AtomicInteger();
        try (FakeServer s = server(gets, ex -> send(ex, 206, BLOB, "Content-Range", "bytes 0-" + (BLOB.length - 1) + "/" + BLOB.length))) {
            RegistryClient c = RegistryClient.connect(s.address(), options());
            InputStream[] opened = new InputStream[1];
            RegistryException e = assertThrows(RegistryException.class, () -> {
                opened[0] = c.openBlob("team/app", DESC);
                opened[0].readAllBytes();
            });
            // the stream stays failed: a later read gets the same error, never a clean end or a crash
            RegistryException again = assertThrows(RegistryException.class, () -> opened[0].read(new byte[16], 0, 16));
            assertTrue(again == e, "the same failure: " + again);
            opened[0].close();
            assertTrue(e.getMessage().matches(".*asked for bytes [1-9][0-9]*-" + (BLOB.length - 1) + " of " + BLOB.length
                    + ", the registry answered 206 with Content-Range 'bytes 0-.*"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        }
    }

    @Test
    void aContentRangeWithNumbersTooBigForALongIsTheRegistrysError() throws Exception {
        AtomicInteger gets = new AtomicInteger();
        try (FakeServer s = server(gets, ex -> send(ex, 206, BLOB, "Content-Range", "bytes 99999999999999999999-1/" + BLOB.length))) {
            RegistryClient c = RegistryClient.connect(s.address(), options());
            RegistryException e = assertThrows(RegistryException.class, () -> {
                try (InputStream in = c.openBlob("team/app", DESC)) {
                    in.readAllBytes();
                }
            });
            assertTrue(e.getMessage().contains("the registry answered 206 with Content-Range 'bytes 99999999999999999999-1/"), e.getMessage());
        }
    }

    @Test
    void aBlobCutOffEveryTimeFailsAfterTheRetryPolicysTries() throws Exception {
        AtomicInteger gets = new AtomicInteger();
        try (FakeServer s = new FakeServer((ex, body) -> {
            if (ex.getRequestURI().getPath().equals("/v2/")) {
                FakeServer.send(ex, 200, "{}");
            } else {
                gets.incrementAndGet();
                cutOff(ex);
            }
        })) {
            RegistryClient c = RegistryClient.connect(s.address(), options());
            InputStream[] opened = new InputStream[1];
            RegistryException e = assertThrows(RegistryException.class, () -> {
                opened[0] = c.openBlob("team/app", DESC);
                opened[0].readAllBytes();
            });
            // the stream stays failed: a later read gets the same error, never a clean end or a crash
            RegistryException again = assertThrows(RegistryException.class, () -> opened[0].read(new byte[16], 0, 16));
            assertTrue(again == e, "the same failure: " + again);
            opened[0].close();
            assertTrue(e.getMessage().startsWith("registry " + s.address() + ", repository team/app: blob " + DESC.digest()
                    + ": the download was cut off after "), e.getMessage());
            assertTrue(e.getMessage().matches(".*cut off after [0-9]+ of " + BLOB.length + " bytes: .*"), e.getMessage());
            assertTrue(e.getMessage().endsWith("(after 4 tries)"), e.getMessage());
            // one GET and three resumptions; a request that fails before its answer starts (a pooled
            // connection the server closed) is tried again by the request's own retries, not counted here
            assertTrue(gets.get() >= 4 && gets.get() <= 8, "one GET and three resumptions: " + gets.get());
        }
    }

    @Test
    void moreBytesThanTheDescriptorSaysFailAtOnce() throws Exception {
        byte[] longer = Arrays.copyOf(BLOB, BLOB.length + 10);
        try (FakeServer s = new FakeServer((ex, body) -> {
            if (ex.getRequestURI().getPath().equals("/v2/")) {
                FakeServer.send(ex, 200, "{}");
            } else {
                send(ex, 200, longer);
            }
        })) {
            RegistryClient c = RegistryClient.connect(s.address(), options());
            DigestMismatchException e = assertThrows(DigestMismatchException.class, () -> {
                try (InputStream in = c.openBlob("team/app", DESC)) {
                    in.readAllBytes();
                }
            });
            assertTrue(e.getMessage().contains("more than the " + BLOB.length + " bytes"), e.getMessage());
        }
    }
}
