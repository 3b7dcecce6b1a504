package dev.kiln.builder.layer;

import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * Throughput of the layer compressors (not run by the tests): MB/s of uncompressed input for
 * gzip (kiln, 1 and 2 threads), the JDK's GZIPOutputStream for reference, and zstd.
 *
 * <pre>java -cp &lt;test classpath&gt; dev.kiln.builder.layer.CompressionBenchmark [file] [MB of generated text]</pre>
 * Without a file the JDK's lib/modules (real binary content) is used.
 */
public final class CompressionBenchmark {
    private CompressionBenchmark() {
    }

    interface Compressor {
        OutputStream open(OutputStream sink) throws IOException;
    }

    public static void main(String[] args) throws Exception {
        Path file = args.length > 0 ? Path.of(args[0]) : Path.of(System.getProperty("java.home"), "lib", "modules");
        long textSize = (args.length > 1 ? Long.parseLong(args[1]) : 256) * 1_000_000L;
        byte[] binary = Files.readAllBytes(file);
        System.out.printf("java %s, %d CPUs%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());
        for (int round = 0; round < 2; round++) {
            System.out.println(round == 0 ? "warm-up" : "measured");
            for (String input : new String[] {"binary", "text"}) {
                bench(input, "gzip-6 kiln 1 thread ", s -> new ParallelGzipOutputStream(s, 6, 1), binary, textSize);
                bench(input, "gzip-6 kiln 2 threads", s -> new ParallelGzipOutputStream(s, 6, 2), binary, textSize);
                bench(input, "gzip-6 JDK GZIPOutputStream", s -> new GZIPOutputStream(s, 64 * 1024), binary, textSize);
                bench(input, "gzip-1 kiln 1 thread ", s -> new ParallelGzipOutputStream(s, 1, 1), binary, textSize);
                bench(input, "gzip-1 kiln 2 threads", s -> new ParallelGzipOutputStream(s, 1, 2), binary, textSize);
                bench(input, "zstd-3 1 worker      ", s -> zstd(s, 1), binary, textSize);
                bench(input, "zstd-3 2 workers     ", s -> zstd(s, 2), binary, textSize);
                if (round == 0) {
                    break; // warm up on the binary input only
                }
            }
            if (round == 1) {
                for (Compression c : Compression.values()) {
                    for (int threads : new int[] {1, 2}) {
                        layer(c, threads, binary);
                    }
                }
            }
        }
    }

    /** The whole pipeline: tar, diff_id, compression, blob digest. */
    private static void layer(Compression compression, int threads, byte[] content) throws IOException {
        List<LayerEntry> entries = List.of(LayerEntry.file("lib/modules", 0644, content.length,
                () -> new java.io.ByteArrayInputStream(content)));
        long cpuStart = cpuNanos();
        long start = System.nanoTime();
        BuiltLayer layer = LayerBuilder.of(compression).withThreads(threads).build(entries, OutputStream.nullOutputStream());
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("  layer  %-28s %7.1f MB/s  ratio %.3f  cpu %.2f%n", compression + " " + threads
                + " thread(s)", layer.uncompressedSize() / 1e6 / seconds, (double) layer.size() / layer.uncompressedSize(),
                (cpuNanos() - cpuStart) / 1e9 / seconds);
    }

    /**
     * CPU time of this process: "cpu" in the output is CPUs busy on average. Below the thread
     * count on an idle machine means a stage waits; on a shared machine it means other work took
     * the CPUs and the MB/s figure says little.
     */
    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static OutputStream zstd(OutputStream sink, int workers) throws IOException {
        ZstdOutputStreamNoFinalizer z = new ZstdOutputStreamNoFinalizer(sink, 3);
        z.setChecksum(true);
        z.setWorkers(workers);
        return z;
    }

    private static void bench(String input, String name, Compressor compressor, byte[] binary, long textSize)
            throws IOException {
        long[] written = {0};
        OutputStream sink = new OutputStream() {
            @Override
            public void write(int b) {
                written[0]++;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                written[0] += len;
            }
        };
        long size = input.equals("binary") ? binary.length : textSize;
        byte[] buffer = new byte[256 * 1024];
        long cpuStart = cpuNanos();
        long start = System.nanoTime();
        try (OutputStream out = compressor.open(sink)) {
            if (input.equals("binary")) {
                for (int off = 0; off < binary.length; off += buffer.length) {
                    out.write(binary, off, Math.min(buffer.length, binary.length - off));
                }
            } else {
                try (InputStream in = new GeneratedInput(textSize)) {
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        out.write(buffer, 0, n);
                    }
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("  %-6s %-28s %7.1f MB/s  ratio %.3f  cpu %.2f%n", input, name, size / 1e6 / seconds,
                (double) written[0] / size, (cpuNanos() - cpuStart) / 1e9 / seconds);
    }
}
