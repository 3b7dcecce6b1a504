package dev.kiln.registry;

import dev.kiln.layout.transport.ImageDestination;
import dev.kiln.layout.transport.ImageReference;
import dev.kiln.layout.transport.ImageSource;
import dev.kiln.layout.transport.TransportOptions;
import dev.kiln.layout.transport.TransportProvider;
import java.nio.file.FileSystem;

/**
 * The {@code docker://HOST[:PORT]/REPO[:TAG|@DIGEST]} transport, with the registry options
 * (credentials, TLS, jobs) of one invocation. Registered by whoever builds the {@code Transports}:
 * {@code new Transports(List.of(new RegistryTransport(options), ...))}.
 */
public final class RegistryTransport implements TransportProvider {
    private final RegistryOptions options;

    public RegistryTransport(RegistryOptions options) {
        this.options = options;
    }

    /** Anonymous and default settings, for ServiceLoader. */
    public RegistryTransport() {
        this(RegistryOptions.defaults().withSystemCredentials());
    }

    @Override
    public boolean handles(ImageReference.Transport transport) {
        return transport == ImageReference.Transport.DOCKER;
    }

    @Override
    public ImageSource openSource(ImageReference ref, FileSystem fs, TransportOptions transportOptions) {
        return RegistrySource.open(ref, options);
    }

    @Override
    public ImageDestination openDestination(ImageReference ref, FileSystem fs, TransportOptions transportOptions) {
        return RegistryDestination.open(ref, options);
    }
}
