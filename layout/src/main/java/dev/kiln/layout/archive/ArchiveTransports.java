package dev.kiln.layout.archive;

import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.transport.ImageDestination;
import dev.kiln.layout.transport.ImageReference;
import dev.kiln.layout.transport.ImageReference.Transport;
import dev.kiln.layout.transport.ImageSource;
import dev.kiln.layout.transport.TransportOptions;
import dev.kiln.layout.transport.TransportProvider;
import java.io.IOException;
import java.nio.file.FileSystem;

/**
 * {@code oci-archive:FILE[:TAG]} and {@code docker-archive:FILE[:NAME:TAG]} (or {@code :@N} to read
 * the N-th image of a docker-archive). Registered for {@link java.util.ServiceLoader} in
 * {@code META-INF/services}.
 */
public final class ArchiveTransports implements TransportProvider {
    @Override
    public boolean handles(Transport transport) {
        return transport == Transport.OCI_ARCHIVE || transport == Transport.DOCKER_ARCHIVE;
    }

    @Override
    public ImageSource openSource(ImageReference ref, FileSystem fs, TransportOptions options) throws IOException {
        return switch (ref.transport()) {
            case OCI_ARCHIVE -> OciArchiveReader.open(ref.path(fs), ref.name(), options, ref.toString());
            case DOCKER_ARCHIVE -> DockerArchiveReader.open(ref.path(fs), ref.name(), options, ref.toString());
            default -> throw new IllegalArgumentException(ref + " is not an archive reference");
        };
    }

    @Override
    public ImageDestination openDestination(ImageReference ref, FileSystem fs, TransportOptions options) throws IOException {
        return switch (ref.transport()) {
            case OCI_ARCHIVE -> new OciArchiveDestination(ref.path(fs), ref.name(), options, ref.toString());
            case DOCKER_ARCHIVE -> new DockerArchiveDestination(ref.path(fs), ref.name(), options, ref.toString());
            default -> throw new IllegalArgumentException(ref + " is not an archive reference");
        };
    }

    /**
     * A destination for the archive {@code ref} that writes it straight from {@code staged} at
     * commit instead of gathering the image in a temporary layout of its own, so nothing is copied
     * twice. Only for a layout this process created and filled itself (as {@code kiln build} does),
     * where every blob was hashed as it was written: the archive is written from the blob files
     * without hashing them again (their sizes are checked). Closing it leaves {@code staged}.
     */
    public static ImageDestination fromStaged(ImageReference ref, FileSystem fs, TransportOptions options,
                                              OciLayout staged) {
        return switch (ref.transport()) {
            case OCI_ARCHIVE -> new OciArchiveDestination(ref.path(fs), ref.name(), options, ref.toString(), staged);
            case DOCKER_ARCHIVE -> new DockerArchiveDestination(ref.path(fs), ref.name(), options, ref.toString(), staged);
            default -> throw new IllegalArgumentException(ref + " is not an archive reference");
        };
    }
}
