package dev.kiln.layout.archive;

import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.transport.ImageDestination;
import dev.kiln.layout.transport.TransportOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * A destination that gathers the image in a temporary layout and writes an archive from it at
 * commit; the target file appears whole (renamed into place) or not at all. Closing deletes the
 * temp layout.
 *
 * <p>The temp layout is a scratch one (nothing in it is synced: only the archive is, once, before
 * its rename) and its blobs are trusted when the archive is written: each entered it through
 * {@code put}, which hashed the bytes as it wrote them and checked the digest, in this process.
 */
abstract class TempLayoutDestination implements ImageDestination {
    protected final Path target;
    protected final OciLayout layout;
    private final Path dir;
    private final String description;
    private boolean closed;

    TempLayoutDestination(Path target, TransportOptions options, String description) throws IOException {
        this.target = target;
        this.description = description;
        this.dir = ArchiveFiles.tempFolder(options.tempDirFor(target), "kiln-archive-");
        try {
            this.layout = OciLayout.createScratch(dir);
        } catch (IOException | RuntimeException e) {
            ArchiveFiles.deleteQuietly(dir, e);
            throw e;
        }
    }

    /**
     * Writes the archive from {@code staged}, a layout the caller owns (closing leaves it), whose
     * blobs this process wrote and hashed itself: the archive is written from its files without
     * hashing them again (sizes are still checked).
     */
    TempLayoutDestination(Path target, OciLayout staged, String description) {
        this.target = target;
        this.description = description;
        this.dir = null;
        this.layout = staged;
    }

    @Override
    public boolean hasBlob(Descriptor descriptor) throws IOException {
        return layout.blobs().exists(descriptor.digest())
                && layout.blobs().size(descriptor.digest()) == descriptor.size();
    }

    @Override
    public void putBlob(Descriptor descriptor, InputStream content) throws IOException {
        layout.blobs().put(descriptor, content);
    }

    @Override
    public void putManifest(Descriptor descriptor, byte[] bytes) throws IOException {
        layout.blobs().put(descriptor, new ByteArrayInputStream(bytes));
    }

    @Override
    public void commit(Descriptor root, List<String> tags) throws IOException {
        write(root, List.of(root), tags);
    }

    /** Writes the archive; {@code manifests} are the platform images when {@code root} is an index. */
    protected abstract void write(Descriptor root, List<Descriptor> manifests, List<String> tags) throws IOException;

    @Override
    public String describe() {
        return description;
    }

    @Override
    public synchronized void close() throws IOException {
        if (!closed) {
            closed = true;
            if (dir != null) {
                ArchiveFiles.deleteTree(dir);
            }
        }
    }
}
