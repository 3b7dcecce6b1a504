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
 */
public record TransportOptions(Path tempDir, Instant archiveTimestamp) {
    public static TransportOptions defaults() {
        return new TransportOptions(null, null);
    }

    public TransportOptions withTempDir(Path dir) {
        return new TransportOptions(dir, archiveTimestamp);
    }

    public TransportOptions withArchiveTimestamp(Instant t) {
        return new TransportOptions(tempDir, t);
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
