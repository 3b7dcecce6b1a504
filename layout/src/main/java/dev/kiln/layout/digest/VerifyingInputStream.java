package dev.kiln.layout.digest;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Passes bytes through while hashing them, and fails at end of stream (or as soon as the stream is
 * longer than expected) when the content is not the expected digest and size. Callers must read to
 * EOF for the check to happen; nothing read before the failure should be trusted or kept.
 */
public final class VerifyingInputStream extends FilterInputStream implements SelfVerifyingStream {
    private final Digest expected;
    private final long expectedSize;
    private final String what;
    private final MessageDigest md;
    private long count;
    private boolean checked;
    private DigestMismatchException failure;

    /** @param expectedSize the size to insist on, or -1 to check the digest only */
    public VerifyingInputStream(InputStream in, Digest expected, long expectedSize, String what) {
        super(in);
        this.expected = expected;
        this.expectedSize = expectedSize;
        this.what = what;
        this.md = expected.newMessageDigest();
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b < 0) {
            check();
        } else {
            md.update((byte) b);
            grow(1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n < 0) {
            check();
        } else {
            md.update(b, off, n);
            grow(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buffer = new byte[(int) Math.min(n, 8192)];
        long skipped = 0;
        while (skipped < n) {
            int r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void grow(int n) {
        count += n;
        if (expectedSize >= 0 && count > expectedSize) {
            throw new DigestMismatchException(what + " " + expected + ": more than the expected " + expectedSize + " bytes");
        }
    }

    private void check() {
        if (failure != null) {
            throw failure; // again: a failed stream never ends cleanly
        }
        if (checked) {
            return;
        }
        if (expectedSize >= 0 && count != expectedSize) {
            failure = new DigestMismatchException(what + " " + expected + ": size is " + count + " bytes, expected " + expectedSize);
            throw failure;
        }
        Digest actual = Digest.of(expected.algorithm(), md);
        if (!actual.equals(expected)) {
            failure = new DigestMismatchException(what + " " + expected + ": content hashes to " + actual);
            throw failure;
        }
        checked = true;
    }

    @Override
    public Digest verifiedDigest() {
        return expected;
    }

    /** The size checked at end of stream; -1 (matching no descriptor) when only the digest is. */
    @Override
    public long verifiedSize() {
        return expectedSize;
    }

    public long count() {
        return count;
    }
}
