package dev.kiln.builder.image;

import dev.kiln.layout.oci.LayoutTag;
import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageIndex;
import dev.kiln.layout.spec.MediaTypes;
import dev.kiln.layout.spec.Platform;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Changes the platform of one entry of a tagged index, like {@code docker manifest annotate}: os,
 * architecture, variant, os.version, os.features. The index is a new blob (its digest changes) and
 * the tag moves to it; the images themselves are untouched.
 */
public final class IndexAnnotator {
    private IndexAnnotator() {
    }

    /** The fields to set; null leaves a field as it is, an empty string or list clears it. */
    public record Change(String os, String architecture, String variant, String osVersion, List<String> osFeatures) {
    }

    /**
     * @param entry a platform ({@code linux/amd64}) or a digest (or its first 12+ hex characters)
     */
    public static Descriptor annotate(OciLayout layout, String tag, String entry, Change change) throws IOException {
        Descriptor top = layout.resolve(tag);
        if (!MediaTypes.isIndex(top.mediaType())) {
            throw new BuildException(layout.root() + ":" + tag + " names a single image, not an index; "
                    + "make one with: kiln index create oci:DIR:NEW oci:DIR:" + tag);
        }
        ImageIndex index = ImageIndex.parse(layout.blobs().readSmall(top), top.digest().toString());
        List<Descriptor> entries = new ArrayList<>(index.manifests());
        int found = -1;
        for (int i = 0; i < entries.size(); i++) {
            if (selects(entries.get(i), entry)) {
                if (found >= 0) {
                    throw new BuildException("'" + entry + "' matches more than one entry of " + tag + "; give a digest");
                }
                found = i;
            }
        }
        if (found < 0) {
            throw new BuildException("no entry '" + entry + "' in " + tag + " (entries: " + String.join(", ",
                    entries.stream().map(d -> (d.platform() == null ? "?" : d.platform().toLongString()) + " " + d.digest().shortHex()).toList()) + ")");
        }
        Descriptor d = entries.get(found);
        Platform p = d.platform();
        Platform updated;
        try {
            updated = new Platform(
                    pick(change.os(), p == null ? null : p.os()),
                    pick(change.architecture(), p == null ? null : p.architecture()),
                    pick(change.variant(), p == null ? null : p.variant()),
                    pick(change.osVersion(), p == null ? null : p.osVersion()),
                    change.osFeatures() != null ? change.osFeatures() : p == null ? null : p.osFeatures(),
                    p == null ? null : p.extra());
        } catch (IllegalArgumentException e) {
            throw new BuildException("annotate " + entry + ": " + e.getMessage());
        }
        entries.set(found, d.withPlatform(updated));
        ImageIndex changed = index.withManifests(entries);
        Descriptor stored = layout.blobs().putBytes(changed.effectiveMediaType(), changed.toBytes());
        layout.tag(LayoutTag.parse(tag), stored);
        return stored;
    }

    private static String pick(String wanted, String current) {
        if (wanted == null) {
            return current;
        }
        return wanted.isEmpty() ? null : wanted;
    }

    private static boolean selects(Descriptor d, String entry) {
        String hex = entry.startsWith("sha256:") ? entry.substring(7) : entry;
        if (hex.length() >= 12 && hex.matches("[0-9a-f]+")) {
            return d.digest().hex().startsWith(hex);
        }
        if (d.platform() == null) {
            return false;
        }
        Platform wanted = Platform.parse(entry);
        return wanted.matches(d.platform());
    }
}
