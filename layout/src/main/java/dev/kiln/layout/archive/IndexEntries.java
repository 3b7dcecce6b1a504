package dev.kiln.layout.archive;

import dev.kiln.layout.oci.LayoutTag;
import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageIndex;
import dev.kiln.layout.spec.ImageName;
import dev.kiln.layout.spec.MediaTypes;
import dev.kiln.layout.transport.TransportException;
import java.util.List;

/** Finding an image among the top-level entries of an archive's index.json. */
final class IndexEntries {
    private IndexEntries() {
    }

    /** The entries {@code name} (a tag or a full image name) names; several entries of one digest count as one. */
    static List<Descriptor> find(ImageIndex index, String name) {
        LayoutTag tag;
        try {
            tag = LayoutTag.parse(name);
        } catch (IllegalArgumentException e) {
            throw new TransportException("invalid image name '" + name + "': " + e.getMessage());
        }
        List<Descriptor> found = index.manifests().stream().filter(d -> tag.names(d) || sameName(d, name)).toList();
        if (found.stream().map(Descriptor::digest).distinct().count() == 1) {
            return List.of(found.get(0));
        }
        return found;
    }

    /** A ref.name holding a familiar name ({@code hello:1.0}) names {@code docker.io/library/hello:1.0} too. */
    private static boolean sameName(Descriptor d, String name) {
        String ref = d.annotation(MediaTypes.ANNOTATION_REF_NAME);
        if (ref == null || !ref.contains(":")) {
            return false;
        }
        try {
            return ImageName.parse(ref).toString().equals(ImageName.parse(name).toString());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** One entry: named by {@code name}, or the only one when {@code name} is null. Tag annotations removed. */
    static Descriptor resolve(ImageIndex index, String name, String what) {
        List<Descriptor> entries = index.manifests();
        if (name == null) {
            if (entries.stream().map(Descriptor::digest).distinct().count() == 1) {
                return entries.get(0).withAnnotations(null);
            }
            if (entries.isEmpty()) {
                throw new ArchiveException(what + ": the archive holds no image (index.json is empty)");
            }
            throw new ArchiveException(what + ": the archive holds " + entries.size() + " images; name one of: " + names(index));
        }
        List<Descriptor> found = find(index, name);
        if (found.size() == 1) {
            return found.get(0).withAnnotations(null);
        }
        if (found.isEmpty()) {
            throw new ArchiveException(what + ": no image named '" + name + "' in the archive (names: " + names(index) + ")");
        }
        throw new ArchiveException(what + ": name '" + name + "' is ambiguous: " + found.size() + " different images carry it");
    }

    static String names(ImageIndex index) {
        if (index.manifests().isEmpty()) {
            return "none";
        }
        return String.join(", ", index.manifests().stream().map(OciLayout::displayName).toList());
    }
}
