package dev.kiln.builder.layer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the bytes of a file entry come from. {@link #open()} may be called more than once (a layer
 * may be written again, e.g. for another compression); each call returns a fresh stream that the
 * caller closes.
 */
@FunctionalInterface
public interface ContentSource {
    InputStream open() throws IOException;

    /**
     * What identifies these bytes without reading them, for the layer cache: for a file, its real
     * path, size, modification and change times and inode. Null when there is no such identity
     * (the layer is then never taken from the cache).
     */
    default String identity() throws IOException {
        return null;
    }

    /** A file on any {@link java.nio.file.FileSystem} (the default one, jimfs, a zip file system). */
    static ContentSource of(Path file) {
        Objects.requireNonNull(file, "file");
        return new ContentSource() {
            @Override
            public InputStream open() throws IOException {
                // NOFOLLOW: a file swapped for a symlink after the scan must not pull in what it points at
                return Files.newInputStream(file, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            }

            @Override
            public String identity() throws IOException {
                return FileIdentity.of(file);
            }
        };
    }

    /**
     * A file whose identity was taken when it was found (by a walk that stat'ed it anyway), so the
     * cache key costs no second look at the file.
     */
    static ContentSource of(Path file, String identity) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(identity, "identity");
        return new ContentSource() {
            @Override
            public InputStream open() throws IOException {
                return Files.newInputStream(file, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            }

            @Override
            public String identity() {
                return identity;
            }
        };
    }

    /** Bytes in memory; the array is copied. */
    static ContentSource of(byte[] bytes) {
        byte[] copy = bytes.clone();
        return () -> new ByteArrayInputStream(copy);
    }
}
