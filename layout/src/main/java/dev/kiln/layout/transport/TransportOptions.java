package dev.kiln.layout.transport;

import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Settings for opening sources and destinations.
 *
 * @param tempDir          where archives are extracted and assembled; null for the system temp folder
 *                         (on the default file system) or the archive's own folder (on others)
 * @param archiveTimestamp the modification time of every entry of a written archive; null for the epoch
 *                         (pass {@code SOURCE_DATE_EPOCH} here)
 * @param maxExpandedBytes the most bytes an archive being read may expand to (a gzipped archive is a
 *                         decompression bomb otherwise); tar headers count
 */
public record TransportOptions(Path tempDir, Instant archiveTimestamp, long maxExpandedBytes) {
    /** 64 GiB: far above any real image, far below a bomb's reach. */
    public static final long DEFAULT_MAX_EXPANDED_BYTES = 64L << 30;

    public TransportOptions {
        if (maxExpandedBytes <= 0) {
            throw new IllegalArgumentException("maxExpandedBytes must be positive");
        }
    }

    public TransportOptions(Path tempDir, Instant archiveTimestamp) {
        this(tempDir, archiveTimestamp, DEFAULT_MAX_EXPANDED_BYTES);
    }

    public static TransportOptions defaults() {
        return new TransportOptions(null, null);
    }

    public TransportOptions withTempDir(Path dir) {
        return new TransportOptions(dir, archiveTimestamp, maxExpandedBytes);
    }

    public TransportOptions withArchiveTimestamp(Instant t) {
        return new TransportOptions(tempDir, t, maxExpandedBytes);
    }

    public TransportOptions withMaxExpandedBytes(long max) {
        return new TransportOptions(tempDir, archiveTimestamp, max);
    }

    /** Entry time in seconds since the epoch. */
    public long archiveTimeSeconds() {
        return archiveTimestamp == null ? 0 : archiveTimestamp.getEpochSecond();
    }

    /** The folder for temporary files near {@code file} (an archive being read or written). */
    public Path tempDirFor(Path file) {
        if (tempDir != null) {
            return tempDir;
        }
        FileSystem fs = file.getFileSystem();
        if (fs == FileSystems.getDefault()) {
            return Path.of(System.getProperty("java.io.tmpdir"));
        }
        Path parent = file.toAbsolutePath().getParent();
        return parent != null ? parent : file.toAbsolutePath().getRoot();
    }
}
