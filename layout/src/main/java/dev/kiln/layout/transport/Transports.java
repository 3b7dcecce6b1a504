package dev.kiln.layout.transport;

import dev.kiln.layout.oci.LayoutTag;
import dev.kiln.layout.oci.OciLayout;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Opens the source or destination an {@link ImageReference} names. {@code oci:} is built in; other
 * transports come from {@link TransportProvider}s (found with {@link ServiceLoader}, or passed in).
 */
public final class Transports {
    private final List<TransportProvider> providers;

    public Transports(List<TransportProvider> providers) {
        List<TransportProvider> all = new ArrayList<>();
        all.add(new LayoutProvider());
        all.addAll(providers);
        this.providers = List.copyOf(all);
    }

    /** {@code oci:} plus every provider on the class path (archives from this module, {@code docker://} from the registry module). */
    public static Transports standard() {
        List<TransportProvider> found = new ArrayList<>();
        ServiceLoader.load(TransportProvider.class, Transports.class.getClassLoader()).forEach(found::add);
        return new Transports(found);
    }

    public ImageSource openSource(ImageReference ref, FileSystem fs) throws IOException {
        return openSource(ref, fs, TransportOptions.defaults());
    }

    public ImageSource openSource(ImageReference ref, FileSystem fs, TransportOptions options) throws IOException {
        return provider(ref).openSource(ref, fs, options);
    }

    public ImageDestination openDestination(ImageReference ref, FileSystem fs, TransportOptions options) throws IOException {
        return provider(ref).openDestination(ref, fs, options);
    }

    private TransportProvider provider(ImageReference ref) {
        for (TransportProvider p : providers) {
            if (p.handles(ref.transport())) {
                return p;
            }
        }
        throw new TransportException(ref + ": the " + ref.transport().prefix + " transport is not available"
                + (ref.transport() == ImageReference.Transport.DOCKER ? " (it needs kiln's registry module)" : ""));
    }

    /** {@code oci:DIR[:TAG]}. */
    static final class LayoutProvider implements TransportProvider {
        @Override
        public boolean handles(ImageReference.Transport transport) {
            return transport == ImageReference.Transport.OCI;
        }

        @Override
        public ImageSource openSource(ImageReference ref, FileSystem fs, TransportOptions options) {
            return new LayoutSource(OciLayout.open(ref.path(fs)), ref.name(), ref.toString());
        }

        @Override
        public ImageDestination openDestination(ImageReference ref, FileSystem fs, TransportOptions options)
                throws IOException {
            if (ref.name() != null) {
                LayoutTag.parse(ref.name()); // a bad tag is refused before anything is created or copied
            }
            return new LayoutDestination(OciLayout.openOrCreate(ref.path(fs)), ref.name(), ref.toString());
        }
    }
}
