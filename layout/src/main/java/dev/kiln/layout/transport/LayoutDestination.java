package dev.kiln.layout.transport;

import dev.kiln.layout.oci.LayoutTag;
import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.spec.Descriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes an image into an OCI layout. Blobs land first (each atomically); index.json is updated
 * once, last, at {@link #commit}. While open it holds off {@code gc} on the layout.
 */
public final class LayoutDestination implements ImageDestination {
    private final OciLayout layout;
    private final String defaultTag;
    private final String description;
    private final AutoCloseable gcHold;

    public LayoutDestination(OciLayout layout, String defaultTag, String description) throws IOException {
        this.layout = layout;
        this.defaultTag = defaultTag;
        this.description = description;
        this.gcHold = layout.holdBlobs();
    }

    public OciLayout layout() {
        return layout;
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
        List<String> names = ImageDestination.ownAndExtra(defaultTag, tags);
        if (names.isEmpty()) {
            throw new TransportException(description + ": no tag given; write oci:DIR:TAG or pass -t");
        }
        List<LayoutTag> parsed = names.stream().map(LayoutTag::parse).toList();
        Descriptor entry = root.withAnnotations(null);
        layout.updateIndex(index -> {
            List<Descriptor> kept = new ArrayList<>();
            for (Descriptor d : index.manifests()) {
                if (parsed.stream().noneMatch(t -> t.displaces(d))) {
                    kept.add(d);
                }
            }
            for (LayoutTag t : parsed) {
                kept.add(t.apply(entry));
            }
            return index.withManifests(kept);
        });
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() throws IOException {
        try {
            gcHold.close();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }
}
