package dev.kiln.layout;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a small file whole, but never more than a cap: a file that grew past it is refused, not loaded. */
public final class SmallFiles {
    private SmallFiles() {
    }

    /** The bytes of FILE; an IOException naming the file when it holds more than MAX bytes. */
    public static byte[] read(Path file, int max) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(max + 1);
            if (bytes.length > max) {
                throw new IOException(file + ": over the " + max + "-byte limit");
            }
            return bytes;
        }
    }
}
