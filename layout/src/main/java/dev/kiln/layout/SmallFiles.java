package dev.kiln.layout;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reading small files (JSON documents, recipes, ignore files) whole, with a size cap. */
public final class SmallFiles {
    private SmallFiles() {
    }

    /** The file's bytes; fails naming the file when it is larger than {@code max} bytes. */
    public static byte[] read(Path file, int max) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(max + 1);
            if (bytes.length > max) {
                throw new KilnException(file + ": larger than the " + max + "-byte limit for this file");
            }
            return bytes;
        }
    }
}
