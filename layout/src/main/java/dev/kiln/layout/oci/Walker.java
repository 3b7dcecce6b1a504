package dev.kiln.layout.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.layout.KilnException;
import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.json.Json;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageIndex;
import dev.kiln.layout.spec.ImageManifest;
import dev.kiln.layout.spec.MediaTypes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Walks everything reachable from a layout's {@code index.json}: nested indexes, manifests, their
 * configs and layers. Each digest is visited once (later references are recorded, not followed),
 * an index that reaches itself is reported as a cycle, and each node keeps the references that led
 * to it. Indexes and manifests are read whole (at most 4 MiB) and checked against their
 * descriptors; configs and layers are not opened. The walk never throws for a broken layout: what
 * it could not read is in {@link Walk#problems()}. Subjects (referrers) are not followed.
 *
 * <p>An entry of index.json or of an index whose media type is not known is read as a document
 * too, and followed when its content is an index or manifest, so that gc never mistakes what an
 * unknown-typed manifest references for garbage. A Docker schema1 manifest, and an unknown document
 * that names digests, are problems of the walk: what they reference is not known, so gc refuses.
 */
public final class Walker {
    private final Path root;

    /** Walks the layout at {@code root}; the {@code oci-layout} file need not be there. */
    public Walker(Path root) {
        this.root = root;
    }

    public static Walker of(OciLayout layout) {
        return new Walker(layout.root());
    }

    private enum Role { TOP, INDEX_CHILD, CONFIG, LAYER }

    private record Child(Descriptor descriptor, Role role, int position) {
    }

    private static final class Frame {
        final WalkNode node;
        final List<Child> children;
        int next;

        Frame(WalkNode node, List<Child> children) {
            this.node = node;
            this.children = children;
        }
    }

    private final class State {
        final List<WalkNode> nodes = new ArrayList<>();
        final List<Problem> problems = new ArrayList<>();
        final Set<Digest> visited = new HashSet<>();
        final Set<Digest> documents = new HashSet<>();
        final Set<Digest> onPath = new HashSet<>();
        final Deque<Frame> stack = new ArrayDeque<>();
        long bytesRead;
        int documentsRead;
    }

    public Walk walk() {
        State s = new State();
        ImageIndex index = readIndexJson(s);
        if (index == null) {
            return new Walk(root, null, s.nodes, s.problems, s.bytesRead, s.documentsRead);
        }
        List<Descriptor> top = index.manifests();
        for (int i = 0; i < top.size(); i++) {
            visit(s, null, new Child(top.get(i), Role.TOP, i));
            while (!s.stack.isEmpty()) {
                Frame f = s.stack.peek();
                if (f.next < f.children.size()) {
                    visit(s, f.node, f.children.get(f.next++));
                } else {
                    s.stack.pop();
                    s.onPath.remove(f.node.digest());
                }
            }
        }
        return new Walk(root, index, s.nodes, s.problems, s.bytesRead, s.documentsRead);
    }

    private ImageIndex readIndexJson(State s) {
        Path file = root.resolve(OciLayout.INDEX_FILE);
        String where = OciLayout.INDEX_FILE;
        if (!Files.exists(file)) {
            s.problems.add(new Problem(null, where, OciLayout.INDEX_FILE + " is missing"));
            return null;
        }
        if (!Files.isRegularFile(file)) {
            s.problems.add(new Problem(null, where, OciLayout.INDEX_FILE + " is not a regular file"));
            return null;
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(Json.MAX_DOCUMENT_BYTES + 1);
        } catch (IOException e) {
            s.problems.add(new Problem(null, where, "cannot read " + OciLayout.INDEX_FILE + ": " + e));
            return null;
        }
        s.bytesRead += bytes.length;
        if (bytes.length == 0) {
            s.problems.add(new Problem(null, where, OciLayout.INDEX_FILE + " is empty (want an image index)"));
            return null;
        }
        try {
            return ImageIndex.parse(bytes, OciLayout.INDEX_FILE);
        } catch (KilnException e) {
            s.problems.add(new Problem(null, where, e.getMessage()));
            return null;
        }
    }

    private void visit(State s, WalkNode parent, Child child) {
        Descriptor d = child.descriptor();
        String label = label(child);
        boolean document = child.role() == Role.TOP || child.role() == Role.INDEX_CHILD;
        // a digest met first as a layer or config is still read when an index lists it, so that
        // nothing it references is missed
        boolean first = document ? s.documents.add(d.digest()) : !s.visited.contains(d.digest());
        s.visited.add(d.digest());
        WalkNode.Kind referenced = switch (child.role()) {
            case CONFIG -> WalkNode.Kind.CONFIG;
            case LAYER -> WalkNode.Kind.LAYER;
            default -> MediaTypes.isIndex(d.mediaType()) ? WalkNode.Kind.INDEX
                    : MediaTypes.isManifest(d.mediaType()) ? WalkNode.Kind.MANIFEST : WalkNode.Kind.BLOB;
        };
        if (!first) {
            WalkNode node = new WalkNode(d, referenced, parent, label, child.position(), false, false, null, null, null);
            s.nodes.add(node);
            if (document && s.onPath.contains(d.digest())) {
                s.problems.add(new Problem(d.digest(), node.where(),
                        "index cycle: this index is listed inside itself, so the layout never ends"));
            }
            return;
        }
        // a known layer or config type listed in an index is a leaf; anything else there is read
        boolean read = document && !MediaTypes.isLayer(d.mediaType()) && !MediaTypes.isConfig(d.mediaType())
                && !MediaTypes.OCI_EMPTY.equals(d.mediaType());
        if (!read) {
            s.nodes.add(new WalkNode(d, referenced, parent, label, child.position(), true, false, null, null, null));
            return;
        }
        boolean expected = MediaTypes.isIndex(d.mediaType()) || MediaTypes.isManifest(d.mediaType());
        BlobFiles.Document doc = BlobFiles.readDocument(root, d);
        Supplier<String> where = () -> (parent == null ? OciLayout.INDEX_FILE : parent.where()) + " > " + label;
        if (doc.tooBig() && !expected) {
            // too big to be an index or manifest, so it references nothing: a leaf the verifier streams
            s.nodes.add(new WalkNode(d, referenced, parent, label, child.position(), true, false, null, null, null));
            return;
        }
        if (doc.bytes() == null) {
            s.nodes.add(new WalkNode(d, referenced, parent, label, child.position(), true, true, null, null, null));
            s.problems.add(new Problem(d.digest(), where.get(), doc.unreadable()));
            return;
        }
        s.bytesRead += doc.bytes().length;
        s.documentsRead++;
        if (doc.sizeProblem() != null) {
            s.problems.add(new Problem(d.digest(), where.get(), doc.sizeProblem()));
        }
        if (doc.digestProblem() != null) {
            s.problems.add(new Problem(d.digest(), where.get(), doc.digestProblem()));
        }
        String what = BlobFiles.relative(d.digest());
        ObjectNode json;
        try {
            json = Json.parseObject(doc.bytes(), what);
        } catch (KilnException e) {
            s.nodes.add(new WalkNode(d, referenced, parent, label, child.position(), true, true, null, null, null));
            if (expected) {
                s.problems.add(new Problem(d.digest(), where.get(), e.getMessage()));
            }
            return;
        }
        JsonNode mt = json.get("mediaType");
        String docType = mt != null && mt.isTextual() ? mt.textValue() : null;
        if (isSchema1(json, d.mediaType())) {
            // its layers are named by blobSum only: kiln cannot check them, and gc must not take them for garbage
            s.nodes.add(new WalkNode(d, referenced, parent, label, child.position(), true, true, docType, null, null));
            s.problems.add(new Problem(d.digest(), where.get(), "a Docker schema1 manifest (deprecated), which kiln does"
                    + " not read; its layers are not checked, and gc deletes nothing while it is listed"));
            return;
        }
        WalkNode.Kind kind = contentKind(json, d.mediaType(), docType);
        if (kind == null) {
            s.nodes.add(new WalkNode(d, referenced, parent, label, child.position(), true, true, docType, null, null));
            if (expected) {
                s.problems.add(new Problem(d.digest(), where.get(),
                        "not an image index or manifest: it has neither 'manifests' nor 'config' (" + what + ")"));
            } else if (namesDigests(json, 0)) {
                s.problems.add(new Problem(d.digest(), where.get(), "media type " + d.mediaType() + " is not an index or"
                        + " manifest type kiln knows, and the document names other blobs; kiln cannot tell which it"
                        + " needs, so gc deletes nothing while it is listed"));
            }
            return;
        }
        ImageIndex index = null;
        ImageManifest manifest = null;
        try {
            if (kind == WalkNode.Kind.INDEX) {
                index = ImageIndex.fromJson(json, what);
            } else {
                manifest = ImageManifest.fromJson(json, what);
            }
        } catch (KilnException | IllegalArgumentException e) {
            s.nodes.add(new WalkNode(d, kind, parent, label, child.position(), true, true, docType, null, null));
            s.problems.add(new Problem(d.digest(), where.get(), e.getMessage()));
            return;
        }
        WalkNode node = new WalkNode(d, kind, parent, label, child.position(), true, true, docType, index, manifest);
        s.nodes.add(node);
        List<Child> children = new ArrayList<>();
        if (index != null) {
            for (int i = 0; i < index.manifests().size(); i++) {
                children.add(new Child(index.manifests().get(i), Role.INDEX_CHILD, i));
            }
        } else {
            children.add(new Child(manifest.config(), Role.CONFIG, -1));
            for (int i = 0; i < manifest.layers().size(); i++) {
                children.add(new Child(manifest.layers().get(i), Role.LAYER, i));
            }
        }
        s.onPath.add(d.digest());
        s.stack.push(new Frame(node, children));
    }

    /** A Docker schema1 manifest, by its media type or by its content (schemaVersion 1, fsLayers). */
    private static boolean isSchema1(ObjectNode json, String descriptorType) {
        JsonNode v = json.get("schemaVersion");
        return MediaTypes.isSchema1(descriptorType) || v != null && v.isIntegralNumber() && v.longValue() == 1
                || json.has("fsLayers");
    }

    /** True when some object inside the document has a string {@code digest}: it references blobs. */
    private static boolean namesDigests(JsonNode node, int depth) {
        if (depth > Json.MAX_DEPTH) {
            return true;
        }
        if (node.isObject() && node.path("digest").isTextual()) {
            return true;
        }
        for (JsonNode child : node) {
            if (child.isContainerNode() && namesDigests(child, depth + 1)) {
                return true;
            }
        }
        return false;
    }

    /**
     * What a document is by its content: an index has {@code manifests}, a manifest has
     * {@code config}; when the content says neither, its own or its descriptor's media type decides.
     */
    private static WalkNode.Kind contentKind(ObjectNode json, String descriptorType, String docType) {
        if (json.has("manifests")) {
            return WalkNode.Kind.INDEX;
        }
        if (json.has("config")) {
            return WalkNode.Kind.MANIFEST;
        }
        String type = docType != null ? docType : descriptorType;
        if (MediaTypes.isIndex(type)) {
            return WalkNode.Kind.INDEX;
        }
        if (MediaTypes.isManifest(type)) {
            return WalkNode.Kind.MANIFEST;
        }
        return null;
    }

    private static String label(Child c) {
        Descriptor d = c.descriptor();
        String digest = BlobFiles.shortDigest(d.digest());
        return switch (c.role()) {
            case TOP -> {
                String name = d.annotation(MediaTypes.ANNOTATION_CONTAINERD_NAME);
                if (name == null) {
                    name = d.annotation(MediaTypes.ANNOTATION_REF_NAME);
                }
                yield (name != null ? name : "manifests[" + c.position() + "]") + " (" + digest + ")";
            }
            case INDEX_CHILD -> (d.platform() != null ? d.platform().toLongString() + " " : "")
                    + kindWord(d.mediaType()) + " " + digest;
            case CONFIG -> "config " + digest;
            case LAYER -> "layer " + (c.position() + 1) + " " + digest;
        };
    }

    private static String kindWord(String mediaType) {
        if (MediaTypes.isIndex(mediaType)) {
            return "index";
        }
        if (MediaTypes.isManifest(mediaType)) {
            return "manifest";
        }
        return "blob";
    }

}
