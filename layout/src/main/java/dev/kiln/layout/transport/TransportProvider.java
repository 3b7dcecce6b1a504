package dev.kiln.layout.transport;

import java.io.IOException;
import java.nio.file.FileSystem;

/**
 * Opens sources and destinations for some transports. {@link Transports} knows {@code oci:} itself
 * and finds the others with {@link java.util.ServiceLoader}: the layout module registers the archive
 * transports ({@code oci-archive:}, {@code docker-archive:}), the registry module {@code docker://}.
 */
public interface TransportProvider {
    /** True when this provider opens references of this transport. */
    boolean handles(ImageReference.Transport transport);

    ImageSource openSource(ImageReference ref, FileSystem fs, TransportOptions options) throws IOException;

    ImageDestination openDestination(ImageReference ref, FileSystem fs, TransportOptions options) throws IOException;
}
