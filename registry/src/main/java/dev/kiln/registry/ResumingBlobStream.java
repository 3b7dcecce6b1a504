package dev.kiln.registry;

import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.digest.DigestMismatchException;
import dev.kiln.layout.digest.SelfVerifyingStream;
import dev.kiln.layout.spec.Descriptor;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A blob download that survives cut-off bodies. Every byte handed to the reader is hashed once, in
 * order; when the body fails half-way (connection reset, early end, read timeout) the GET is sent
 * again with {@code Range: bytes=N-}, N being the bytes already handed on, and a {@code 206} whose
 * {@code Content-Range} starts at N continues the same hash. A registry that answers the range
 * request with the whole blob ({@code 200}) is read from its start again: its first N bytes are
 * hashed separately and must equal what was already handed on (else the registry changed the blob
 * under us, a clear error), then reading goes on after them. Cut-offs are tried again up to the
 * retry policy's {@code maxAttempts}, with its backoff. At the end the bytes must be the
 * descriptor's size and digest, or the last read fails with a {@link DigestMismatchException} (and
 * so does every read after it): a blob store need not hash the bytes again ({@link SelfVerifyingStream}).
 */
final class ResumingBlobStream extends InputStream implements SelfVerifyingStream {
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)");

    private final RegistryClient client;
    private final HttpTransport transport;
    private final String repository;
    private final Descriptor blob;
    private final MessageDigest md;
    private InputStream body;
    private long offset;
    private int cutOffs;
    private boolean done;
    private RuntimeException failure;
    private boolean closed;

    private ResumingBlobStream(RegistryClient client, String repository, Descriptor blob) {
        this.client = client;
        this.transport = client.transport();
        this.repository = repository;
        this.blob = blob;
        this.md = blob.digest().newMessageDigest();
    }

    /** Sends the first GET; fails (RegistryException) when the registry does not serve the blob. */
    static ResumingBlobStream open(RegistryClient client, String repository, Descriptor blob) {
        ResumingBlobStream s = new ResumingBlobStream(client, repository, blob);
        s.body = s.request(0);
        return s;
    }

    private HttpCall call(long from) {
        HttpCall c = new HttpCall("GET", client.uri("/v2/" + repository + "/blobs/" + blob.digest()),
                "getting blob " + blob.digest()).repository(repository, client.scopes(repository)).stream();
        if (from > 0) {
            c.header("Range", "bytes=" + from + "-");
        }
        return c;
    }

    /** GETs the blob from {@code from} on; a 200 to a range request is read up to {@code from} and checked. */
    private InputStream request(long from) {
        HttpCall call = call(from);
        HttpAnswer r = transport.send(call);
        if (!r.ok()) {
            throw transport.failure(call, r, r.status() == 404 ? "the repository does not have this blob" : null);
        }
        try {
            Digests.checkHeader(transport, call, r, blob.digest());
            if (from == 0) {
                return r.stream();
            }
            if (r.status() == 206) {
                checkContentRange(call, r, from);
                return r.stream();
            }
            if (r.status() != 200) {
                throw new RegistryException(prefix() + "HTTP " + r.status() + " to a request for bytes " + from + "- of the blob");
            }
            transport.log("~ " + call.what + ": the registry sent the whole blob again (200, not 206); checking the first "
                    + from + " bytes");
            skipAndCompare(r.stream(), from);
            return r.stream();
        } catch (IOException e) {
            r.discard();
            throw new CutOff(e);
        } catch (RuntimeException e) {
            r.discard();
            throw e;
        }
    }

    private void checkContentRange(HttpCall call, HttpAnswer r, long from) {
        String range = r.header("Content-Range").orElse(null);
        Matcher m = range == null ? null : CONTENT_RANGE.matcher(range.trim());
        if (m == null || !m.matches() || number(m.group(1)) != from
                || number(m.group(2)) != blob.size() - 1
                || (!m.group(3).equals("*") && number(m.group(3)) != blob.size())) {
            throw new RegistryException(prefix() + "asked for bytes " + from + "-" + (blob.size() - 1) + " of " + blob.size()
                    + ", the registry answered 206 with Content-Range " + (range == null ? "(none)" : "'" + RegistryError.clean(range) + "'"));
        }
    }

    /** A number of a Content-Range; one too long for a long is no position of this blob (-2 matches none). */
    private static long number(String digits) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return -2;
        }
    }

    /** Reads the first {@code n} bytes of a full answer again; they must hash as those already handed on. */
    private void skipAndCompare(InputStream in, long n) throws IOException {
        MessageDigest again = blob.digest().newMessageDigest();
        byte[] buffer = new byte[64 * 1024];
        for (long left = n; left > 0; ) {
            int k = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (k < 0) {
                throw new EOFException("the whole blob sent again ended after " + (n - left) + " bytes");
            }
            again.update(buffer, 0, k);
            left -= k;
        }
        MessageDigest sofar = Digest.copyOf(md);
        if (!MessageDigest.isEqual(again.digest(), sofar.digest())) {
            throw new DigestMismatchException(prefix() + "the registry sent the blob again and its first " + n
                    + " bytes differ from those it sent before");
        }
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
            throw new IOException("blob stream closed");
        }
        if (failure != null) {
            throw failure; // a stream that failed its check never ends cleanly
        }
        if (done) {
            return -1;
        }
        if (len == 0) {
            return 0;
        }
        while (true) {
            int n;
            try {
                n = body.read(b, off, (int) Math.min(len, Math.max(blob.size() - offset, 1)));
                if (n < 0 && offset < blob.size()) {
                    throw new EOFException("the body ended after " + offset + " of " + blob.size() + " bytes");
                }
            } catch (IOException e) {
                if (e instanceof InterruptedIOException && !(e instanceof java.net.http.HttpTimeoutException)) {
                    throw e;
                }
                try {
                    resume(e);
                } catch (RuntimeException gaveUp) {
                    failure = gaveUp; // later reads fail the same way, never with a missing body
                    throw gaveUp;
                }
                continue;
            }
            if (n < 0) {
                finish();
                return -1;
            }
            offset += n;
            if (offset > blob.size()) {
                failure = new DigestMismatchException(prefix() + "the registry sent more than the " + blob.size()
                        + " bytes the descriptor says");
                throw failure;
            }
            md.update(b, off, n);
            return n;
        }
    }

    /** After a cut-off: sends the GET again from {@link #offset}, as often as the retry policy allows. */
    private void resume(IOException cause) throws IOException {
        RetryPolicy policy = transport.options().retry();
        IOException last = cause;
        discardBody();
        while (true) {
            cutOffs++;
            String reason = ConnectionProblems.describe(last);
            if (cutOffs >= policy.maxAttempts() || !ConnectionProblems.isTransient(last)) {
                throw new RegistryException(prefix() + "the download was cut off after " + offset + " of " + blob.size()
                        + " bytes: " + reason + (cutOffs > 1 ? " (after " + cutOffs + " tries)" : ""), 0, List.of(), last);
            }
            transport.log("! " + "getting blob " + blob.digest() + ": cut off after " + offset + " of " + blob.size()
                    + " bytes (" + reason + "); resuming");
            transport.pause(call(offset), cutOffs, policy.backoff(cutOffs), "cut off after " + offset + " bytes: " + reason);
            try {
                body = request(offset);
                return;
            } catch (CutOff e) {
                last = e.io;
            }
        }
    }

    private void finish() {
        Digest actual = Digest.of(blob.digest().algorithm(), md);
        if (!actual.equals(blob.digest())) {
            failure = new DigestMismatchException(prefix() + "the registry sent content that hashes to " + actual);
            throw failure;
        }
        done = true;
    }

    @Override
    public Digest verifiedDigest() {
        return blob.digest();
    }

    @Override
    public long verifiedSize() {
        return blob.size();
    }

    private String prefix() {
        return "registry " + transport.registry() + ", repository " + repository + ": blob " + blob.digest() + ": ";
    }

    private void discardBody() {
        if (body != null) {
            try {
                body.close();
            } catch (IOException e) {
                // going away anyway
            }
            body = null;
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            discardBody();
        }
    }

    /** A cut-off while a resumed answer's first bytes were being read again. */
    private static final class CutOff extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final IOException io;

        CutOff(IOException io) {
            super(io.getMessage(), io, false, false);
            this.io = io;
        }
    }
}
