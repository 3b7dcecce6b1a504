package dev.kiln.layout.oci;

import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageManifest;
import dev.kiln.layout.spec.MediaTypes;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The media-type checks of {@link Verifier}, one reference at a time: known types in the right
 * place (index entries are indexes or manifests, an image's config a config, its layers layers;
 * an artifact, whose config is any other type, may carry any layer type), {@code artifactType}
 * present when the config is the empty descriptor (the image-spec's one requirement) and a media
 * type when present, the {@code mediaType} inside an index or manifest equal to its descriptor's,
 * and warnings for documents without a mediaType and for Docker and OCI types mixed.
 */
final class MediaTypeRules {
    private MediaTypeRules() {
    }

    /** True for a manifest of a runnable image (as opposed to an artifact). */
    static boolean isImage(ImageManifest m) {
        return MediaTypes.isConfig(m.config().mediaType());
    }

    static void check(WalkNode n, Findings f) {
        String type = n.descriptor().mediaType();
        WalkNode parent = n.parent();
        switch (n.kind()) {
            case CONFIG -> {
                // any other type is an artifact's config (a Helm chart's, ...): the image-spec asks for
                // artifactType only when the config is the empty one
                if (MediaTypes.OCI_EMPTY.equals(type) && parent.manifest().artifactType() == null) {
                    f.problem(n, "the config is the empty descriptor (" + type + "), so the manifest must say what"
                            + " the artifact is with artifactType");
                } else if (!MediaTypes.isConfig(type) && (MediaTypes.isKnown(type) && !MediaTypes.OCI_EMPTY.equals(type)
                        || MediaTypes.isSchema1(type))) {
                    f.problem(n, "media type " + type + " is not a config type");
                }
            }
            case LAYER -> {
                if (isImage(parent.manifest()) && !MediaTypes.isLayer(type)) {
                    f.problem(n, MediaTypes.isKnown(type) ? "media type " + type + " is not a layer type"
                            : "unknown layer media type " + type);
                }
            }
            default -> {
                if (MediaTypes.isSchema1(type)) {
                    break; // the walker reports it
                }
                if (!MediaTypes.isIndex(type) && !MediaTypes.isManifest(type)) {
                    f.problem(n, MediaTypes.isKnown(type)
                            ? "media type " + type + " is not an index or manifest type, as an index entry must be"
                            : "unknown media type " + type);
                }
                if (parent != null && n.first()) {
                    checkMix(n, parent.descriptor().mediaType(), type, f);
                }
            }
        }
        if (n.read() && (n.index() != null || n.manifest() != null)) {
            checkDocument(n, type, f);
        }
    }

    private static void checkDocument(WalkNode n, String type, Findings f) {
        String own = n.documentMediaType();
        String is = n.index() != null ? "image index" : "image manifest";
        if (own != null && !own.equals(type)) {
            f.problem(n, "the document's mediaType is " + own + " but its descriptor says " + type);
        } else if (own == null) {
            if (n.index() != null ? MediaTypes.isManifest(type) : MediaTypes.isIndex(type)) {
                f.problem(n, "the descriptor says " + type + " but the blob is an " + is);
            }
            f.warning(n, is + " has no mediaType field (some registries, ECR among them, reject that)");
        }
        String artifactType = n.index() != null ? n.index().artifactType() : n.manifest().artifactType();
        if (artifactType != null && !Descriptor.isMediaType(artifactType)) {
            f.problem(n, "artifactType '" + artifactType + "' is not a media type (RFC 6838: type/subtype)");
        }
        ImageManifest m = n.manifest();
        if (m == null) {
            return;
        }
        boolean docker = MediaTypes.isDocker(own != null ? own : type);
        List<Descriptor> parts = new ArrayList<>(m.layers());
        parts.add(0, m.config());
        TreeSet<String> mixed = new TreeSet<>();
        for (Descriptor d : parts) {
            if (MediaTypes.isKnown(d.mediaType()) && MediaTypes.isDocker(d.mediaType()) != docker) {
                mixed.add(d.mediaType());
            }
        }
        if (!mixed.isEmpty()) {
            f.warning(n, (docker ? "Docker" : "OCI") + " manifest with " + (docker ? "OCI" : "Docker")
                    + " media types inside (" + String.join(", ", mixed) + ")");
        }
    }

    private static void checkMix(WalkNode n, String parentType, String type, Findings f) {
        if (MediaTypes.isKnown(type) && MediaTypes.isKnown(parentType)
                && MediaTypes.isDocker(type) != MediaTypes.isDocker(parentType)) {
            f.warning(n, (MediaTypes.isDocker(type) ? "Docker" : "OCI") + " media type " + type + " inside "
                    + (MediaTypes.isDocker(parentType) ? "a Docker manifest list" : "an OCI index")
                    + " (some registries, Quay among them, reject the mix)");
        }
    }
}
