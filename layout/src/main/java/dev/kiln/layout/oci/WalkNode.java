package dev.kiln.layout.oci;

import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageIndex;
import dev.kiln.layout.spec.ImageManifest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One reference to a blob met while walking a layout from {@code index.json}: the descriptor, what
 * the blob is, and the chain of references that led to it. A digest met again is a node with
 * {@link #first()} false and no children. Nodes compare by identity.
 */
public final class WalkNode {
    /** What a blob is: for indexes and manifests that were read, by their content; else by how it is referenced. */
    public enum Kind { INDEX, MANIFEST, CONFIG, LAYER, BLOB }

    private final Descriptor descriptor;
    private final Kind kind;
    private final WalkNode parent;
    private final String label;
    private final int position;
    private final boolean first;
    private final boolean read;
    private final String documentMediaType;
    private final ImageIndex index;
    private final ImageManifest manifest;

    WalkNode(Descriptor descriptor, Kind kind, WalkNode parent, String label, int position, boolean first,
             boolean read, String documentMediaType, ImageIndex index, ImageManifest manifest) {
        if (descriptor == null || kind == null || label == null) {
            throw new IllegalArgumentException("walk node: descriptor, kind and label are required");
        }
        this.descriptor = descriptor;
        this.kind = kind;
        this.parent = parent;
        this.label = label;
        this.position = position;
        this.first = first;
        this.read = read;
        this.documentMediaType = documentMediaType;
        this.index = index;
        this.manifest = manifest;
    }

    public Descriptor descriptor() {
        return descriptor;
    }

    public Digest digest() {
        return descriptor.digest();
    }

    public Kind kind() {
        return kind;
    }

    /** The index or manifest that references this blob; null for a top-level entry of index.json. */
    public WalkNode parent() {
        return parent;
    }

    /** This step of the path, e.g. {@code latest (sha256:ab..)}, {@code linux/arm64 manifest sha256:cd..}, {@code layer 2 sha256:ef..}. */
    public String label() {
        return label;
    }

    /** Position in the parent's list: entry of index.json or of an index, layer number from 0; -1 for a config. */
    public int position() {
        return position;
    }

    /**
     * True on the first reference to this digest (or the first from an index when it was met before
     * only as a layer or config); only then is it read and are its children walked.
     */
    public boolean first() {
        return first;
    }

    /**
     * True when the walker read this blob (an entry of index.json or of an index) and checked its
     * size and digest, or reported in {@link Walk#problems()} why it could not.
     */
    public boolean read() {
        return read;
    }

    /** The {@code mediaType} field inside a document that was read; null when it has none or was not read. */
    public String documentMediaType() {
        return documentMediaType;
    }

    /** The parsed index when this is an index that was read and parsed, else null. */
    public ImageIndex index() {
        return index;
    }

    /** The parsed manifest when this is a manifest that was read and parsed, else null. */
    public ImageManifest manifest() {
        return manifest;
    }

    /** The nodes from the top-level entry of index.json down to this one. */
    public List<WalkNode> path() {
        List<WalkNode> out = new ArrayList<>();
        for (WalkNode n = this; n != null; n = n.parent) {
            out.add(n);
        }
        Collections.reverse(out);
        return out;
    }

    /** {@code index.json > latest (sha256:ab..) > linux/arm64 manifest sha256:cd.. > layer 2 sha256:ef..}. */
    public String where() {
        StringBuilder b = new StringBuilder(OciLayout.INDEX_FILE);
        for (WalkNode n : path()) {
            b.append(" > ").append(n.label);
        }
        return b.toString();
    }

    public int depth() {
        int d = 0;
        for (WalkNode n = parent; n != null; n = n.parent) {
            d++;
        }
        return d;
    }

    @Override
    public String toString() {
        return where();
    }
}
