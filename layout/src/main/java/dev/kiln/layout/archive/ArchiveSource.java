package dev.kiln.layout.archive;

import dev.kiln.layout.KilnException;
import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.MediaTypes;
import dev.kiln.layout.transport.ImageSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * An image read from an archive: the archive's content extracted into a temporary OCI layout, which
 * {@link #close()} deletes. Blobs are verified once more as they are read.
 */
public final class ArchiveSource implements ImageSource {
    private final OciLayout layout;
    private final Descriptor root;
    private final Path tempDir;
    private final String description;
    private final HeldPlatforms held;
    private boolean closed;

    /** @param held what the archive holds of the platforms its root lists, when not all; else null */
    ArchiveSource(OciLayout layout, Descriptor root, Path tempDir, String description, HeldPlatforms held) {
        this.layout = layout;
        this.root = root;
        this.tempDir = tempDir;
        this.description = description;
        this.held = held;
    }

    /** The temporary layout holding the archive's content (valid until {@link #close()}). */
    public OciLayout layout() {
        return layout;
    }

    @Override
    public Descriptor root() {
        return root;
    }

    @Override
    public byte[] readManifest(Descriptor descriptor) throws IOException {
        if (held != null && !layout.blobs().exists(descriptor.digest())
                && (MediaTypes.isManifest(descriptor.mediaType()) || MediaTypes.isIndex(descriptor.mediaType()))) {
            throw new ArchiveException(description + ": " + held.lacks(descriptor));
        }
        try {
            return layout.blobs().readSmall(descriptor);
        } catch (KilnException e) {
            throw new ArchiveException(description + ": " + e.getMessage().replace(" from the layout", " from the archive"), e);
        }
    }

    @Override
    public InputStream openBlob(Descriptor descriptor) throws IOException {
        try {
            return layout.blobs().openVerified(descriptor);
        } catch (KilnException e) {
            throw new ArchiveException(description + ": " + e.getMessage().replace(" from the layout", " from the archive"), e);
        }
    }

    @Override
    public boolean hasBlob(Descriptor descriptor) {
        return layout.blobs().exists(descriptor.digest());
    }

    /** False for a manifest or index the archive lacks (a save of some of an index's platforms). */
    @Override
    public boolean holdsDocument(Descriptor descriptor) {
        return layout.blobs().exists(descriptor.digest());
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public synchronized void close() throws IOException {
        if (!closed) {
            closed = true;
            ArchiveFiles.deleteTree(tempDir);
        }
    }
}
