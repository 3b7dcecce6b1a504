package dev.kiln.layout.archive;

import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.transport.TransportOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code oci-archive:FILE[:TAG]}: the image is copied into a temporary layout, and at commit the
 * archive is written holding this image only (as skopeo does): an existing archive at FILE is
 * replaced, its other images are not kept.
 */
final class OciArchiveDestination extends TempLayoutDestination {
    private final String tag;
    private final OciArchiveWriter writer;

    OciArchiveDestination(Path target, String tag, TransportOptions options, String description) throws IOException {
        super(target, options, description);
        this.tag = tag;
        this.writer = new OciArchiveWriter(options.archiveTimeSeconds());
    }

    /** Writes the archive from {@code staged} (see {@link ArchiveTransports#fromStaged}). */
    OciArchiveDestination(Path target, String tag, TransportOptions options, String description, OciLayout staged) {
        super(target, staged, description);
        this.tag = tag;
        this.writer = new OciArchiveWriter(options.archiveTimeSeconds());
    }

    @Override
    protected void write(Descriptor root, List<Descriptor> manifests,
                         List<String> tags) throws IOException {
        List<String> names = dev.kiln.layout.transport.ImageDestination.ownAndExtra(tag, tags);
        writer.writeImage(layout, root, names, target, true);
    }
}
