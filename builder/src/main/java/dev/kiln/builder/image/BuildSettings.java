package dev.kiln.builder.image;

import dev.kiln.builder.layer.LayerBuilder;
import dev.kiln.builder.layer.LayerCache;
import dev.kiln.builder.recipe.IgnoreRules;
import dev.kiln.layout.store.BlobStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * What every platform of one build shares: the context and its ignore rules, the output blob
 * store, the layer builder (compression, level, timestamp), the base resolver, the build args and
 * where temporary files go.
 *
 * @param dockerFormat write Docker schema2 media types instead of OCI ones
 * @param cache        layers built before, or null to build every layer
 */
public record BuildSettings(Path context, IgnoreRules ignore, BlobStore out, LayerBuilder layers, BaseResolver bases,
                            Map<String, String> buildArgs, long timestamp, boolean dockerFormat, Path tempDir,
                            String targetStage, long maxExpandedBytes, LayerCache cache) {
    public BuildSettings {
        buildArgs = Map.copyOf(buildArgs);
    }

    /** The build time in RFC 3339, for config and history {@code created}. */
    public String created() {
        return Instant.ofEpochSecond(timestamp).toString();
    }
}
