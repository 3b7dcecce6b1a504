package dev.kiln.layout.transport;

import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.spec.Descriptor;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/** Reads an image from an OCI layout: the entry named by a tag, or the layout's only image. */
public final class LayoutSource implements ImageSource {
    private final OciLayout layout;
    private final String tag;
    private final String description;

    public LayoutSource(OciLayout layout, String tag, String description) {
        this.layout = layout;
        this.tag = tag;
        this.description = description;
    }

    public OciLayout layout() {
        return layout;
    }

    @Override
    public Descriptor root() {
        Descriptor d = layout.resolve(tag);
        // the tag annotations belong to index.json, not to the image
        return d.withAnnotations(null);
    }

    @Override
    public byte[] readManifest(Descriptor descriptor) throws IOException {
        return layout.blobs().readSmall(descriptor);
    }

    @Override
    public InputStream openBlob(Descriptor descriptor) throws IOException {
        return layout.blobs().openVerified(descriptor);
    }

    /** The blob's file, opened at an offset: a push hashes what it sends instead of verifying twice. */
    @Override
    public Optional<SeekableBlob> seekableBlob(Descriptor descriptor) {
        return Optional.of(offset -> layout.blobs().openAt(descriptor.digest(), offset));
    }

    @Override
    public boolean hasBlob(Descriptor descriptor) {
        return layout.blobs().exists(descriptor.digest());
    }

    @Override
    public String describe() {
        return description;
    }
}
