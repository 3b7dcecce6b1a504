package dev.kiln.layout.archive;

import dev.kiln.layout.KilnException;
import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.spec.Descriptor;
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
    private boolean closed;

    ArchiveSource(OciLayout layout, Descriptor root, Path tempDir, String description) {
        this.layout = layout;
        this.root = root;
        this.tempDir = tempDir;
        this.description = description;
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
