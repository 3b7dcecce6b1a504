package dev.kiln.layout.transport;

import dev.kiln.layout.spec.Descriptor;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * Where an image is read from (a layout, an archive, a registry). Everything is addressed by
 * descriptor, and what comes back is checked against it.
 */
public interface ImageSource extends Closeable {
    /** The descriptor the reference names: an index or a manifest. */
    Descriptor root() throws IOException;

    /** The exact bytes of a manifest or index (or config), verified against the descriptor. */
    byte[] readManifest(Descriptor descriptor) throws IOException;

    /** A blob's content; the stream fails at EOF when the bytes are not the descriptor's. */
    InputStream openBlob(Descriptor descriptor) throws IOException;

    /**
     * The blob as content that can be opened at any offset, when this source keeps it so (a file);
     * empty otherwise. Its streams are not verified: the reader checks the digest.
     */
    default Optional<SeekableBlob> seekableBlob(Descriptor descriptor) throws IOException {
        return Optional.empty();
    }

    /** True when the blob is available here (foreign layers of a base image may not be). */
    boolean hasBlob(Descriptor descriptor) throws IOException;

    /**
     * False when this source knows it lacks a manifest or index that an index it serves lists (an
     * archive that saved only some platforms of an image); true when it holds it or cannot tell
     * without fetching it.
     */
    default boolean holdsDocument(Descriptor descriptor) throws IOException {
        return true;
    }

    /** For messages: the reference as the user wrote it. */
    String describe();

    @Override
    default void close() throws IOException {
    }
}
