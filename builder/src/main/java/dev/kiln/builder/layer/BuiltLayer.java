package dev.kiln.builder.layer;

import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.spec.Descriptor;
import java.util.Objects;

/**
 * What {@link LayerBuilder} wrote: the blob (compressed digest and size, media type) and the
 * uncompressed tar's digest, which goes into the image config's {@code rootfs.diff_ids}.
 */
public record BuiltLayer(Digest digest, long size, Digest diffId, long uncompressedSize, String mediaType,
                         Compression compression) {
    public BuiltLayer {
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(diffId, "diffId");
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(compression, "compression");
        if (size < 0 || uncompressedSize < 0) {
            throw new IllegalArgumentException("layer " + digest + ": negative size");
        }
    }

    /** The layer's descriptor for an image manifest. */
    public Descriptor descriptor() {
        return new Descriptor(mediaType, digest, size);
    }
}
