package dev.kiln.builder.image;

import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageConfig;
import dev.kiln.layout.spec.Platform;
import dev.kiln.layout.transport.ImageSource;
import java.util.List;

/**
 * The image a stage starts from: its config and layers, and the source its layer blobs are read
 * from ({@code null} for scratch, which has none).
 */
public record BaseImage(String reference, ImageSource source, ImageConfig config, List<Descriptor> layers,
                        String manifestMediaType) {
    public BaseImage {
        layers = List.copyOf(layers);
    }

    public static BaseImage scratch(Platform platform) {
        ImageConfig config = new ImageConfig(null, null, platform.architecture(), platform.os(), platform.osVersion(),
                platform.osFeatures(), platform.variant(), null, List.of(), List.of(), null);
        return new BaseImage("scratch", null, config, List.of(), null);
    }

    public boolean isScratch() {
        return source == null;
    }
}
