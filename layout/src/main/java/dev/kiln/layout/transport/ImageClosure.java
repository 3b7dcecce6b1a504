package dev.kiln.layout.transport;

import dev.kiln.layout.KilnException;
import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageIndex;
import dev.kiln.layout.spec.ImageManifest;
import dev.kiln.layout.spec.MediaTypes;
import dev.kiln.layout.spec.UnsupportedContentException;
import dev.kiln.layout.store.BlobMissingException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything an image root references, children before parents (layers, config, manifest; each
 * child of an index; then the index), each digest once. Manifests and indexes come with their exact
 * bytes; blobs are only named. Artifacts (any config type) are manifests like images. A root or
 * index entry that is a Docker schema1 manifest, or of a type that is neither an index nor a
 * manifest kiln knows, is refused ({@link UnsupportedContentException}): what it references cannot
 * be known, and a closure that left it out would make a copy hold less than its source.
 */
public final class ImageClosure {
    private static final int MAX_DEPTH = 8;

    /** What a node of the closure is. */
    public enum Kind { LAYER, CONFIG, MANIFEST, INDEX, BLOB }

    /**
     * One document or blob; {@code bytes} is set for manifests and indexes. {@code role} says what
     * first referenced it ({@code layer 2 of manifest sha256:...}), or null for the root.
     */
    public record Node(Kind kind, Descriptor descriptor, byte[] bytes, String role) {
        public boolean isDocument() {
            return bytes != null;
        }

        /** The blob and what references it, for messages: {@code layer 2 sha256:... of manifest sha256:...}. */
        public String describe() {
            return role == null ? "blob " + descriptor.digest() : role;
        }
    }

    /** Reads a manifest or index, verified against its descriptor. */
    @FunctionalInterface
    public interface DocumentReader {
        byte[] read(Descriptor descriptor) throws IOException;
    }

    private final DocumentReader reader;
    private final String where;
    private final Map<Digest, Node> nodes = new LinkedHashMap<>();
    private final Set<Digest> visiting = new HashSet<>();

    private ImageClosure(DocumentReader reader, String where) {
        this.reader = reader;
        this.where = where;
    }

    /** The closure of {@code root}, read with {@code reader}; {@code where} names the source in errors. */
    public static List<Node> of(Descriptor root, DocumentReader reader, String where) throws IOException {
        return of(root, null, reader, where);
    }

    /**
     * The closure of {@code root} whose bytes are given ({@code rootBytes}, for an index made in
     * memory), or read when null.
     */
    public static List<Node> of(Descriptor root, byte[] rootBytes, DocumentReader reader, String where) throws IOException {
        ImageClosure c = new ImageClosure(reader, where);
        c.visit(root, rootBytes, null, 0);
        return List.copyOf(c.nodes.values());
    }

    /** The closure of several roots (the entries of a layout's index.json), each digest once. */
    public static List<Node> ofAll(List<Descriptor> roots, DocumentReader reader, String where) throws IOException {
        ImageClosure c = new ImageClosure(reader, where);
        for (Descriptor d : roots) {
            c.visit(d, null, null, 0);
        }
        return List.copyOf(c.nodes.values());
    }

    private void visit(Descriptor d, byte[] given, Descriptor parent, int depth) throws IOException {
        if (nodes.containsKey(d.digest())) {
            return;
        }
        if (depth > MAX_DEPTH) {
            throw new TransportException(where + ": " + d.digest() + " is nested more than " + MAX_DEPTH + " levels deep");
        }
        if (!visiting.add(d.digest())) {
            throw new TransportException(where + ": " + d.digest() + " refers to itself");
        }
        String role = parent == null ? null : d.digest() + " listed in index " + parent.digest();
        try {
            if (MediaTypes.isIndex(d.mediaType())) {
                byte[] bytes = given != null ? given : read(d, role);
                ImageIndex index = parse(() -> ImageIndex.parse(bytes, where + ": index " + d.digest()));
                for (Descriptor child : index.manifests()) {
                    visit(child, null, d, depth + 1);
                }
                nodes.put(d.digest(), new Node(Kind.INDEX, d, bytes, role));
            } else if (MediaTypes.isManifest(d.mediaType())) {
                byte[] bytes = given != null ? given : read(d, role);
                ImageManifest m = parse(() -> ImageManifest.parse(bytes, where + ": manifest " + d.digest()));
                checkChildTypes(m, d, where);
                String of = " of manifest " + d.digest();
                for (int i = 0; i < m.layers().size(); i++) {
                    Descriptor layer = m.layers().get(i);
                    nodes.putIfAbsent(layer.digest(), new Node(Kind.LAYER, layer, null,
                            "layer " + (i + 1) + " " + layer.digest() + of));
                }
                nodes.putIfAbsent(m.config().digest(), new Node(Kind.CONFIG, m.config(), null,
                        "config " + m.config().digest() + of));
                nodes.put(d.digest(), new Node(Kind.MANIFEST, d, bytes, role));
            } else if (MediaTypes.isLayer(d.mediaType()) || MediaTypes.isConfig(d.mediaType())
                    || MediaTypes.OCI_EMPTY.equals(d.mediaType())) {
                nodes.put(d.digest(), new Node(Kind.BLOB, d, null, role)); // content that references nothing
            } else {
                // a schema1 manifest, or a type whose references kiln cannot know: never "nothing to copy"
                throw UnsupportedContentException.unknownManifest(where + ": " + (role != null ? role : d.digest().toString()),
                        d.mediaType());
            }
        } finally {
            visiting.remove(d.digest());
        }
    }

    private byte[] read(Descriptor d, String role) throws IOException {
        try {
            return reader.read(d);
        } catch (BlobMissingException e) {
            throw new TransportException(where + ": " + (role != null ? role : d.mediaType() + " " + d.digest())
                    + " is missing from the layout", e);
        }
    }

    /**
     * Refuses a manifest whose config descriptor says it is an index, manifest or layer, or whose
     * layer descriptor says it is an index, manifest or config: whatever read it next would take one
     * kind of document for another. Other (artifact) types pass.
     */
    static void checkChildTypes(ImageManifest m, Descriptor d, String where) {
        String ct = m.config().mediaType();
        if (MediaTypes.isIndex(ct) || MediaTypes.isManifest(ct) || MediaTypes.isLayer(ct) || MediaTypes.isSchema1(ct)) {
            throw new TransportException(where + ": manifest " + d.digest() + ": its config " + m.config().digest()
                    + " has the media type " + ct + ", which is not a config type");
        }
        for (int i = 0; i < m.layers().size(); i++) {
            String lt = m.layers().get(i).mediaType();
            if (MediaTypes.isIndex(lt) || MediaTypes.isManifest(lt) || MediaTypes.isConfig(lt) || MediaTypes.isSchema1(lt)) {
                throw new TransportException(where + ": manifest " + d.digest() + ": layer " + (i + 1) + " "
                        + m.layers().get(i).digest() + " has the media type " + lt + ", which is not a layer type");
            }
        }
    }

    private interface Parse<T> {
        T get();
    }

    private <T> T parse(Parse<T> p) {
        try {
            return p.get();
        } catch (KilnException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new TransportException(where + ": " + e.getMessage(), e);
        }
    }

    /** The nodes of a closure that are documents, in order. */
    public static List<Node> documents(List<Node> closure) {
        List<Node> out = new ArrayList<>();
        for (Node n : closure) {
            if (n.isDocument()) {
                out.add(n);
            }
        }
        return out;
    }
}
