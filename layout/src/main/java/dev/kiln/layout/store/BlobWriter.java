package dev.kiln.layout.store;

import dev.kiln.layout.digest.Digest;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A blob being written: bytes written to {@link #stream()} are hashed and counted on their way to a
 * temporary file; {@link #commit} moves the file into place under its digest. Closing without a
 * commit deletes the temporary file.
 */
public interface BlobWriter extends Closeable {
    OutputStream stream();

    /** Syncs, checks the expected digest and size when given (null / -1 for none), and stores the blob. */
    Digest commit(Digest expected, long expectedSize) throws IOException;

    default Digest commit() throws IOException {
        return commit(null, -1);
    }

    /** Bytes written so far. */
    long size();
}
