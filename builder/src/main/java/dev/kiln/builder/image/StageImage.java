package dev.kiln.builder.image;

import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.spec.ContainerConfig;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.History;
import dev.kiln.layout.spec.ImageConfig;
import dev.kiln.layout.spec.Platform;
import java.util.List;

/** What a stage built: the config (with diff_ids and history) and the layer descriptors, in order. */
public record StageImage(String name, Platform platform, ImageConfig config, List<Descriptor> layers) {
    public StageImage {
        layers = List.copyOf(layers);
        if (config.diffIds().size() != layers.size()) {
            throw new IllegalStateException("stage " + name + ": " + layers.size() + " layers but "
                    + config.diffIds().size() + " diff_ids");
        }
    }

    static ImageConfig config(ImageConfig base, ContainerConfig c, List<Digest> diffIds, List<History> history,
                              String created, String author) {
        return base.withConfig(c).withLayers(diffIds, history).withCreated(created, author);
    }
}
