package dev.kiln.builder.layer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.zip.CRC32;
import java.util.zip.GZIPInputStream;

/**
 * Streams generated input through {@link ParallelGzipOutputStream} into a reader thread that
 * inflates it with {@link GZIPInputStream} (which checks the gzip CRC and size) and computes the
 * CRC-32 of what comes out. Nothing is materialized: {@link StreamingGzipTest} runs this in a JVM
 * with a small heap. Prints "size inputCrc outputSize outputCrc compressedSize peakInFlight".
 */
public final class StreamingGzipCheck {
    private StreamingGzipCheck() {
    }

    public static void main(String[] args) throws Exception {
        long size = Long.parseLong(args[0]);
        int threads = Integer.parseInt(args[1]);
        int level = Integer.parseInt(args[2]);
        System.out.println(run(size, threads, level));
    }

    static String run(long size, int threads, int level) throws IOException, InterruptedException, ExecutionException {
        Pipe pipe = new Pipe();
        CompletableFuture<long[]> reader = CompletableFuture.supplyAsync(() -> {
            try (GZIPInputStream in = new GZIPInputStream(pipe.input(), 64 * 1024)) {
                CRC32 crc = new CRC32();
                byte[] buffer = new byte[256 * 1024];
                long total = 0;
                for (int n; (n = in.read(buffer)) > 0; ) {
                    crc.update(buffer, 0, n);
                    total += n;
                }
                return new long[] {total, crc.getValue()};
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        CRC32 inputCrc = new CRC32();
        ParallelGzipOutputStream gz = new ParallelGzipOutputStream(pipe.output(), level, threads);
        try (InputStream in = new GeneratedInput(size)) {
            byte[] buffer = new byte[256 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                inputCrc.update(buffer, 0, n);
                gz.write(buffer, 0, n);
            }
        }
        gz.close();
        long[] out = reader.get();
        return size + " " + inputCrc.getValue() + " " + out[0] + " " + out[1] + " " + pipe.bytes + " "
                + gz.peakInFlight() + "/" + gz.maxInFlight();
    }

    /** A bounded hand-off of written arrays to a reading thread (PipedInputStream stalls up to 1 s). */
    static final class Pipe {
        private static final byte[] EOF = new byte[0];
        private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(8);
        long bytes;

        OutputStream output() {
            return new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    if (len == 0) {
                        return;
                    }
                    bytes += len;
                    put(java.util.Arrays.copyOfRange(b, off, off + len));
                }

                @Override
                public void close() throws IOException {
                    put(EOF);
                }

                private void put(byte[] chunk) throws IOException {
                    try {
                        queue.put(chunk);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new java.io.InterruptedIOException();
                    }
                }
            };
        }

        InputStream input() {
            return new InputStream() {
                private byte[] current = new byte[0];
                private int at;

                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    while (at == current.length) {
                        if (current == EOF) {
                            return -1;
                        }
                        try {
                            current = queue.take();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new java.io.InterruptedIOException();
                        }
                        at = 0;
                        if (current == EOF) {
                            return -1;
                        }
                    }
                    int n = Math.min(len, current.length - at);
                    System.arraycopy(current, at, b, off, n);
                    at += n;
                    return n;
                }
            };
        }
    }
}
