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

    /** Stores a manifest or index with its exact bytes. */
    void putManifest(Descriptor descriptor, byte[] bytes) throws IOException;

    /** True when the destination can hold an image index (a docker-archive holds single images). */
    default boolean acceptsIndex() {
        return true;
    }

    /** Makes the copied image visible under the given tags (or the destination's own tag). */
    void commit(Descriptor root, List<String> tags) throws IOException;

    String describe();

    @Override
    default void close() throws IOException {
    }
}
