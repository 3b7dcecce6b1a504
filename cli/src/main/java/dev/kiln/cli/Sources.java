package dev.kiln.cli;

import dev.kiln.layout.spec.Platform;
import dev.kiln.layout.transport.ImageDestination;
import dev.kiln.layout.transport.ImageReference;
import dev.kiln.layout.transport.ImageSource;
import dev.kiln.layout.transport.TransportOptions;
import dev.kiln.layout.transport.Transports;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.util.ArrayList;
import java.util.List;

/** Opening sources and destinations from the references users type, and parsing --platform lists. */
final class Sources {
    private static final Transports TRANSPORTS = Transports.standard();

    private Sources() {
    }

    static Transports transports() {
        return TRANSPORTS;
    }

    static ImageReference parse(String text) {
        try {
            return References.parseLocal(text);
        } catch (dev.kiln.layout.transport.TransportException e) {
            throw new Failures.UsageException(e.getMessage());
        }
    }

    static ImageSource source(String text) throws IOException {
        return TRANSPORTS.openSource(parse(text), FileSystems.getDefault(), TransportOptions.defaults());
    }

    static ImageDestination destination(String text) throws IOException {
        return TRANSPORTS.openDestination(parse(text), FileSystems.getDefault(), TransportOptions.defaults());
    }

    /** {@code linux/amd64,linux/arm64} (repeatable options are joined). */
    static List<Platform> platforms(List<String> values) {
        List<Platform> out = new ArrayList<>();
        for (String v : values) {
            for (String p : v.split(",")) {
                if (!p.isBlank()) {
                    try {
                        out.add(Platform.parse(p.trim()));
                    } catch (IllegalArgumentException e) {
                        throw new Failures.UsageException("--platform: " + e.getMessage());
                    }
                }
            }
        }
        return out;
    }
}
