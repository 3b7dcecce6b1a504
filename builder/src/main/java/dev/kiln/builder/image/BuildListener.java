package dev.kiln.builder.image;

import dev.kiln.builder.layer.BuiltLayer;
import dev.kiln.layout.spec.Platform;

/** Hears what a build does, for progress output; called from the platforms' threads. */
@FunctionalInterface
public interface BuildListener {
    BuildListener NONE = (platform, where, layer, cached) -> {
    };

    /** A layer was written (or, with {@code cached}, taken from the layer cache) for {@code where} (FILE:LINE). */
    void layer(Platform platform, String where, BuiltLayer layer, boolean cached);
}
