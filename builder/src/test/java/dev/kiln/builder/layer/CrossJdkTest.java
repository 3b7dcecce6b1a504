package dev.kiln.builder.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The same layers must get the same digests under the JDK running the tests (OpenJDK 17, which
 * uses the system zlib) and Temurin 25 (which bundles its own zlib).
 */
class CrossJdkTest {
    static final Path TEMURIN_25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");

    @Test
    void temurin25WritesTheSameBytes() throws Exception {
        assertTrue(Files.isExecutable(TEMURIN_25), "this test needs Temurin 25 at " + TEMURIN_25
                + " (the JDK kiln is checked against besides the one running the tests)");
        String classpath = System.getProperty("java.class.path");
        assertTrue(classpath.contains("test-classes"), "unexpected test classpath: " + classpath);
        ProcessBuilder pb = new ProcessBuilder(TEMURIN_25.toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", classpath, CrossJdkMain.class.getName());
        pb.redirectErrorStream(false);
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "Temurin 25 run did not end");
        assertEquals(0, p.exitValue(), output);

        Map<String, String> theirs = new LinkedHashMap<>();
        List<String> lines = output.lines().toList();
        assertTrue(lines.get(0).startsWith("java.version 25"), "not Temurin 25: " + lines.get(0));
        for (String line : lines.subList(1, lines.size())) {
            int space = line.indexOf(' ');
            theirs.put(line.substring(0, space), line.substring(space + 1));
        }
        Map<String, String> ours = GoldenLayers.digests();
        assertTrue(System.getProperty("java.version").startsWith("17"), "expected to run on JDK 17 here");
        assertEquals(ours.keySet(), theirs.keySet());
        StringBuilder differences = new StringBuilder();
        ours.forEach((name, digests) -> {
            if (!digests.equals(theirs.get(name))) {
                differences.append(name).append(": JDK 17 ").append(digests).append(" / JDK 25 ")
                        .append(theirs.get(name)).append(File.separator.equals("/") ? "\n" : "\r\n");
            }
        });
        assertEquals("", differences.toString(), "layers differ between JDK 17 and Temurin 25");
    }
}
