package dev.kiln.builder.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * About 300 MB through parallel gzip in a JVM whose heap (64 MiB) could not hold the input or the
 * output: if anything were materialized, it would fail with OutOfMemoryError.
 */
class StreamingGzipTest {
    static final long SIZE = 300L * 1000 * 1000 + 12345;

    @Test
    void threeHundredMegabytesStreamInBoundedMemory() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                StreamingGzipCheck.class.getName(), Long.toString(SIZE), "2", "1")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        String[] f = out.split(" ");
        assertEquals(Long.toString(SIZE), f[0]);
        assertEquals(f[0], f[2], "inflated size");
        assertEquals(f[1], f[3], "CRC-32 of the inflated bytes equals the input's");
        long compressed = Long.parseLong(f[4]);
        assertTrue(compressed > 1_000_000 && compressed < SIZE / 2, "compressed to " + compressed);
        String[] inFlight = f[5].split("/");
        assertTrue(Integer.parseInt(inFlight[0]) <= Integer.parseInt(inFlight[1]), f[5]);
    }
}
