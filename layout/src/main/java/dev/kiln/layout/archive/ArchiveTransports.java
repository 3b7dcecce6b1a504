package dev.kiln.layout.archive;

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
}
