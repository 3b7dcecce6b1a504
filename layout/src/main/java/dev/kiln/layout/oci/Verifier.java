package dev.kiln.layout.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.layout.KilnException;
import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.digest.InvalidDigestException;
import dev.kiln.layout.json.Json;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageConfig;
import dev.kiln.layout.spec.ImageManifest;
import dev.kiln.layout.spec.MediaTypes;
import dev.kiln.layout.spec.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
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
    private record Facts(boolean present, long size, BlobHasher.Result hash) {
    }

    private final class Run {
        final List<Problem> problems = new ArrayList<>();
        final List<Problem> warnings = new ArrayList<>();
        final List<VerifyReport.External> externals = new ArrayList<>();
        final Map<Digest, ImageConfig> configs = new HashMap<>();
        final Map<Digest, Facts> facts = new HashMap<>();
        int blobsChecked;
        long bytesRead;
        Walk walk;

        VerifyReport run() throws IOException {
            checkLayoutFile();
            walk = new Walker(root).walk();
            problems.addAll(walk.problems());
            bytesRead += walk.bytesRead();
            blobsChecked += walk.documentsRead();
            if (walk.index() != null) {
                checkTopLevel();
            }
            for (WalkNode n : walk.nodes()) {
                checkMediaTypes(n);
            }
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
            checkBlobsFolder();
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
            out.sort(java.util.Comparator.comparingInt(p -> order.getOrDefault(p.where(), Integer.MAX_VALUE)));
            return out;
        }

        private void problem(WalkNode n, String message) {
            problems.add(new Problem(n.digest(), n.where(), message));
        }

        private void warning(WalkNode n, String message) {
            warnings.add(new Problem(n.digest(), n.where(), message));
        }

        // ---- the layout's own files

        private void checkLayoutFile() {
            Path file = root.resolve(OciLayout.LAYOUT_FILE);
            String where = OciLayout.LAYOUT_FILE;
            String why = BlobFiles.unusable(file);
            if (why != null) {
                problems.add(new Problem(null, where, OciLayout.LAYOUT_FILE + " " + why
                        + " (an OCI layout needs it: {\"imageLayoutVersion\":\"1.0.0\"})"));
            } else {
                try (InputStream in = Files.newInputStream(file)) {
                    byte[] bytes = Json.readLimited(in, OciLayout.LAYOUT_FILE);
                    ObjectNode node = Json.parseObject(bytes, OciLayout.LAYOUT_FILE);
                    JsonNode v = node.get("imageLayoutVersion");
                    if (v == null || !v.isTextual()) {
                        problems.add(new Problem(null, where, "no imageLayoutVersion string (want \"1.0.0\")"));
                    } else if (!v.textValue().startsWith("1.")) {
                        problems.add(new Problem(null, where, "unsupported imageLayoutVersion '" + v.textValue()
                                + "' (want 1.x)"));
                    }
                } catch (KilnException e) {
                    problems.add(new Problem(null, where, e.getMessage()));
                } catch (IOException e) {
                    problems.add(new Problem(null, where, "cannot read " + OciLayout.LAYOUT_FILE + ": " + e));
                }
            }
            if (!Files.isDirectory(root.resolve(BlobFiles.BLOBS), LinkOption.NOFOLLOW_LINKS)) {
                problems.add(new Problem(null, BlobFiles.BLOBS + "/", "the blobs directory is missing"));
            }
        }

        private void checkTopLevel() {
            List<Descriptor> top = walk.index().manifests();
            if (top.isEmpty()) {
                warnings.add(new Problem(null, OciLayout.INDEX_FILE, "the layout holds no image"));
            }
            Map<String, List<Descriptor>> byRef = new LinkedHashMap<>();
            for (Descriptor d : top) {
                String ref = d.annotation(MediaTypes.ANNOTATION_REF_NAME);
                if (ref != null) {
                    byRef.computeIfAbsent(ref, k -> new ArrayList<>()).add(d);
                }
            }
            for (Map.Entry<String, List<Descriptor>> e : byRef.entrySet()) {
                List<Descriptor> same = e.getValue();
                if (same.size() < 2) {
                    continue;
                }
                Set<String> fullNames = new HashSet<>();
                boolean distinct = true;
                for (Descriptor d : same) {
                    String full = d.annotation(MediaTypes.ANNOTATION_CONTAINERD_NAME);
                    distinct &= full != null && fullNames.add(full);
                }
                List<String> entries = same.stream().map(d -> {
                    String full = d.annotation(MediaTypes.ANNOTATION_CONTAINERD_NAME);
                    return (full == null ? "" : full + " ") + BlobFiles.shortDigest(d.digest());
                }).toList();
                if (distinct) {
                    warnings.add(new Problem(null, OciLayout.INDEX_FILE, "tag '" + e.getKey() + "' is on "
                            + same.size() + " images with different full names (" + String.join(", ", entries)
                            + "); umoci and skopeo, which look up the bare tag, find it ambiguous"));
                } else {
                    problems.add(new Problem(same.get(0).digest(), OciLayout.INDEX_FILE, "ambiguous tag '" + e.getKey()
                            + "': " + same.size() + " top-level entries carry it (" + String.join(", ", entries)
                            + "); umoci refuses it and skopeo silently takes the first"));
                }
            }
        }

        // ---- media types

        private void checkMediaTypes(WalkNode n) {
            String type = n.descriptor().mediaType();
            WalkNode parent = n.parent();
            switch (n.kind() == WalkNode.Kind.CONFIG || n.kind() == WalkNode.Kind.LAYER ? n.kind() : WalkNode.Kind.INDEX) {
                case CONFIG -> {
                    ImageManifest m = parent.manifest();
                    if (MediaTypes.isConfig(type) || MediaTypes.OCI_EMPTY.equals(type)) {
                        break;
                    }
                    if (MediaTypes.isKnown(type)) {
                        problem(n, "media type " + type + " is not a config type");
                    } else if (m.artifactType() == null) {
                        problem(n, "unknown config media type " + type
                                + " (an artifact manifest must say so with artifactType)");
                    }
                }
                case LAYER -> {
                    if (!isImage(parent.manifest()) || MediaTypes.isLayer(type)) {
                        break;
                    }
                    problem(n, (MediaTypes.isKnown(type) ? "media type " + type + " is not a layer type"
                            : "unknown layer media type " + type));
                }
                default -> {
                    if (!MediaTypes.isIndex(type) && !MediaTypes.isManifest(type)) {
                        problem(n, MediaTypes.isKnown(type)
                                ? "media type " + type + " is not an index or manifest type, as an index entry must be"
                                : "unknown media type " + type);
                    }
                    if (parent != null && n.first()) {
                        checkMixedTypes(n, parent.descriptor().mediaType(), type);
                    }
                }
            }
            if (!n.read() || (n.index() == null && n.manifest() == null)) {
                return;
            }
            String own = n.documentMediaType();
            String is = n.index() != null ? "an image index" : "an image manifest";
            if (own != null && !own.equals(type)) {
                problem(n, "the document's mediaType is " + own + " but its descriptor says " + type);
            } else if (own == null) {
                boolean clash = n.index() != null ? MediaTypes.isManifest(type) : MediaTypes.isIndex(type);
                if (clash) {
                    problem(n, "the descriptor says " + type + " but the blob is " + is);
                }
                warning(n, is.substring(3) + " has no mediaType field (some registries, ECR among them, reject that)");
            }
            if (n.manifest() != null) {
                ImageManifest m = n.manifest();
                String manifestType = own != null ? own : type;
                boolean docker = MediaTypes.isDocker(manifestType);
                List<String> mixed = new ArrayList<>();
                for (Descriptor d : concat(m.config(), m.layers())) {
                    if (MediaTypes.isKnown(d.mediaType()) && MediaTypes.isDocker(d.mediaType()) != docker) {
                        mixed.add(d.mediaType());
                    }
                }
                if (!mixed.isEmpty()) {
                    warning(n, (docker ? "Docker" : "OCI") + " manifest with " + (docker ? "OCI" : "Docker")
                            + " media types inside (" + String.join(", ", new TreeSet<>(mixed)) + ")");
                }
            }
        }

        private void checkMixedTypes(WalkNode n, String parentType, String type) {
            if (MediaTypes.isKnown(type) && MediaTypes.isKnown(parentType)
                    && MediaTypes.isDocker(type) != MediaTypes.isDocker(parentType)) {
                warning(n, (MediaTypes.isDocker(type) ? "Docker" : "OCI") + " media type " + type + " inside "
                        + (MediaTypes.isDocker(parentType) ? "a Docker manifest list" : "an OCI index")
                        + " (some registries, Quay among them, reject the mix)");
            }
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
                facts.put(d.digest(), new Facts(false, -1, null));
                return;
            }
            if (why != null) {
                problem(n, "blob " + why + " (" + BlobFiles.relative(d.digest()) + ")");
                facts.put(d.digest(), new Facts(false, -1, null));
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
                facts.put(d.digest(), new Facts(false, -1, null));
                return;
            }
            blobsChecked++;
            bytesRead += r.size();
            facts.put(d.digest(), new Facts(true, r.size(), r));
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
            if (c == null || !isImage(m)) {
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

        private static boolean isImage(ImageManifest m) {
            return MediaTypes.isConfig(m.config().mediaType());
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

        // ---- the blobs folder

        private void checkBlobsFolder() throws IOException {
            Path blobs = root.resolve(BlobFiles.BLOBS);
            if (!Files.isDirectory(blobs, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            Set<Digest> reachable = walk.reachable();
            try (DirectoryStream<Path> algs = Files.newDirectoryStream(blobs)) {
                for (Path alg : sorted(algs)) {
                    String name = alg.getFileName().toString();
                    String rel = BlobFiles.BLOBS + "/" + name;
                    if (!Files.isDirectory(alg, LinkOption.NOFOLLOW_LINKS)) {
                        warnings.add(new Problem(null, rel, "stray file in blobs/ (blobs live in blobs/<algorithm>/<hex>)"));
                        continue;
                    }
                    if (!name.equals("sha256") && !name.equals("sha512")) {
                        warnings.add(new Problem(null, rel + "/", "stray directory in blobs/ (unknown digest algorithm '"
                                + name + "')"));
                        continue;
                    }
                    try (DirectoryStream<Path> files = Files.newDirectoryStream(alg)) {
                        for (Path f : sorted(files)) {
                            checkBlobFile(name, f, reachable);
                        }
                    }
                }
            }
        }

        private void checkBlobFile(String alg, Path f, Set<Digest> reachable) throws IOException {
            String rel = BlobFiles.BLOBS + "/" + alg + "/" + f.getFileName();
            Digest d;
            try {
                d = new Digest(alg, f.getFileName().toString());
            } catch (InvalidDigestException e) {
                warnings.add(new Problem(null, rel, "stray file in blobs/: its name is not a " + alg + " digest"));
                return;
            }
            if (reachable.contains(d)) {
                return; // checked through the walk
            }
            String why = BlobFiles.unusable(f);
            if (why != null) {
                warnings.add(new Problem(d, rel, "stray entry in blobs/: " + why.substring(3)));
            } else if (walk.complete()) {
                warnings.add(new Problem(d, rel, "blob is not reachable from index.json (" + Files.size(f)
                        + " bytes; kiln gc removes it)"));
            }
        }

        private static List<Path> sorted(DirectoryStream<Path> entries) {
            List<Path> out = new ArrayList<>();
            entries.forEach(out::add);
            out.sort(null);
            return out;
        }

        private static List<Descriptor> concat(Descriptor first, List<Descriptor> rest) {
            List<Descriptor> out = new ArrayList<>(rest.size() + 1);
            out.add(first);
            out.addAll(rest);
            return out;
        }
    }
}
