package dev.kiln.builder.layer;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Passes bytes on in chunks of exactly {@code chunkSize} (the last one shorter), whatever sizes
 * they were written in, and ignores {@link #flush()}. Everything after it (digests, compressors)
 * thus sees the same calls for the same bytes, whether a file came from a disk that reads 8 KiB
 * at a time or from memory, and no flush can make a compressor end a block early.
 */
final class ChunkedOutputStream extends OutputStream {
    private final OutputStream out;
    private final byte[] chunk;
    private int filled;
    private boolean closed;

    ChunkedOutputStream(OutputStream out, int chunkSize) {
        this.out = out;
        this.chunk = new byte[chunkSize];
    }

    @Override
    public void write(int b) throws IOException {
        if (filled == chunk.length) {
            drain();
        }
        chunk[filled++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (filled == chunk.length) {
                drain();
            }
            int n = Math.min(len, chunk.length - filled);
            System.arraycopy(b, off, chunk, filled, n);
            filled += n;
            off += n;
            len -= n;
        }
    }

    /** Deliberately nothing: see the class comment. */
    @Override
    public void flush() {
    }

    /** Passes on the last chunk and closes the wrapped stream. */
    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            drain();
            out.close();
        }
    }

    private void drain() throws IOException {
        if (filled > 0) {
            out.write(chunk, 0, filled);
            filled = 0;
        }
    }
}
