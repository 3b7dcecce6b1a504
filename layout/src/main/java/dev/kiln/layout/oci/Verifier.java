package dev.kiln.layout.oci;

import dev.kiln.layout.KilnException;
import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageConfig;
import dev.kiln.layout.spec.ImageManifest;
import dev.kiln.layout.spec.MediaTypes;
import dev.kiln.layout.spec.Platform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code kiln verify}: checks an OCI layout and reports every problem found, not only the first.
 * <ul>
 * <li>{@code oci-layout} present with imageLayoutVersion 1.x; {@code blobs/} present; index.json
 * present, non-empty and parseable; no tag carried by several top-level entries;</li>
 * <li>every reachable blob present (foreign layers may be absent: they are listed as external), a
 * regular file, of the descriptor's size and digest (streamed);</li>
 * <li>indexes, manifests and configs parse (at most 4 MiB); media types known and in the right
 * place; the {@code mediaType} inside an index or manifest equal to its descriptor's;</li>
 * <li>per image: as many diff_ids and history entries without {@code empty_layer} as layers; with
 * {@code deep}, each layer decompressed (gzip, zstd or none) and its digest compared with its
 * diff_id, streamed;</li>
 * <li>warnings: stray files in {@code blobs/}, blobs nothing reaches, documents without a
 * mediaType, mixed Docker and OCI media types, a config whose platform is not its descriptor's.</li>
 * </ul>
 * Verification only reads; while it runs it holds off kiln's gc when the layout has kiln's lock file.
 */
public final class Verifier {
    /** How deep kiln's image readers follow nested indexes (ImageReader, ImageClosure). */
    static final int READERS_MAX_NESTING = 8;

    private final Path root;
    private final boolean deep;

    /**
     * @param root the layout folder
     * @param deep also decompress every layer and check it against the config's diff_ids
     */
    public Verifier(Path root, boolean deep) {
        this.root = Objects.requireNonNull(root, "root");
        this.deep = deep;
    }

    public static Verifier of(OciLayout layout, boolean deep) {
        return new Verifier(layout.root(), deep);
    }

    /** Verifies the layout; throws only when {@code root} is not a folder at all. */
    public VerifyReport verify() throws IOException {
        if (!Files.isDirectory(root)) {
            throw new LayoutException(root + ": no such OCI layout directory");
        }
        Path lock = root.resolve(OciLayout.KILN_DIR).resolve("gc.lock");
        LayoutLock.Held held = null;
        if (Files.isRegularFile(lock)) {
            try {
                held = LayoutLock.shared(lock);
            } catch (IOException e) {
                held = null; // a read-only layout: nobody can gc it either
            }
        }
        try {
            return new Run().run();
        } finally {
            if (held != null) {
                held.close();
            }
        }
    }

    /** Facts about one blob read by the verifier (configs, layers, other blobs). */
    private record Facts(BlobHasher.Result hash) {
    }

    private final class Run {
        final Findings found = new Findings();
        final List<Problem> problems = found.problems;
        final List<Problem> warnings = found.warnings;
        final List<VerifyReport.External> externals = new ArrayList<>();
        final Map<Digest, ImageConfig> configs = new HashMap<>();
        final Map<Digest, Facts> facts = new HashMap<>();
        int blobsChecked;
        long bytesRead;
        Walk walk;

        VerifyReport run() throws IOException {
            LayoutRules.checkLayoutFile(root, found);
            walk = new Walker(root).walk();
            problems.addAll(walk.problems());
            bytesRead += walk.bytesRead();
            blobsChecked += walk.documentsRead();
            if (walk.index() != null) {
                LayoutRules.checkTags(walk.index(), found);
            }
            for (WalkNode n : walk.nodes()) {
                MediaTypeRules.check(n, found);
            }
            checkNesting();
            for (WalkNode n : walk.nodes()) {
                if (n.first() && !n.read() && n.kind() == WalkNode.Kind.CONFIG) {
                    checkConfig(n);
                }
            }
            Map<Digest, Set<String>> diffAlgorithms = diffAlgorithms();
            for (WalkNode n : walk.nodes()) {
                if (n.first() && !n.read() && n.kind() != WalkNode.Kind.CONFIG && !facts.containsKey(n.digest())) {
                    checkBlob(n, diffAlgorithms.getOrDefault(n.digest(), Set.of()));
                }
            }
            for (WalkNode n : walk.nodes()) {
                if (!n.first()) {
                    checkRepeatedReference(n);
                }
                if (n.manifest() != null) {
                    checkImage(n);
                }
            }
            StrayBlobs.scan(root, walk, found);
            return new VerifyReport(root, deep, inLayoutOrder(problems), inLayoutOrder(warnings), externals,
                    blobsChecked, bytesRead);
        }

