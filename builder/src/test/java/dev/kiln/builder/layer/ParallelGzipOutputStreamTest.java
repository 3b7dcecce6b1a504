package dev.kiln.builder.layer;

import static dev.kiln.builder.layer.ParallelGzipOutputStream.BLOCK_SIZE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParallelGzipOutputStreamTest {

    static byte[] gzip(byte[] data, int level, int threads, int writeSize) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ParallelGzipOutputStream gz = new ParallelGzipOutputStream(out, level, threads)) {
            for (int off = 0; off < data.length; off += writeSize) {
                int n = Math.min(writeSize, data.length - off);
                if (n == 1) {
                    gz.write(data[off]);
                } else {
                    gz.write(data, off, n);
                }
            }
        }
        return out.toByteArray();
    }

    static byte[] gunzip(byte[] gz) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    @Test
    void headerIsFixedAndTrailerHoldsCrcAndSize() throws IOException {
        byte[] data = GoldenLayers.words(1000, 1);
        byte[] gz = gzip(data, 6, 1, 1000);
        assertArrayEquals(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff}, Arrays.copyOf(gz, 10));
        CRC32 crc = new CRC32();
        crc.update(data);
        long trailerCrc = (gz[gz.length - 8] & 0xffL) | (gz[gz.length - 7] & 0xffL) << 8
                | (gz[gz.length - 6] & 0xffL) << 16 | (gz[gz.length - 5] & 0xffL) << 24;
        long trailerSize = (gz[gz.length - 4] & 0xffL) | (gz[gz.length - 3] & 0xffL) << 8
                | (gz[gz.length - 2] & 0xffL) << 16 | (gz[gz.length - 1] & 0xffL) << 24;
        assertEquals(crc.getValue(), trailerCrc);
        assertEquals(1000, trailerSize);
    }

    @Test
    void roundTripsAtBlockBoundaries() throws IOException {
        for (int size : new int[] {0, 1, 100, BLOCK_SIZE - 1, BLOCK_SIZE, BLOCK_SIZE + 1, 3 * BLOCK_SIZE,
            3 * BLOCK_SIZE + 17}) {
            byte[] data = GoldenLayers.words(size, size);
            for (int level : new int[] {0, 1, 6, 9}) {
                assertArrayEquals(data, gunzip(gzip(data, level, 2, 65536)), "size " + size + " level " + level);
            }
        }
    }

    @Test
    void bytesDoNotDependOnThreadsOrWriteSizes() throws IOException {
        byte[] data = mixed(12 * BLOCK_SIZE + 12345);
        for (int level : new int[] {1, 6, 9}) {
            byte[] expected = gzip(data, level, 1, 1 << 20);
            assertArrayEquals(data, gunzip(expected));
            for (int threads : new int[] {2, 8}) {
                assertArrayEquals(expected, gzip(data, level, threads, 8192), "level " + level + " threads " + threads);
            }
        }
        byte[] expected = gzip(data, 6, 1, 8192);
        for (int writeSize : new int[] {1, 511, BLOCK_SIZE, BLOCK_SIZE + 3, 4 << 20}) {
            assertArrayEquals(expected, gzip(data, 6, 2, writeSize), "writes of " + writeSize);
        }
    }

    @Test
    void levelMinusOneIsSix() throws IOException {
        byte[] data = mixed(300_000);
        assertArrayEquals(gzip(data, 6, 1, 4096), gzip(data, -1, 2, 4096));
        assertThrows(IllegalArgumentException.class, () -> new ParallelGzipOutputStream(OutputStream.nullOutputStream(), 10, 1));
        assertThrows(IllegalArgumentException.class, () -> new ParallelGzipOutputStream(OutputStream.nullOutputStream(), 6, 0));
    }

    @Test
    void dictionaryCarriesMatchesAcrossBlocks() throws IOException {
        byte[] pattern = new byte[16 * 1024];
        new Random(3).nextBytes(pattern);
        byte[] data = new byte[1024 * 1024];
        for (int i = 0; i < data.length; i++) {
            data[i] = pattern[i % pattern.length];
        }
        byte[] gz = gzip(data, 6, 2, 65536);
        assertArrayEquals(data, gunzip(gz));
        // without the previous block as a dictionary each of the 8 blocks would cost ~16 KiB
        assertTrue(gz.length < 24 * 1024, "compressed to " + gz.length);
    }

    @Test
    void keepsAtMostTwoBlocksPerThreadInFlight() throws IOException {
        byte[] data = mixed(40 * BLOCK_SIZE);
        for (int threads : new int[] {2, 3}) {
            ParallelGzipOutputStream gz = new ParallelGzipOutputStream(OutputStream.nullOutputStream(), 9, threads);
            gz.write(data);
            gz.close();
            assertEquals(2 * threads, gz.maxInFlight());
            assertTrue(gz.peakInFlight() <= gz.maxInFlight(), "peak " + gz.peakInFlight());
            assertTrue(gz.peakInFlight() >= 1);
        }
    }

    @Test
    void finishLeavesTheTargetOpenAndCloseClosesIt() throws IOException {
        boolean[] closed = {false};
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        OutputStream target = new OutputStream() {
            @Override
            public void write(int b) {
                bytes.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                bytes.write(b, off, len);
            }

            @Override
            public void close() {
                closed[0] = true;
            }
        };
        ParallelGzipOutputStream gz = new ParallelGzipOutputStream(target, 6, 2);
        gz.write(new byte[] {1, 2, 3});
        gz.flush();
        assertEquals(10, bytes.size(), "flush does not cut a block");
        gz.finish();
        assertFalse(closed[0]);
        assertThrows(IOException.class, () -> gz.write(1));
        gz.finish(); // idempotent
        gz.close();
        assertTrue(closed[0]);
        assertArrayEquals(new byte[] {1, 2, 3}, gunzip(bytes.toByteArray()));
    }

    @Test
    void aWriteFailureIsReportedAndStopsThePool() throws IOException {
        OutputStream failing = new OutputStream() {
            int written;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                written += len;
                if (written > 100_000) {
                    throw new IOException("disk full");
                }
            }
        };
        ParallelGzipOutputStream gz = new ParallelGzipOutputStream(failing, 0, 2);
        IOException e = assertThrows(IOException.class, () -> {
            gz.write(mixed(20 * BLOCK_SIZE));
            gz.finish();
        });
        assertEquals("disk full", e.getMessage());
        assertThrows(IOException.class, () -> gz.write(1), "unusable after a failure");
        IOException late = assertThrows(IOException.class, gz::finish, "finish does not pretend all went well");
        assertTrue(late.getMessage().contains("aborted"), late.getMessage());
        assertNoGzipThreadsLeft();
    }

    /** Every stream made so far was finished, closed or failed: their pools must wind down. */
    static void assertNoGzipThreadsLeft() {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (true) {
            java.util.List<String> alive = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("kiln-gzip-") && t.isAlive()).map(Thread::getName).toList();
            if (alive.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gzip threads still running: " + alive);
            }
            Thread.onSpinWait();
        }
    }

    @Test
    void gzipToolAcceptsTheStream(@TempDir Path dir) throws Exception {
        byte[] data = mixed(1_000_000);
        Path file = dir.resolve("x.gz");
        Files.write(file, gzip(data, 6, 2, 100_000));
        Process test = new ProcessBuilder("gzip", "-t", file.toString()).redirectErrorStream(true).start();
        String out = new String(test.getInputStream().readAllBytes());
        assertEquals(0, test.waitFor(), out);
        Process cat = new ProcessBuilder("gzip", "-dc", file.toString()).start();
        byte[] back = cat.getInputStream().readAllBytes();
        assertEquals(0, cat.waitFor());
        assertArrayEquals(data, back);
    }

    /** Text, random bytes and zeros interleaved, so each block compresses differently. */
    static byte[] mixed(int size) {
        byte[] data = new byte[size];
        Random random = new Random(size);
        int at = 0;
        while (at < size) {
            int n = Math.min(size - at, 1000 + random.nextInt(200_000));
            switch (random.nextInt(3)) {
                case 0 -> System.arraycopy(GoldenLayers.words(n, at), 0, data, at, n);
                case 1 -> {
                    byte[] r = new byte[n];
                    random.nextBytes(r);
                    System.arraycopy(r, 0, data, at, n);
                }
                default -> { // zeros already
                }
            }
            at += n;
        }
        return data;
    }
}
