package dev.kiln.layout.transport;

import java.io.IOException;
import java.io.InputStream;

/**
 * A blob's content that can be read again from any offset, as a file in a layout can. An upload
 * that is cut off can then go on from where the receiver stands (or start over) instead of failing,
 * and need not hold what it sends in memory. The streams are not verified: whoever reads them hashes
 * what it reads and checks it against the descriptor.
 */
@FunctionalInterface
public interface SeekableBlob {
    /** The content from byte {@code offset} to its end (unchecked); the caller closes it. */
    InputStream openAt(long offset) throws IOException;
}
