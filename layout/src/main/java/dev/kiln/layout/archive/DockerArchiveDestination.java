package dev.kiln.layout.archive;

import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageName;
import dev.kiln.layout.spec.MediaTypes;
import dev.kiln.layout.transport.TransportException;
import dev.kiln.layout.transport.TransportOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code docker-archive:FILE[:NAME:TAG]}: gathers the image in a temporary layout and writes the
 * archive at commit (see {@link DockerArchiveWriter}); a new archive replaces any file at FILE. An
 * index cannot be its root: the copier hands it the platform manifests ({@link #commitPlatforms}).
 */
final class DockerArchiveDestination extends TempLayoutDestination {
    private final String name;
    private final DockerArchiveWriter writer;

    DockerArchiveDestination(Path target, String name, TransportOptions options, String description) throws IOException {
        super(target, options, description);
        try {
            checkName(name, description);
        } catch (TransportException e) {
            close();
            throw e;
        }
        this.name = name;
        this.writer = new DockerArchiveWriter(options.archiveTimeSeconds());
    }

    /** Writes the archive from {@code staged} (see {@link ArchiveTransports#fromStaged}). */
    DockerArchiveDestination(Path target, String name, TransportOptions options, String description, OciLayout staged) {
        super(target, staged, description);
        checkName(name, description);
        this.name = name;
        this.writer = new DockerArchiveWriter(options.archiveTimeSeconds());
    }

    private static void checkName(String name, String description) {
        if (name != null) {
            try {
                if (ImageName.parse(name).digest() != null) {
                    throw new IllegalArgumentException("a docker-archive needs NAME:TAG, not a digest");
                }
            } catch (IllegalArgumentException e) {
                throw new TransportException(description + ": invalid image name '" + name + "': " + e.getMessage());
            }
        }
    }

    @Override
    public boolean acceptsIndex() {
        return false;
    }

    @Override
    public void putBlob(Descriptor descriptor, InputStream content) throws IOException {
        if (MediaTypes.isZstdLayer(descriptor.mediaType())) {
            throw DockerArchiveWriter.zstd(descriptor.digest()); // before a byte is copied
        }
        super.putBlob(descriptor, content);
    }

    @Override
    public void commitPlatforms(Descriptor index, List<Descriptor> manifests, List<String> tags) throws IOException {
        write(index, manifests, tags);
    }

    @Override
    protected void write(Descriptor root, List<Descriptor> manifests, List<String> tags) throws IOException {
        if (MediaTypes.isIndex(root.mediaType()) && manifests.size() == 1 && manifests.get(0).equals(root)) {
            throw new TransportException(describe() + ": cannot hold an image index as a single image");
        }
        List<String> names = dev.kiln.layout.transport.ImageDestination.ownAndExtra(name, tags);
        writer.write(layout, root, manifests, names, target, true);
    }
}
