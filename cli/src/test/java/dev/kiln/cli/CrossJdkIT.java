package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.testing.Proc;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same build with two JDKs (17 and Temurin 25), from different working folders, gives the same digests. */
class CrossJdkIT {
    static final Path TEMURIN = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");

    @TempDir
    Path tmp;

    @Test
    void sameDigestsOnTwoJdks() throws Exception {
        assertTrue(Files.isExecutable(TEMURIN), "Temurin 25 JDK missing: " + TEMURIN + " (install temurin-25-jdk)");
        Path jar = Path.of("target", "kiln.jar").toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), jar + " missing: run mvn package first");
        String defaultJava = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path example = KilnTestSupport.example();

        Path cwdA = Files.createDirectories(tmp.resolve("cwd-a"));
        Path cwdB = Files.createDirectories(tmp.resolve("somewhere/else/cwd-b"));
        Path outA = tmp.resolve("out-jdk-default");
        Path outB = tmp.resolve("out-jdk25");
        build(cwdA, defaultJava, jar, example, "oci:" + outA);
        // the second one uses relative paths from its own cwd
        build(cwdB, TEMURIN.toString(), jar, cwdB.relativize(example), "oci:" + cwdB.relativize(outB));
        Proc.Result v = Proc.run(TEMURIN.toString(), "-version").assertOk();
        String version = v.stdout() + v.stderr();
        assertTrue(version.contains("25"), version);

        assertEquals(KilnTestSupport.rootDigest(outA), KilnTestSupport.rootDigest(outB),
                "index digests differ between " + defaultJava + " and " + TEMURIN);
        assertEquals(KilnTestSupport.allDigests(outA), KilnTestSupport.allDigests(outB));
        assertEquals(Files.readString(outA.resolve("index.json")), Files.readString(outB.resolve("index.json")));
    }

    private static void build(Path cwd, String java, Path jar, Path context, String output) throws Exception {
        Proc.of(java, "-jar", jar.toString(), "build", "--no-cache", context.toString(), "--platform", KilnTestSupport.PLATFORM_ARG,
                "-t", "example.com/hello:1.0", "-o", output).dir(cwd).run().assertOk();
    }
}
