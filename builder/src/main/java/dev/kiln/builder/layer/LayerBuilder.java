package dev.kiln.builder.layer;

import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.digest.DigestingOutputStream;
import dev.kiln.layout.store.BlobWriter;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Collection;
import java.util.Map;

/**
 * Writes a layer blob in one pass with constant memory:
 * tar ({@link ReproducibleTarWriter}) -> fixed 256 KiB chunks -> sha256 of the tar (diff_id) ->
 * compressor -> sha256 and size of the blob -> the caller's stream (e.g. a blob store's temp file).
 *
 * <p>The blob bytes depend on the entries, the timestamp, the compression and its level, and on
 * the compressor builds (the JDK's zlib, the zstd in zstd-jni), never on the thread count:
 * gzip uses {@link ParallelGzipOutputStream}'s fixed blocks; zstd always runs in zstd's
 * multi-threaded mode (at least one worker), whose output is the same for any number of workers
 * (single-threaded zstd, workers = 0, writes different bytes, so kiln never uses it).
 * The zstd frame has a checksum and no content size (the size is not known up front).
 *
 * <p>Immutable; one instance may build many layers, also concurrently.
 */
public final class LayerBuilder {
    /** Size of the chunks passed to digests and compressors. */
    static final int CHUNK_SIZE = 256 * 1024;
    private static final int DEFAULT_MAX_THREADS = 4;

    private final Compression compression;
    private final int level;
    private final int threads;
    private final long timestamp;

    private LayerBuilder(Compression compression, int level, int threads, long timestamp) {
        this.compression = compression;
        this.level = compression.checkLevel(level);
        if (threads < 1) {
            throw new IllegalArgumentException("layer compression threads must be at least 1, not " + threads);
        }
        this.threads = threads;
        new ReproducibleTarWriter(timestamp); // validates
        this.timestamp = timestamp;
    }

    /**
     * A builder with the compression's default level, timestamp 0 and up to 4 threads (the
     * thread count never changes the bytes).
     */
    public static LayerBuilder of(Compression compression) {
        int threads = Math.max(1, Math.min(DEFAULT_MAX_THREADS, Runtime.getRuntime().availableProcessors()));
        return new LayerBuilder(compression, compression.defaultLevel(), threads, 0);
    }

    /** Compression level: gzip 0..9, zstd 1..19, -1 for the default; ignored for NONE. */
    public LayerBuilder withLevel(int newLevel) {
        return new LayerBuilder(compression, newLevel, threads, timestamp);
    }

    public LayerBuilder withThreads(int newThreads) {
        return new LayerBuilder(compression, level, newThreads, timestamp);
    }

    /** Every entry's mtime, in seconds since the epoch. */
    public LayerBuilder withTimestamp(long epochSeconds) {
        return new LayerBuilder(compression, level, threads, epochSeconds);
    }

    public Compression compression() {
        return compression;
    }

    public int level() {
        return level;
    }

    public int threads() {
        return threads;
    }

    public long timestamp() {
        return timestamp;
    }

    /**
     * Writes the layer holding {@code entries} (in any order; see {@link LayerEntries#canonical})
     * to {@code out}, which is flushed but not closed. On failure the bytes written so far are
     * garbage and the caller discards them.
     */
    public BuiltLayer build(Collection<LayerEntry> entries, OutputStream out) throws IOException {
        DigestingOutputStream blob = new DigestingOutputStream(out);
        Written w = write(entries, blob);
        blob.flush();
        return new BuiltLayer(blob.digest(), blob.size(), w.diffId(), w.tarSize(), compression.ociMediaType(), compression);
    }

    /**
     * Writes the layer into {@code blob} and commits it: the blob's digest and size are the ones
     * the blob store computed as it wrote the bytes (nothing hashes the compressed stream twice).
     * On failure the writer is left uncommitted; the caller closes it, which discards it.
     */
    public BuiltLayer build(Collection<LayerEntry> entries, BlobWriter blob) throws IOException {
        Written w = write(entries, blob.stream());
        Digest digest = blob.commit();
        return new BuiltLayer(digest, blob.size(), w.diffId(), w.tarSize(), compression.ociMediaType(), compression);
    }

    /** The uncompressed tar's digest and size. */
    private record Written(Digest diffId, long tarSize) {
    }

    private Written write(Collection<LayerEntry> entries, OutputStream out) throws IOException {
        ReproducibleTarWriter tarWriter = new ReproducibleTarWriter(timestamp);
        OutputStream target = new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                out.flush(); // the caller's stream stays open
            }
        };
        if (compression == Compression.NONE) {
            DigestingOutputStream tar = new DigestingOutputStream(target);
            try (ChunkedOutputStream chunked = new ChunkedOutputStream(tar, CHUNK_SIZE)) {
                tarWriter.write(entries, chunked);
            }
            return new Written(tar.digest(), tar.size());
        }
        OutputStream compressor = openCompressor(target);
        DigestingOutputStream tar = new DigestingOutputStream(new FilterOutputStream(compressor) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void flush() {
                // a flush would end a zstd block early; the bytes must not depend on it
            }
        });
        try {
            ChunkedOutputStream chunked = new ChunkedOutputStream(tar, CHUNK_SIZE);
            tarWriter.write(entries, chunked);
            chunked.close(); // last chunk, compressor end, blob flush
        } catch (IOException | RuntimeException | Error e) {
            abort(compressor, e);
            throw e;
        }
        return new Written(tar.digest(), tar.size());
    }

    private OutputStream openCompressor(OutputStream blob) throws IOException {
        if (compression == Compression.GZIP) {
            return new ParallelGzipOutputStream(blob, level, threads);
        }
        ZstdOutputStreamNoFinalizer zstd = new ZstdOutputStreamNoFinalizer(blob, level);
        try {
            zstd.setChecksum(true);
            zstd.setWorkers(threads); // >= 1: multi-threaded mode, same bytes for any worker count
            return zstd;
        } catch (IOException | RuntimeException e) {
            zstd.close();
            throw e;
        }
    }

    private static void abort(OutputStream compressor, Throwable failure) {
        if (compressor instanceof ParallelGzipOutputStream gzip) {
            gzip.abort();
            return;
        }
        try {
            compressor.close(); // frees zstd's native context; the caller discards the bytes
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /**
     * The layer timestamp as kiln resolves it: {@code --timestamp} if given, else the
     * environment's {@code SOURCE_DATE_EPOCH} (https://reproducible-builds.org/specs/source-date-epoch/),
     * else 0 (1970-01-01T00:00:00Z).
     */
    public static long timestamp(Long explicit, Map<String, String> environment) {
        if (explicit != null) {
            return check(explicit, "--timestamp");
        }
        String value = environment.get("SOURCE_DATE_EPOCH");
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            return check(Long.parseLong(value.trim()), "SOURCE_DATE_EPOCH");
        } catch (NumberFormatException e) {
            throw new LayerException("SOURCE_DATE_EPOCH '" + value + "' is not a number of seconds");
        }
    }

    private static long check(long seconds, String what) {
        if (seconds < 0 || seconds > ReproducibleTarWriter.MAX_TIMESTAMP) {
            throw new LayerException(what + " " + seconds + " is outside 0.." + ReproducibleTarWriter.MAX_TIMESTAMP);
        }
        return seconds;
    }
}
