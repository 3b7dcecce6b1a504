package dev.kiln.builder.layer;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A gzip stream compressed pigz-style: the input is cut into fixed {@value #BLOCK_SIZE}-byte
 * blocks, each block is deflated on its own (primed with the previous block's last 32 KiB as a
 * dictionary, ended with a sync flush, the last one with finish), and the pieces are written in
 * order as ONE deflate stream inside one gzip member.
 *
 * <p>The bytes depend only on the input and the level: the block size is a constant, a block is
 * compressed the same way whichever thread does it, and a single thread runs the same per-block
 * algorithm inline. {@link #flush()} does not cut a block early. The 10-byte header is fixed:
 * {@code 1f 8b 08 00 00000000 00 ff} (no name, MTIME 0, XFL 0, OS 255 "unknown" as Go's
 * compress/gzip writes it; the JDK's GZIPOutputStream writes OS 0 before JDK 16 and 255 after).
 * The trailer is the CRC-32 of the whole input, computed on the writing thread, and its size mod
 * 2^32.
 *
 * <p>Memory is bounded: at most {@code 2 * threads} blocks are in flight; a writer that gets
 * ahead waits for the oldest block and writes it out.
 *
 * <p>Not thread-safe: one thread writes. {@link #close()} closes the wrapped stream,
 * {@link #finish()} does not.
 */
public final class ParallelGzipOutputStream extends OutputStream {
    /** Uncompressed bytes per independently compressed block (pigz uses 128 KiB too). */
    public static final int BLOCK_SIZE = 128 * 1024;
    /** Deflate's window: how much of the previous block primes the next one. */
    public static final int DICTIONARY_SIZE = 32 * 1024;
    private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};
    private static final AtomicInteger POOL_NUMBER = new AtomicInteger();

    private final OutputStream out;
    private final int level;
    private final ExecutorService pool;
    private final int maxInFlight;
    private final ArrayDeque<Future<byte[]>> pending = new ArrayDeque<>();
    private final ArrayDeque<Deflater> idleDeflaters = new ArrayDeque<>();
    private final CRC32 crc = new CRC32();
    private final byte[] single = new byte[1];
    private byte[] block = new byte[BLOCK_SIZE];
    private int filled;
    private byte[] previous;
    private long inputSize;
    private int peakInFlight;
    private boolean finished;
    private boolean aborted;
    private boolean released;

    /**
     * @param out     receives the gzip stream
     * @param level   deflate level 0..9, or -1 for the default 6
     * @param threads compressing threads; 1 compresses on the writing thread
     */
    public ParallelGzipOutputStream(OutputStream out, int level, int threads) throws IOException {
        this.out = out;
        this.level = Compression.GZIP.checkLevel(level);
        if (threads < 1) {
            throw new IllegalArgumentException("gzip threads must be at least 1, not " + threads);
        }
        this.maxInFlight = 2 * threads;
        out.write(HEADER);
        if (threads == 1) {
            this.pool = null;
        } else {
            String prefix = "kiln-gzip-" + POOL_NUMBER.incrementAndGet() + "-";
            AtomicInteger n = new AtomicInteger();
            this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                    r -> {
                        Thread t = new Thread(r, prefix + n.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
        }
    }

    @Override
    public void write(int b) throws IOException {
        single[0] = (byte) b;
        write(single, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (finished) {
            throw new IOException(aborted ? "gzip stream was aborted after an earlier failure"
                    : "gzip stream already finished");
        }
        if ((off | len) < 0 || len > b.length - off) {
            throw new IndexOutOfBoundsException();
        }
        crc.update(b, off, len);
        inputSize += len;
        try {
            while (len > 0) {
                if (filled == BLOCK_SIZE) {
                    submit(false);
                }
                int n = Math.min(len, BLOCK_SIZE - filled);
                System.arraycopy(b, off, block, filled, n);
                filled += n;
                off += n;
                len -= n;
            }
        } catch (IOException | RuntimeException | Error e) {
            abort();
            throw e;
        }
    }

    /** Writes out what has been compressed so far; never cuts the current block short. */
    @Override
    public void flush() throws IOException {
        out.flush();
    }

    /** Compresses the rest, writes the trailer and flushes, without closing the wrapped stream. */
    public void finish() throws IOException {
        if (aborted) {
            throw new IOException("gzip stream was aborted after an earlier failure");
        }
        if (finished) {
            return;
        }
        try {
            submit(true);
            while (!pending.isEmpty()) {
                writeOldest();
            }
            byte[] trailer = new byte[8];
            putIntLE(trailer, 0, crc.getValue());
            putIntLE(trailer, 4, inputSize);
            out.write(trailer);
            out.flush();
            finished = true;
        } catch (IOException | RuntimeException | Error e) {
            abort();
            throw e;
        } finally {
            release();
        }
    }

    @Override
    public void close() throws IOException {
        try {
            finish();
        } finally {
            out.close();
        }
    }

    /** Stops compressing without writing anything more; the stream is unusable afterwards. */
    public void abort() {
        finished = true;
        aborted = true;
        for (Future<byte[]> f : pending) {
            f.cancel(true);
        }
        pending.clear();
        release();
    }

    /** Uncompressed bytes written so far. */
    public long inputSize() {
        return inputSize;
    }

    /** The most blocks that were queued or compressing at once (for tests of the memory bound). */
    int peakInFlight() {
        return peakInFlight;
    }

    int maxInFlight() {
        return maxInFlight;
    }

    private void submit(boolean last) throws IOException {
        byte[] data = block;
        int length = filled;
        byte[] dictionary = previous;
        previous = data;
        block = last ? null : new byte[BLOCK_SIZE];
        filled = 0;
        if (pool == null) {
            out.write(deflate(data, length, dictionary, last));
            return;
        }
        pending.add(pool.submit(() -> deflate(data, length, dictionary, last)));
        peakInFlight = Math.max(peakInFlight, pending.size());
        while (pending.size() >= maxInFlight || (!pending.isEmpty() && pending.peek().isDone())) {
            writeOldest();
        }
    }

    private void writeOldest() throws IOException {
        Future<byte[]> oldest = pending.poll();
        byte[] compressed;
        try {
            compressed = oldest.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort();
            throw new InterruptedIOException("interrupted while waiting for a gzip block");
        } catch (ExecutionException e) {
            abort();
            Throwable cause = e.getCause();
            throw new IOException("gzip: compressing a block failed: " + cause, cause);
        }
        out.write(compressed);
    }

    /** One block as raw deflate data: the same bytes whichever thread runs it. */
    private byte[] deflate(byte[] data, int length, byte[] dictionary, boolean last) {
        Deflater deflater = takeDeflater();
        try {
            if (dictionary != null) {
                deflater.setDictionary(dictionary, dictionary.length - DICTIONARY_SIZE, DICTIONARY_SIZE);
            }
            deflater.setInput(data, 0, length);
            byte[] buffer = new byte[length + (length >> 3) + 64];
            int pos = 0;
            if (last) {
                deflater.finish();
                while (!deflater.finished()) {
                    if (pos == buffer.length) {
                        buffer = Arrays.copyOf(buffer, buffer.length * 2);
                    }
                    pos += deflater.deflate(buffer, pos, buffer.length - pos);
                }
            } else {
                while (true) { // a sync flush is complete once deflate leaves output space unused
                    if (pos == buffer.length) {
                        buffer = Arrays.copyOf(buffer, buffer.length * 2);
                    }
                    int space = buffer.length - pos;
                    int n = deflater.deflate(buffer, pos, space, Deflater.SYNC_FLUSH);
                    pos += n;
                    if (n < space) {
                        break;
                    }
                }
            }
            return Arrays.copyOf(buffer, pos);
        } finally {
            returnDeflater(deflater);
        }
    }

    private Deflater takeDeflater() {
        synchronized (idleDeflaters) {
            if (released) {
                throw new IllegalStateException("gzip stream was closed");
            }
            Deflater d = idleDeflaters.poll();
            if (d == null) {
                d = new Deflater(level, true);
            }
            return d;
        }
    }

    private void returnDeflater(Deflater d) {
        synchronized (idleDeflaters) {
            if (released) {
                d.end();
            } else {
                d.reset();
                idleDeflaters.push(d);
            }
        }
    }

    private void release() {
        if (pool != null) {
            pool.shutdownNow();
        }
        synchronized (idleDeflaters) {
            if (!released) {
                released = true;
                for (Deflater d : idleDeflaters) {
                    d.end();
                }
                idleDeflaters.clear();
            }
        }
    }

    private static void putIntLE(byte[] b, int at, long value) {
        b[at] = (byte) value;
        b[at + 1] = (byte) (value >>> 8);
        b[at + 2] = (byte) (value >>> 16);
        b[at + 3] = (byte) (value >>> 24);
    }
}
