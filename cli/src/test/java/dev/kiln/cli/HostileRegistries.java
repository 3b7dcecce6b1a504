package dev.kiln.cli;

import static dev.kiln.cli.KilnTestSupport.kiln;

import dev.kiln.testing.HostileRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Helpers of the CLI's registry security tests: a tiny image to push, and what hostile servers saw. */
final class HostileRegistries {
    private HostileRegistries() {
    }

    /** A one-platform image of one small file, built into {@code dir} under tag 1. */
    static Path tinyLayout(Path dir) throws IOException {
        Path ctx = Files.createDirectories(dir.resolve("ctx"));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY a.txt /a.txt\n");
        Files.writeString(ctx.resolve("a.txt"), "hello " + System.nanoTime() + "\n");
        Path layout = dir.resolve("layout");
        kiln("build", ctx.toString(), "--platform", "linux/amd64", "-o", "oci:" + layout + ":1").ok();
        return layout;
    }

    /** Every header value every server saw, one line each (for checks of where a secret went). */
    static String headersSeenBy(HostileRegistry... servers) {
        List<String> out = new ArrayList<>();
        for (HostileRegistry s : servers) {
            for (HostileRegistry.Request r : s.requests()) {
                r.headers().forEach((k, vs) -> vs.forEach(v -> out.add(s.host() + " " + k + ": " + v)));
                out.add(s.host() + " " + r.method() + " " + r.uri() + " " + r.bodyText());
            }
        }
        return out.stream().collect(Collectors.joining("\n"));
    }
}
