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
import java.util.ServiceLoader;
import dev.kiln.registry.RegistryOptions;
import dev.kiln.registry.RegistryTransport;

/** Opening sources and destinations from the references users type, and parsing --platform lists. */
final class Sources {
    private static final Transports LOCAL = Transports.standard();

    private Sources() {
    }

    /** The local transports, and docker:// with these registry options. */
    static Transports transports(RegistryOptions registry) {
        return transports(registry, new dev.kiln.registry.MountCandidates());
    }

    /** As {@link #transports(RegistryOptions)}, sharing what repositories were read and pushed with the other side of a copy. */
    static Transports transports(RegistryOptions registry, dev.kiln.registry.MountCandidates mounts) {
        List<dev.kiln.layout.transport.TransportProvider> providers = new ArrayList<>();
        ServiceLoader.load(dev.kiln.layout.transport.TransportProvider.class, Sources.class.getClassLoader())
                .forEach(p -> {
                    if (!p.handles(ImageReference.Transport.DOCKER)) {
                        providers.add(p);
                    }
                });
        providers.add(new RegistryTransport(registry, mounts));
        return new Transports(providers);
    }

    static Transports transports() {
        return LOCAL;
    }

    static ImageReference parse(String text) {
        try {
            return References.parseLocal(text);
        } catch (dev.kiln.layout.transport.TransportException e) {
            throw new Failures.UsageException(e.getMessage());
        }
    }

    static ImageSource source(String text) throws IOException {
        return source(text, LOCAL);
    }

    static ImageSource source(String text, Transports transports) throws IOException {
        return source(text, transports, TransportOptions.defaults());
    }

    static ImageSource source(String text, Transports transports, TransportOptions options) throws IOException {
        return transports.openSource(parse(text), FileSystems.getDefault(), options);
    }

    /** Transport options with the archive expansion limit of a {@code --max-expanded-size} value. */
    static TransportOptions withLimit(String option, String maxExpandedSize) {
        return TransportOptions.defaults().withMaxExpandedBytes(BuildCommand.size(option, maxExpandedSize));
    }

    static ImageDestination destination(String text) throws IOException {
        return destination(text, LOCAL);
    }

    static ImageDestination destination(String text, Transports transports) throws IOException {
        return transports.openDestination(parse(text), FileSystems.getDefault(), TransportOptions.defaults());
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
        if (out.isEmpty() && !values.isEmpty()) {
            throw new Failures.UsageException("--platform: no platform in '" + String.join(",", values)
                    + "' (want os/arch[/variant], e.g. linux/amd64)");
        }
        return out;
    }
}
