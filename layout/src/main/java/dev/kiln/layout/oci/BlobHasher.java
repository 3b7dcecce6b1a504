package dev.kiln.layout.oci;

import com.github.luben.zstd.ZstdInputStream;
import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.spec.MediaTypes;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Reads a blob once, streaming: hashes its bytes and, for a layer, decompresses them on the way and
 * hashes the uncompressed tar too, so a layer's digest and diff_id are checked in one pass with
 * bounded memory.
 */
final class BlobHasher {
    private static final int BUFFER = 64 * 1024;

    private BlobHasher() {
    }

    /** How a layer's bytes are compressed, from its media type. */
    enum Compression {
        NONE, GZIP, ZSTD;

        static Compression of(String layerMediaType) {
            if (MediaTypes.isGzipLayer(layerMediaType)) {
                return GZIP;
            }
            if (MediaTypes.isZstdLayer(layerMediaType)) {
                return ZSTD;
            }
            return NONE;
        }
    }

    /**
     * @param size              bytes in the blob
     * @param digest            the blob's digest in the algorithm asked for
     * @param uncompressed      digests of the decompressed content by algorithm (empty when not asked or not decompressible)
     * @param decompressProblem why decompression failed, or null
     */
    record Result(long size, Digest digest, Map<String, Digest> uncompressed, String decompressProblem) {
        Result {
            uncompressed = Map.copyOf(uncompressed);
        }
    }

    /**
     * Hashes {@code file} with {@code algorithm}; when {@code compression} is not null, also
     * decompresses it and hashes the result with each of {@code uncompressedAlgorithms}.
     */
    static Result hash(Path file, String algorithm, Compression compression, Set<String> uncompressedAlgorithms)
            throws IOException {
        MessageDigest md = Digest.messageDigest(algorithm);
        Map<String, Digest> uncompressed = new LinkedHashMap<>();
        String problem = null;
        try (Counting counted = new Counting(Files.newInputStream(file), md)) {
            if (compression != null && !uncompressedAlgorithms.isEmpty()) {
                Map<String, MessageDigest> mds = new LinkedHashMap<>();
                for (String a : uncompressedAlgorithms) {
                    mds.put(a, Digest.messageDigest(a));
                }
                InputStream in = null;
                try {
                    in = switch (compression) {
                        case NONE -> counted;
                        case GZIP -> new GZIPInputStream(counted, BUFFER);
                        case ZSTD -> new ZstdInputStream(counted);
                    };
                    byte[] buffer = new byte[BUFFER];
                    for (int n; (n = in.read(buffer)) != -1; ) {
                        for (MessageDigest m : mds.values()) {
                            m.update(buffer, 0, n);
                        }
                    }
                    for (Map.Entry<String, MessageDigest> e : mds.entrySet()) {
                        uncompressed.put(e.getKey(), Digest.of(e.getKey(), e.getValue()));
                    }
                } catch (IOException | UncheckedIOException | LinkageError e) {
                    if (counted.failed != null) {
                        throw counted.failed; // the file itself could not be read
                    }
                    problem = "cannot decompress as " + compression.name().toLowerCase(java.util.Locale.ROOT)
                            + ": " + oneLine(e);
                }
                drain(counted); // the blob's digest covers every byte, also past the end of the compressed stream
                if (in != null && in != counted) {
                    closeQuietly(in);
                }
            } else {
                drain(counted);
            }
            return new Result(counted.count, Digest.of(algorithm, md), uncompressed,
                    problem);
        }
    }

    private static void drain(InputStream in) throws IOException {
        byte[] buffer = new byte[BUFFER];
        while (in.read(buffer) != -1) {
            // hashed on the way through
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException | RuntimeException e) {
            // the underlying file is closed by the caller
        }
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.replaceAll("\\s+", " ").trim();
    }

    /** Hashes and counts what is read through it; remembers read failures of the file itself. */
    private static final class Counting extends FilterInputStream {
        private final MessageDigest md;
        long count;
        IOException failed;
        private boolean closed;

        Counting(InputStream in, MessageDigest md) {
            super(in);
            this.md = md;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (closed) {
                return -1;
            }
            int n;
            try {
                n = in.read(b, off, len);
            } catch (IOException e) {
                failed = e;
                throw e;
            }
            if (n > 0) {
                md.update(b, off, n);
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] buffer = new byte[(int) Math.min(Math.max(n, 1), BUFFER)];
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
        public int available() throws IOException {
            return closed ? 0 : in.available();
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                in.close();
            }
        }
    }
}
