package dev.kiln.builder.image;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * ADD's archive handling: a local tar, tar.gz, tar.bz2, tar.xz or tar.zst is recognized by its
 * bytes (not its name, as Docker does) and unpacked safely into a temporary folder.
 */
final class ArchiveUnpacker {
    private ArchiveUnpacker() {
    }

    static boolean isArchive(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            byte[] head = in.readNBytes(6);
            if (compression(head) != null) {
                try (InputStream all = new BufferedInputStream(Files.newInputStream(file));
                     InputStream plain = decompress(all)) {
                    return isTar(plain.readNBytes(512));
                } catch (IOException | RuntimeException e) {
                    return false; // compressed, but not a tar: copied as a file, as Docker does
                }
            }
            byte[] block = new byte[512];
            System.arraycopy(head, 0, block, 0, head.length);
            byte[] rest = in.readNBytes(506);
            System.arraycopy(rest, 0, block, 6, rest.length);
            return isTar(block);
        }
    }

    private static boolean isTar(byte[] block) {
        return block.length >= 263 && block[257] == 'u' && block[258] == 's' && block[259] == 't'
                && block[260] == 'a' && block[261] == 'r';
    }

    private static String compression(byte[] h) {
        if (h.length >= 2 && (h[0] & 0xff) == 0x1f && (h[1] & 0xff) == 0x8b) {
            return "gzip";
        }
        if (h.length >= 3 && h[0] == 'B' && h[1] == 'Z' && h[2] == 'h') {
            return "bzip2";
        }
        if (h.length >= 6 && (h[0] & 0xff) == 0xfd && h[1] == '7' && h[2] == 'z' && h[3] == 'X' && h[4] == 'Z' && h[5] == 0) {
            return "xz";
        }
        if (h.length >= 4 && (h[0] & 0xff) == 0x28 && (h[1] & 0xff) == 0xb5 && (h[2] & 0xff) == 0x2f && (h[3] & 0xff) == 0xfd) {
            return "zstd";
        }
        return null;
    }

    static InputStream decompress(InputStream in) throws IOException {
        BufferedInputStream b = new BufferedInputStream(in, 256 * 1024);
        b.mark(8);
        byte[] head = b.readNBytes(6);
        b.reset();
        String c = compression(head);
        if ("bzip2".equals(c)) {
            return new BZip2CompressorInputStream(b, true);
        }
        if ("xz".equals(c)) {
            return new XZCompressorInputStream(b, true);
        }
        return RootfsExtractor.decompress(b);
    }

    /** An unpacked archive: its folder and the modes and owners its tar headers gave. */
    record Unpacked(Path dir, RootfsExtractor metadata) {
    }

    /** Unpacks into a new folder under {@code tempDir}; the caller deletes it. */
    static Unpacked unpack(Path archive, Path tempDir, long maxExpandedBytes, String what) throws IOException {
        Path dir = Files.createTempDirectory(tempDir, "add-");
        try {
            RootfsExtractor extractor = new RootfsExtractor(dir, maxExpandedBytes);
            extractor.apply(decompress(Files.newInputStream(archive)), what);
            return new Unpacked(dir, extractor);
        } catch (IOException | RuntimeException e) {
            RootfsExtractor.deleteTree(dir);
            throw e;
        }
    }
}
