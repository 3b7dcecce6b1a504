package dev.kiln.layout.archive;

import dev.kiln.layout.KilnException;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageIndex;
import dev.kiln.layout.spec.MediaTypes;
import dev.kiln.layout.store.DirectoryBlobStore;
import dev.kiln.layout.transport.ImageReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which of the images an archive's root index lists the archive holds. A save keeps only the
 * platforms its saver had: Docker 25+ with the containerd store saves a pulled multi-platform image
 * as the whole index plus the one platform it pulled (and none of the attestation manifests).
 */
record HeldPlatforms(List<String> held, List<String> lacking) {
    private static final int MAX_DEPTH = 8;

    /** The platforms under {@code root}; null when the archive holds every document the root reaches, or root is no index. */
    static HeldPlatforms of(DirectoryBlobStore store, Descriptor root) throws IOException {
        if (!MediaTypes.isIndex(root.mediaType()) || !store.exists(root.digest())) {
            return null;
        }
        List<String> held = new ArrayList<>();
        List<String> lacking = new ArrayList<>();
        boolean[] missing = {false};
        try {
            walk(store, root, held, lacking, missing, new HashSet<>(), 0);
        } catch (KilnException e) {
            return null; // a broken index: reading it says so
        }
        return missing[0] ? new HeldPlatforms(List.copyOf(held), List.copyOf(lacking)) : null;
    }

    private static void walk(DirectoryBlobStore store, Descriptor index, List<String> held, List<String> lacking,
                             boolean[] missing, Set<String> seen, int depth) throws IOException {
        if (depth > MAX_DEPTH || !seen.add(index.digest().toString())) {
            return;
        }
        ImageIndex value = ImageIndex.parse(store.readSmall(index), "index " + index.digest());
        for (Descriptor d : value.manifests()) {
            boolean there = store.exists(d.digest());
            missing[0] |= !there && (MediaTypes.isIndex(d.mediaType()) || MediaTypes.isManifest(d.mediaType()));
            if (MediaTypes.isIndex(d.mediaType()) && there) {
                walk(store, d, held, lacking, missing, seen, depth + 1);
            } else if (MediaTypes.isManifest(d.mediaType()) && !ImageReader.isAttestation(d)) {
                String p = d.platform() == null ? d.digest().toString() : d.platform().toLongString();
                (there ? held : lacking).add(p);
            }
        }
    }

    /** The one-line reason a document {@code d} the index lists cannot be read. */
    String lacks(Descriptor d) {
        String what = ImageReader.isAttestation(d) ? "the attestation manifest " + d.digest()
                : d.platform() != null ? "the " + d.platform().toLongString() + " image (manifest " + d.digest() + ")"
                : "manifest " + d.digest();
        return "the archive does not hold " + what + " that its index lists; it holds only "
                + (held.isEmpty() ? "no image" : String.join(", ", held))
                + " (a save keeps only the platforms its saver had): copy those platforms alone";
    }
}