        /** The layout's own files first, then in walk order, then what is in blobs/ but not reached. */
        private List<Problem> inLayoutOrder(List<Problem> list) {
            Map<String, Integer> order = new HashMap<>();
            order.put(OciLayout.LAYOUT_FILE, -3);
            order.put(BlobFiles.BLOBS + "/", -2);
            order.put(OciLayout.INDEX_FILE, -1);
            List<WalkNode> nodes = walk.nodes();
            for (int i = 0; i < nodes.size(); i++) {
                order.putIfAbsent(nodes.get(i).where(), i);
            }
            List<Problem> out = new ArrayList<>(list);
            out.sort(Comparator.comparingInt(p -> order.getOrDefault(p.where(), Integer.MAX_VALUE)));
            return out;
        }

        /**
         * Indexes nested deeper than kiln's readers follow (copy, inspect, build stop at
         * {@link #READERS_MAX_NESTING}): valid, but a trap for most tools; one warning.
         */
        private void checkNesting() {
            for (WalkNode n : walk.nodes()) {
                int depth = n.depth();
                if (depth > READERS_MAX_NESTING && (n.kind() == WalkNode.Kind.INDEX || n.kind() == WalkNode.Kind.MANIFEST)) {
                    found.warnings.add(new Problem(n.digest(), OciLayout.INDEX_FILE + " > ... (" + depth + " levels) > " + n.label(),
                            "indexes are nested " + depth + " levels deep; kiln copy, inspect and build follow at most "
                                    + READERS_MAX_NESTING));
                    return;
                }
            }
        }

        private void problem(WalkNode n, String message) {
            found.problem(n, message);
        }

        private void warning(WalkNode n, String message) {
            found.warning(n, message);
        }

        // ---- blobs

        private void checkConfig(WalkNode n) {
            Descriptor d = n.descriptor();
            if (!MediaTypes.isConfig(d.mediaType())) {
                checkBlob(n, Set.of()); // an artifact's config: any content, checked like a blob
                return;
            }
            BlobFiles.Document doc = BlobFiles.readDocument(root, d);
            if (doc.bytes() == null) {
                problem(n, doc.unreadable());
                return;
            }
            blobsChecked++;
            bytesRead += doc.bytes().length;
            if (doc.sizeProblem() != null) {
                problem(n, doc.sizeProblem());
            }
            if (doc.digestProblem() != null) {
                problem(n, doc.digestProblem());
            }
            try {
                configs.put(d.digest(), ImageConfig.parse(doc.bytes(), BlobFiles.relative(d.digest())));
            } catch (KilnException | IllegalArgumentException e) {
                problem(n, e.getMessage());
            }
        }

        private void checkBlob(WalkNode n, Set<String> diffAlgorithms) {
            Descriptor d = n.descriptor();
            Path file = BlobFiles.path(root, d.digest());
            String why = BlobFiles.unusable(file);
            if ("is missing".equals(why) && n.kind() == WalkNode.Kind.LAYER && MediaTypes.isForeignLayer(d.mediaType())) {
                externals.add(new VerifyReport.External(d.digest(), n.where(), d.mediaType(), d.urls()));
                facts.put(d.digest(), new Facts(null));
                return;
            }
            if (why != null) {
                problem(n, "blob " + why + " (" + BlobFiles.relative(d.digest()) + ")");
                facts.put(d.digest(), new Facts(null));
                return;
            }
            boolean decompress = deep && n.kind() == WalkNode.Kind.LAYER && MediaTypes.isLayer(d.mediaType());
            Set<String> algorithms = new LinkedHashSet<>(diffAlgorithms);
            if (decompress && algorithms.isEmpty()) {
                algorithms.add("sha256");
            }
            BlobHasher.Result r;
            try {
                r = BlobHasher.hash(file, d.digest().algorithm(),
                        decompress ? BlobHasher.Compression.of(d.mediaType()) : null, algorithms);
            } catch (IOException e) {
                problem(n, "cannot read " + BlobFiles.relative(d.digest()) + ": " + e);
                facts.put(d.digest(), new Facts(null));
                return;
            }
            blobsChecked++;
            bytesRead += r.size();
            facts.put(d.digest(), new Facts(r));
            if (r.size() != d.size()) {
                problem(n, "size is " + r.size() + " bytes, the descriptor says " + d.size());
            }
            if (!r.digest().equals(d.digest())) {
                problem(n, "content hashes to " + r.digest() + ", not to the descriptor's digest ("
                        + BlobFiles.relative(d.digest()) + ")");
            }
            if (r.decompressProblem() != null) {
                problem(n, "layer " + r.decompressProblem());
            }
        }

