package dev.kiln.cli;

import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.transport.ImageReference;
import java.nio.file.FileSystems;
import java.nio.file.Path;

/** Parsing of the reference arguments that the commands share. */
final class References {
    private References() {
    }

    /** An {@code oci:DIR[:TAG]} reference, or a bare folder path, as a reference. */
    static ImageReference parseLocal(String text) {
        if (!text.contains(":")) {
            return new ImageReference(ImageReference.Transport.OCI, text, null);
        }
        return ImageReference.parse(text);
    }

    static OciLayout openLayout(String text) {
        ImageReference ref = parseLocal(text);
        if (ref.transport() != ImageReference.Transport.OCI) {
            throw new Failures.UsageException("'" + text + "' is not a layout; this command takes oci:DIR");
        }
        return OciLayout.open(path(ref));
    }

    static Path path(ImageReference ref) {
        return FileSystems.getDefault().getPath(ref.location());
    }
}
