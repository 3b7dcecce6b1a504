package dev.kiln.builder.image;

import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.spec.ImageName;
import dev.kiln.layout.spec.Platform;
import dev.kiln.layout.transport.ImageReader;
import dev.kiln.layout.transport.ImageReference;
import dev.kiln.layout.transport.ImageSource;
import dev.kiln.layout.transport.LayoutSource;
import dev.kiln.layout.transport.TransportOptions;
import dev.kiln.layout.transport.Transports;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Resolves what a FROM line names: {@code scratch}; {@code oci:DIR:TAG}, {@code oci-archive:FILE:TAG},
 * {@code docker-archive:FILE}; or a plain name ({@code alpine:3.20}) looked up in the base-image
 * layout (the air-gapped mirror). A multi-platform base gives the manifest of the platform being
 * built, or fails naming the platforms it has. Sources are opened once and closed with the resolver.
 */
public final class BaseResolver implements Closeable {
    private final FileSystem fs;
    private final Path baseLayout;
    private final Transports transports;
    private final TransportOptions options;
    private final Map<String, ImageSource> open = new LinkedHashMap<>();

    public BaseResolver(FileSystem fs, Path baseLayout, Transports transports) {
        this(fs, baseLayout, transports, TransportOptions.defaults());
    }

    /** @param options how archives named in FROM are read (their expansion limit) */
    public BaseResolver(FileSystem fs, Path baseLayout, Transports transports, TransportOptions options) {
        this.fs = fs;
        this.baseLayout = baseLayout;
        this.transports = transports;
        this.options = options;
    }

    public synchronized BaseImage resolve(String reference, Platform platform, String where) throws IOException {
        if (reference.equalsIgnoreCase("scratch")) {
            return BaseImage.scratch(platform);
        }
        ImageSource source = source(reference, where);
        ImageReader reader = new ImageReader(source);
        ImageReader.Image image;
        try {
            image = reader.image(platform);
        } catch (dev.kiln.layout.KilnException e) {
            throw new BuildException(where + ": base image '" + reference + "': " + e.getMessage(), e);
        }
        return new BaseImage(reference, source, image.config().value(), image.manifest().value().layers(),
                image.manifest().value().effectiveMediaType());
    }

    private ImageSource source(String reference, String where) throws IOException {
        ImageSource s = open.get(reference);
        if (s != null) {
            return s;
        }
        if (reference.startsWith("oci:") || reference.startsWith("oci-archive:") || reference.startsWith("docker-archive:")) {
            try {
                s = transports.openSource(ImageReference.parse(reference), fs, options);
            } catch (dev.kiln.layout.KilnException e) {
                // name the recipe line: the reference and the archive alone do not say where they came from
                String m = e.getMessage();
                throw new BuildException(where + ": " + (m != null && m.contains(reference) ? m
                        : "base image '" + reference + "': " + m), e);
            }
        } else if (reference.startsWith("docker://")) {
            throw new BuildException(where + ": base image '" + reference
                    + "' is in a registry; kiln builds offline: pull it first (kiln copy " + reference + " oci:DIR:TAG) and use --base-layout DIR");
        } else {
            if (baseLayout == null) {
                throw new BuildException(where + ": base image '" + reference
                        + "' is a plain name; give the layout that holds it with --base-layout DIR, or write oci:DIR:TAG");
            }
            OciLayout layout = OciLayout.open(baseLayout);
            String tag = mirrorTag(layout, reference, where);
            s = new LayoutSource(layout, tag, "oci:" + baseLayout + ":" + tag);
        }
        open.put(reference, s);
        return s;
    }

    /**
     * The name under which the mirror holds a plain FROM name: the normalized full name first
     * ({@code alpine} is {@code docker.io/library/alpine:latest}), then the name as written.
     */
    private String mirrorTag(OciLayout layout, String reference, String where) {
        List<String> candidates = new ArrayList<>();
        try {
            candidates.add(ImageName.parse(reference).toString());
        } catch (IllegalArgumentException e) {
            // not a Docker name; try it as a tag below
        }
        candidates.add(reference);
        dev.kiln.layout.KilnException last = null;
        for (String c : candidates) {
            try {
                layout.resolve(c);
                return c;
            } catch (dev.kiln.layout.KilnException | IllegalArgumentException e) {
                last = e instanceof dev.kiln.layout.KilnException k ? k : new dev.kiln.layout.KilnException(e.getMessage());
            }
        }
        throw new BuildException(where + ": base image '" + reference + "' is not in the base layout " + baseLayout
                + (last == null ? "" : ": " + last.getMessage()));
    }

    @Override
    public synchronized void close() throws IOException {
        List<IOException> failures = new ArrayList<>();
        for (ImageSource s : open.values()) {
            try {
                s.close();
            } catch (IOException e) {
                failures.add(e);
            }
        }
        open.clear();
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
    }
}
