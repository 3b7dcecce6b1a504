package dev.kiln.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * A generated build context big enough that a build takes a while: three folders of files (one
 * layer each), a small folder per architecture (so each platform has a layer of its own) and a
 * recipe with a WORKDIR layer. The content is seeded, so the same call gives the same digests.
 */
final class BigContext {
    static final List<String> ARCHES = List.of("amd64", "arm64", "arm");
    static final String RECIPE = """
            FROM scratch
            ARG TARGETARCH
            COPY a /data/a
            COPY b /data/b
            COPY arch-${TARGETARCH} /arch
            WORKDIR /work
            COPY c /data/c
            ENV KILN_TEST=crash
            """;

    private BigContext() {
    }

    /**
     * @param totalBytes     about how many bytes of files
     * @param randomFraction the share of each file that is random (incompressible); the rest is text
     */
    static Path generate(Path dir, long seed, long totalBytes, double randomFraction) throws IOException {
        Random r = new Random(seed);
        Files.createDirectories(dir);
        int filesPerFolder = 16;
        long perFile = Math.max(1, totalBytes / (3L * filesPerFolder));
        for (String folder : List.of("a", "b", "c")) {
            Path f = Files.createDirectories(dir.resolve(folder));
            for (int i = 0; i < filesPerFolder; i++) {
                write(f.resolve("file-" + i + ".bin"), r, perFile, randomFraction, folder + i);
            }
        }
        for (String arch : ARCHES) {
            Path f = Files.createDirectories(dir.resolve("arch-" + arch));
            write(f.resolve("hello"), r, 64 * 1024, 0.5, arch);
        }
        Files.writeString(dir.resolve("Dockerfile"), RECIPE, StandardCharsets.UTF_8);
        return dir;
    }

    private static void write(Path file, Random r, long size, double randomFraction, String word) throws IOException {
        long random = (long) (size * randomFraction);
        byte[] line = (word + " the quick brown fox jumps over the lazy dog " + r.nextInt() + "\n")
                .getBytes(StandardCharsets.US_ASCII);
        try (OutputStream out = Files.newOutputStream(file)) {
            byte[] buf = new byte[64 * 1024];
            for (long left = random; left > 0; ) {
                int n = (int) Math.min(buf.length, left);
                r.nextBytes(buf);
                out.write(buf, 0, n);
                left -= n;
            }
            for (long left = size - random; left > 0; ) {
                int n = (int) Math.min(line.length, left);
                out.write(line, 0, n);
                left -= n;
            }
        }
    }
}
