package dev.kiln.registry;

import dev.kiln.layout.spec.ImageName;
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
    private final MountCandidates mounts;

    public RegistryTransport(RegistryOptions options) {
        this(options, new MountCandidates());
    }

    /**
     * @param mounts shared with the transport of the other side of a copy (which may have other
     *               options), so a destination mounts from the source repository of the same registry
     */
    public RegistryTransport(RegistryOptions options, MountCandidates mounts) {
        this.options = options;
        this.mounts = mounts;
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
        RegistrySource source = RegistrySource.open(ref, options);
        mounts.read(source.client().registry(), source.repository());
        return source;
    }

    /** Opens the destination, with the repositories of the same registry this run has read or pushed as mount sources. */
    @Override
    public ImageDestination openDestination(ImageReference ref, FileSystem fs, TransportOptions transportOptions) {
        ImageName name = RegistrySource.name(ref);
        RegistryDestination destination = RegistryDestination.open(ref, options, mounts.forDestination(name.registry(), name.repository()));
        mounts.pushed(name.registry(), name.repository());
        return destination;
    }
}
