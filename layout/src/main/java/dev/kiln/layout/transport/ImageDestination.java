package dev.kiln.layout.transport;

import dev.kiln.layout.spec.Descriptor;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Where an image is written. The {@link Copier} sends blobs, then configs, then child manifests,
 * then indexes (children before parents), then calls {@link #commit} once with the root and its
 * tags. Nothing is visible under a tag before commit; a destination closed without commit leaves
 * what it held before.
 */
public interface ImageDestination extends Closeable {
    /** True when this destination already holds the blob, so it need not be sent. */
    boolean hasBlob(Descriptor descriptor) throws IOException;

    /** Stores a blob; the stream's bytes must match the descriptor. */
    void putBlob(Descriptor descriptor, InputStream content) throws IOException;

    /**
     * Stores a blob whose content can be opened at any offset. A destination that can use that (a
     * registry upload resuming after a dropped connection) overrides this; the default reads the
     * content once, verified, into {@link #putBlob(Descriptor, InputStream)}.
     */
    default void putBlob(Descriptor descriptor, SeekableBlob content) throws IOException {
        try (InputStream in = new dev.kiln.layout.digest.VerifyingInputStream(content.openAt(0), descriptor.digest(),
                descriptor.size(), "blob")) {
            putBlob(descriptor, in);
        }
    }

    /** Stores a manifest or index with its exact bytes. */
    void putManifest(Descriptor descriptor, byte[] bytes) throws IOException;

    /**
     * True when an image index can be this destination's root. A docker-archive cannot: it lists one
     * image per platform. The {@link Copier} still stores every document of the copy with
     * {@link #putManifest} (a format may carry them as well, as a docker-archive carries an OCI layout),
     * and when the root is an index it ends with {@link #commitPlatforms} instead of {@link #commit}.
     */
    default boolean acceptsIndex() {
        return true;
    }

    /**
     * The names to commit under: the destination's own tag (from its reference, when it has one)
     * followed by the extra tags, each once.
     */
    static List<String> ownAndExtra(String own, List<String> extra) {
        java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>();
        if (own != null) {
            names.add(own);
        }
        names.addAll(extra);
        return List.copyOf(names);
    }

    /** Makes the copied image visible under the destination's own tag and the given extra tags. */
    void commit(Descriptor root, List<String> tags) throws IOException;

    /**
     * For a destination that does not accept an index as its root: makes the platform manifests of
     * {@code index} visible. Every document is stored already. {@code manifests} are the image
     * manifests of the index (attestations left out), each descriptor with its platform, the default
     * platform first: it gets the plain tags.
     */
    default void commitPlatforms(Descriptor index, List<Descriptor> manifests, List<String> tags) throws IOException {
        throw new TransportException(describe() + ": cannot hold an image index; choose one platform");
    }

    String describe();

    @Override
    default void close() throws IOException {
    }
}
