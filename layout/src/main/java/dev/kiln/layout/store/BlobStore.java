package dev.kiln.layout.store;

import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.spec.Descriptor;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * A content-addressed blob store. Writes stream once: the digest and size are computed while the
 * bytes go to a temporary file, which is then synced and moved into place atomically. A blob that
 * is already present is never written again.
 */
public interface BlobStore {
    boolean exists(Digest digest);

    /** Size of a stored blob in bytes. */
    long size(Digest digest) throws IOException;

    /** Opens a blob without checking its content. */
    InputStream open(Digest digest) throws IOException;

    /** Opens a blob at byte {@code offset} without checking its content. */
    default InputStream openAt(Digest digest, long offset) throws IOException {
        InputStream in = open(digest);
        try {
            in.skipNBytes(offset);
            return in;
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /** Opens a blob that fails at end of stream when its bytes are not the descriptor's digest and size. */
    InputStream openVerified(Descriptor descriptor) throws IOException;

    /** Reads a small blob (a manifest, index or config; at most 4 MiB) and verifies it. */
    byte[] readSmall(Descriptor descriptor) throws IOException;

    /** Stores a stream, computing its digest. */
    Descriptor put(String mediaType, InputStream in) throws IOException;

    /**
     * Stores a stream that must match the descriptor. When the blob is already present nothing is
     * read and false is returned. On a digest or size mismatch nothing is stored. A stream that
     * checks this very digest and size itself ({@link dev.kiln.layout.digest.SelfVerifyingStream},
     * possibly behind pass-through wrappers) is not hashed again: its clean end is the check.
     */
    boolean put(Descriptor expected, InputStream in) throws IOException;

    /** Stores bytes, computing their digest. */
    Descriptor putBytes(String mediaType, byte[] bytes) throws IOException;

    /** A sink for content produced on the fly (a layer being built). */
    BlobWriter writer() throws IOException;

    /** Deletes a blob; returns its size, or -1 when it was not there. */
    long delete(Digest digest) throws IOException;

    /** Every stored blob. */
    List<Digest> list() throws IOException;
}
