package dev.kiln.cli;

import static dev.kiln.cli.KilnTestSupport.kiln;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Human output of {@code inspect}: strings from the image never carry terminal control sequences. */
class InspectOutputTest {
    @TempDir
    Path tmp;

    @Test
    void controlCharactersInTheConfigAreNotPrintedRaw() throws Exception {
        Path ctx = Files.createDirectories(tmp.resolve("ctx"));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\n"
                + "LABEL evil=\"a\u001b[31mred\" \"k\u009bey\"=v\n"
                + "USER \u001b]0;title\u0007\n"
                + "WORKDIR /w\u001b[2J\n");
        Path layout = tmp.resolve("l");
        kiln("build", ctx.toString(), "--platform", "linux/amd64", "-t", "x:1", "-o", "oci:" + layout).ok();
        String out = kiln("inspect", "oci:" + layout + ":x:1").ok().out();
        assertTrue(out.contains("evil=a?[31mred"), out);
        assertTrue(out.contains("k?ey=v"), out);
        assertTrue(out.contains("User:        ?]0;title?"), out);
        assertFalse(out.chars().anyMatch(c -> c == 0x1b || c == 0x07 || c == 0x9b), out);
        // --json escapes instead, so the values survive
        String json = kiln("inspect", "--json", "oci:" + layout + ":x:1").ok().out();
        assertTrue(json.contains("a\\u001B[31mred"), json);
    }
}
