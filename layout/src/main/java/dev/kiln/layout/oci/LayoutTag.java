package dev.kiln.layout.oci;

import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageName;
import dev.kiln.layout.spec.MediaTypes;
import java.util.regex.Pattern;

/**
 * How an image is named inside an OCI layout's index.json. A bare tag ({@code 1.0}, {@code latest})
 * sets only {@code org.opencontainers.image.ref.name}; a full name ({@code example.com/hello:1.0},
 * {@code hello:1.0}) sets ref.name to its tag and {@code io.containerd.image.name} to the normalized
 * full name, as Docker 25+ {@code save} does.
 */
public record LayoutTag(String refName, String fullName, String given) {
    private static final Pattern REF_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.+-]{0,127}");

    public LayoutTag {
        if (refName == null || refName.isEmpty()) {
            throw new IllegalArgumentException("empty tag");
        }
        given = given == null ? (fullName == null ? refName : fullName) : given;
    }

    public LayoutTag(String refName, String fullName) {
        this(refName, fullName, null);
    }

    /** Parses what a user wrote after {@code oci:DIR:} or with {@code -t}. */
    public static LayoutTag parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty tag");
        }
        if (REF_NAME.matcher(text).matches()) {
            return new LayoutTag(text, null, text);
        }
        ImageName name;
        try {
            name = ImageName.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid tag or image name '" + text + "': " + e.getMessage());
        }
        if (name.digest() != null) {
            throw new IllegalArgumentException("invalid tag '" + text + "': a tag cannot contain a digest");
        }
        return new LayoutTag(name.tag(), name.toString(), text);
    }

    /** True when a top-level index.json entry carries this name. */
    public boolean names(Descriptor d) {
        String ref = d.annotation(MediaTypes.ANNOTATION_REF_NAME);
        String full = d.annotation(MediaTypes.ANNOTATION_CONTAINERD_NAME);
        if (fullName != null) {
            // a full name: the containerd name, or a ref.name that holds the whole name (skopeo writes that)
            return fullName.equals(full) || fullName.equals(ref) || given.equals(ref);
        }
        return refName.equals(ref);
    }

    /** True when tagging with this name must take the name away from entry {@code d}. */
    public boolean displaces(Descriptor d) {
        String ref = d.annotation(MediaTypes.ANNOTATION_REF_NAME);
        String full = d.annotation(MediaTypes.ANNOTATION_CONTAINERD_NAME);
        if (fullName != null) {
            return fullName.equals(full) || fullName.equals(ref) || given.equals(ref)
                    || (full == null && refName.equals(ref));
        }
        return refName.equals(ref);
    }

    /** The descriptor with this name's annotations set. */
    public Descriptor apply(Descriptor d) {
        Descriptor out = d.withAnnotation(MediaTypes.ANNOTATION_REF_NAME, refName);
        return out.withAnnotation(MediaTypes.ANNOTATION_CONTAINERD_NAME, fullName);
    }

    /** What to print: the full name when there is one. */
    public String display() {
        return fullName != null ? fullName : refName;
    }

    @Override
    public String toString() {
        return display();
    }
}
