package dev.kiln.layout.oci;

import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.spec.ImageIndex;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a {@link Walker} found: every reference in walk order (parents before children), the
 * problems that kept it from reading an index or manifest, and counts. When {@link #complete()} is
 * false the set of reachable blobs is not proven (a manifest could not be read), so nothing may be
 * deleted on its strength.
 */
public final class Walk {
    private final Path root;
    private final ImageIndex index;
    private final List<WalkNode> nodes;
    private final List<Problem> problems;
    private final long bytesRead;
    private final int documentsRead;
    private final Map<Digest, WalkNode> firsts = new LinkedHashMap<>();
    private final Map<WalkNode, List<WalkNode>> children = new IdentityHashMap<>();

    Walk(Path root, ImageIndex index, List<WalkNode> nodes, List<Problem> problems, long bytesRead, int documentsRead) {
        this.root = root;
        this.index = index;
        this.nodes = List.copyOf(nodes);
        this.problems = List.copyOf(problems);
        this.bytesRead = bytesRead;
        this.documentsRead = documentsRead;
        for (WalkNode n : this.nodes) {
            if (n.first()) {
                firsts.putIfAbsent(n.digest(), n);
            }
            if (n.parent() != null) {
                children.computeIfAbsent(n.parent(), k -> new ArrayList<>()).add(n);
            }
        }
    }

    public Path root() {
        return root;
    }

    /** The parsed index.json, or null when it is missing or unreadable (see {@link #problems()}). */
    public ImageIndex index() {
        return index;
    }

    /** Every reference met, in walk order; a digest's first reference comes before its repeats. */
    public List<WalkNode> nodes() {
        return nodes;
    }

    /** One node per reachable digest: its first reference. */
    public List<WalkNode> firstVisits() {
        return List.copyOf(firsts.values());
    }

    /** The first reference to {@code digest}, or null when it is not reachable. */
    public WalkNode first(Digest digest) {
        return firsts.get(digest);
    }

    /** The references made by an index or manifest node (empty for a repeat or a leaf). */
    public List<WalkNode> children(WalkNode parent) {
        return Collections.unmodifiableList(children.getOrDefault(parent, List.of()));
    }

    /** Every digest reachable from index.json, sorted. */
    public Set<Digest> reachable() {
        return Collections.unmodifiableSet(new TreeSet<>(firsts.keySet()));
    }

    /** Problems reading index.json, indexes and manifests, and index cycles. */
    public List<Problem> problems() {
        return problems;
    }

    /** True when index.json and every index and manifest reached were read intact, without cycles. */
    public boolean complete() {
        return problems.isEmpty();
    }

    /** Bytes of index and manifest blobs read. */
    public long bytesRead() {
        return bytesRead;
    }

    /** Index and manifest blobs read (each digest once). */
    public int documentsRead() {
        return documentsRead;
    }
}
