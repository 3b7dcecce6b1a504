package dev.kiln.layout.digest;

import java.io.InputStream;

/**
 * An input stream that checks its own content: before it reports end of stream it has hashed every
 * byte it handed on and fails (with a {@link DigestMismatchException} or another exception) unless
 * they are exactly {@link #verifiedSize()} bytes with digest {@link #verifiedDigest()}; after a
 * failure it never reports a clean end. A reader that gets {@code -1} from such a stream, without an
 * exception on the way, holds bytes whose digest was checked, so a blob store may name them by that
 * digest without hashing them a second time.
 */
public interface SelfVerifyingStream {
    Digest verifiedDigest();

    long verifiedSize();

    /**
     * A stream that hands on another stream's bytes unchanged, in order, none added or left out
     * (progress counting). Such wrappers keep a self-verifying stream's promise.
     */
    interface PassThrough {
        InputStream source();
    }

    /**
     * True when reading {@code in} to its end checks that its bytes are {@code digest} and
     * {@code size}: it is a self-verifying stream for exactly those, or passes one through.
     */
    static boolean checks(InputStream in, Digest digest, long size) {
        InputStream s = in;
        for (int depth = 0; depth < 16 && s != null; depth++) {
            if (s instanceof SelfVerifyingStream v) {
                return v.verifiedSize() == size && v.verifiedDigest().equals(digest);
            }
            if (!(s instanceof PassThrough p)) {
                return false;
            }
            s = p.source();
        }
        return false;
    }
}