        /** A digest met again: its content was checked at the first reference; here only this descriptor's size. */
        private void checkRepeatedReference(WalkNode n) {
            WalkNode first = walk.first(n.digest());
            if (first == null || first.descriptor().size() == n.descriptor().size()) {
                return;
            }
            Path file = BlobFiles.path(root, n.digest());
            if (BlobFiles.unusable(file) != null) {
                return;
            }
            try {
                long size = Files.size(file);
                if (size != n.descriptor().size()) {
                    problem(n, "size is " + size + " bytes, this descriptor says " + n.descriptor().size());
                }
            } catch (IOException e) {
                problem(n, "cannot read " + BlobFiles.relative(n.digest()) + ": " + e);
            }
        }

        // ---- images

        private Map<Digest, Set<String>> diffAlgorithms() {
            Map<Digest, Set<String>> out = new HashMap<>();
            if (!deep) {
                return out;
            }
            for (WalkNode n : walk.nodes()) {
                ImageManifest m = n.manifest();
                ImageConfig c = m == null ? null : configs.get(m.config().digest());
                if (c == null) {
                    continue;
                }
                for (int i = 0; i < Math.min(c.diffIds().size(), m.layers().size()); i++) {
                    out.computeIfAbsent(m.layers().get(i).digest(), k -> new TreeSet<>())
                            .add(c.diffIds().get(i).algorithm());
                }
            }
            return out;
        }

        private void checkImage(WalkNode n) {
            ImageManifest m = n.manifest();
            ImageConfig c = configs.get(m.config().digest());
            if (c == null || !MediaTypeRules.isImage(m)) {
                return;
            }
            int layers = m.layers().size();
            String config = "config " + BlobFiles.shortDigest(m.config().digest());
            if (c.diffIds().size() != layers) {
                problem(n, config + " lists " + c.diffIds().size() + " diff_ids but the manifest has " + layers
                        + " layer" + (layers == 1 ? "" : "s"));
            }
            if (c.history() != null && c.layerHistoryCount() != layers) {
                problem(n, config + " has " + c.layerHistoryCount() + " history entries without empty_layer but the"
                        + " manifest has " + layers + " layer" + (layers == 1 ? "" : "s"));
            }
            Platform p = n.descriptor().platform();
            if (p != null && !samePlatform(p, c.platform())) {
                warning(n, "the descriptor's platform is " + p + " but " + config + " says " + c.platform());
            }
            if (!deep) {
                return;
            }
            for (WalkNode child : walk.children(n)) {
                if (child.kind() != WalkNode.Kind.LAYER || child.position() >= c.diffIds().size()) {
                    continue;
                }
                Digest want = c.diffIds().get(child.position());
                Facts f = facts.get(child.digest());
                if (f == null || f.hash() == null) {
                    continue; // missing, external or unreadable: reported already
                }
                Digest got = f.hash().uncompressed().get(want.algorithm());
                if (got != null && !got.equals(want)) {
                    problem(child, "uncompressed content hashes to " + got + " but the config's diff_id "
                            + (child.position() + 1) + " is " + want);
                }
            }
        }

        private static boolean samePlatform(Platform descriptor, Platform config) {
            try {
                Platform a = new Platform(descriptor.os(), descriptor.architecture(), descriptor.variant());
                Platform b = new Platform(config.os(), config.architecture(), config.variant());
                return a.matches(b) && b.matches(a);
            } catch (IllegalArgumentException e) {
                return descriptor.toString().equals(config.toString());
            }
        }
    }
}
