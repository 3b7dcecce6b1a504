package dev.kiln.layout.transport;

import dev.kiln.layout.KilnException;
import dev.kiln.layout.json.Raw;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageConfig;
import dev.kiln.layout.spec.ImageIndex;
import dev.kiln.layout.spec.ImageManifest;
import dev.kiln.layout.spec.MediaTypes;
import dev.kiln.layout.spec.Platform;
import dev.kiln.layout.spec.UnsupportedContentException;
import dev.kiln.layout.store.BlobMissingException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads what an {@link ImageSource} names: the root, the platform entries of an index (nested
 * indexes followed, attestation manifests left out), one platform's manifest and config. Every
 * document comes back as {@link Raw}: the exact bytes the source gave, checked against the descriptor.
 */
public final class ImageReader {
    /** Docker's annotation marking the provenance/SBOM manifests of a BuildKit image index. */
    public static final String ANNOTATION_REFERENCE_TYPE = "vnd.docker.reference.type";
    /** The image manifest an attestation manifest describes. */
    public static final String ANNOTATION_REFERENCE_DIGEST = "vnd.docker.reference.digest";
    private static final int MAX_NESTING = 8;

    private final ImageSource source;
    private Descriptor root;

    public ImageReader(ImageSource source) {
        this.source = source;
    }

    /** One image of an index: the descriptor as the index lists it, and its platform. */
    public record PlatformEntry(Descriptor descriptor, Platform platform) {
        @Override
        public String toString() {
            return platform.toLongString() + " " + descriptor.digest();
        }
    }

    /** One platform's image: its manifest and config, both as stored. */
    public record Image(Descriptor descriptor, Raw<ImageManifest> manifest, Raw<ImageConfig> config) {
        public Platform platform() {
            return config.value().platform();
        }
    }

    /** The platform of this machine, as {@code linux/amd64}. */
    public static Platform hostPlatform() {
        String os = System.getProperty("os.name", "linux").toLowerCase(Locale.ROOT);
        os = os.startsWith("windows") ? "windows" : os.startsWith("mac") ? "darwin" : os;
        String arch = System.getProperty("os.arch", "amd64");
        try {
            return Platform.parse(os + "/" + arch);
        } catch (IllegalArgumentException e) {
            return new Platform("linux", "amd64", null);
        }
    }

    /** True for the attestation (provenance, SBOM) manifests BuildKit and Docker 25+ put in an index. */
    public static boolean isAttestation(Descriptor d) {
        if ("attestation-manifest".equals(d.annotation(ANNOTATION_REFERENCE_TYPE))) {
            return true;
        }
        Platform p = d.platform();
        return p != null && "unknown".equals(p.os()) && "unknown".equals(p.architecture());
    }

    public ImageSource source() {
        return source;
    }

    public Descriptor root() throws IOException {
        if (root == null) {
            root = source.root();
        }
        return root;
    }

    public boolean rootIsIndex() throws IOException {
        return MediaTypes.isIndex(root().mediaType());
    }

    public Raw<ImageIndex> readIndex(Descriptor d) throws IOException {
        byte[] bytes = readBlob(d, "index");
        ImageIndex index = wrap(() -> ImageIndex.parse(bytes, source.describe() + ": index " + d.digest()));
        return new Raw<>(bytes, index, d);
    }

    public Raw<ImageManifest> readManifest(Descriptor d) throws IOException {
        if (MediaTypes.isSchema1(d.mediaType())) {
            throw UnsupportedContentException.schema1(source.describe() + ": " + d.digest());
        }
        byte[] bytes = readBlob(d, "manifest");
        ImageManifest m = wrap(() -> ImageManifest.parse(bytes, source.describe() + ": manifest " + d.digest()));
        ImageClosure.checkChildTypes(m, d, source.describe()); // an artifact may have any config, but not a manifest's
        return new Raw<>(bytes, m, d);
    }

    public Raw<ImageConfig> readConfig(Descriptor d) throws IOException {
        byte[] bytes = readBlob(d, "config");
        ImageConfig c = wrap(() -> ImageConfig.parse(bytes, source.describe() + ": config " + d.digest()));
        return new Raw<>(bytes, c, d);
    }

    /** The bytes of a small document; a missing blob is named with the source and what it is. */
    private byte[] readBlob(Descriptor d, String what) throws IOException {
        try {
            return source.readManifest(d);
        } catch (BlobMissingException e) {
            throw new TransportException(source.describe() + ": " + what + " " + d.digest() + " is missing from the layout", e);
        }
    }

    /** The image manifests of the root index (see {@link #platformEntries(Raw)}); empty for a single manifest. */
    public List<PlatformEntry> platformEntries() throws IOException {
        if (!rootIsIndex()) {
            return List.of();
        }
        return platformEntries(readIndex(root()));
    }

    /**
     * The image manifests an index lists, nested indexes followed, attestations left out. An entry
     * without a platform gets the one its config names.
     */
    public List<PlatformEntry> platformEntries(Raw<ImageIndex> index) throws IOException {
        List<PlatformEntry> out = new ArrayList<>();
        collect(index, out, new HashSet<>(), 0);
        return out;
    }

    private void collect(Raw<ImageIndex> index, List<PlatformEntry> out, Set<String> seen, int depth) throws IOException {
        if (depth > MAX_NESTING) {
            throw new TransportException(source.describe() + ": index " + index.descriptor().digest()
                    + " nests indexes more than " + MAX_NESTING + " deep");
        }
        for (Descriptor d : index.value().manifests()) {
            if (isAttestation(d)) {
                continue;
            }
            if (MediaTypes.isIndex(d.mediaType())) {
                if (seen.add(d.digest().toString())) {
                    collect(readIndex(d), out, seen, depth + 1);
                }
            } else if (MediaTypes.isManifest(d.mediaType())) {
                if (d.artifactType() != null) {
                    continue; // an artifact (an SBOM, a signature, a chart) is no platform's image
                }
                Platform p = d.platform();
                if (p == null) {
                    Raw<ImageManifest> m = readManifest(d);
                    if (!m.value().isImage()) {
                        continue;
                    }
                    p = readConfig(m.value().config()).value().platform();
                }
                out.add(new PlatformEntry(d, p));
            } else if (MediaTypes.isSchema1(d.mediaType())) {
                throw UnsupportedContentException.schema1(source.describe() + ": " + d.digest() + " listed in index "
                        + index.descriptor().digest());
            }
            // other types are not images: the image-spec says to ignore what is unknown
        }
    }

    /**
     * Picks the entry for {@code wanted} with containerd's rules ({@link Platform#matches}). Fails
     * listing what is there when nothing matches, or when several entries match and none of them
     * is exactly the platform asked for.
     */
    public PlatformEntry choose(List<PlatformEntry> entries, Platform wanted) {
        List<PlatformEntry> matching = entries.stream().filter(e -> wanted.matches(e.platform())).toList();
        if (matching.size() == 1) {
            return matching.get(0);
        }
        if (matching.isEmpty()) {
            throw new TransportException(source.describe() + ": no image for platform " + wanted.toLongString()
                    + " (available: " + available(entries) + ")");
        }
        List<PlatformEntry> exact = matching.stream()
                .filter(e -> e.platform().toLongString().equals(wanted.toLongString())).toList();
        if (exact.size() == 1) {
            return exact.get(0);
        }
        throw new TransportException(source.describe() + ": platform " + wanted.toLongString() + " is ambiguous: "
                + matching.size() + " images match (" + String.join(", ", matching.stream().map(PlatformEntry::toString).toList())
                + "); name the variant or os.version");
    }

    /** The root's image for {@code wanted} (the host platform when null); a single-manifest root is returned as is. */
    public Image image(Platform wanted) throws IOException {
        return image(manifestFor(wanted));
    }

    /**
     * The manifest the root names for {@code wanted} (the host platform when null): the root itself
     * when it is a manifest (an image or an artifact), else the index's image for that platform.
     */
    public Descriptor manifestFor(Platform wanted) throws IOException {
        Descriptor d = root();
        if (MediaTypes.isIndex(d.mediaType())) {
            List<PlatformEntry> entries = platformEntries();
            if (entries.isEmpty()) {
                throw new TransportException(source.describe() + ": index " + d.digest() + " lists no image manifest");
            }
            return choose(entries, wanted == null ? hostPlatform() : wanted).descriptor();
        }
        if (!MediaTypes.isManifest(d.mediaType())) {
            throw UnsupportedContentException.unknownManifest(source.describe() + ": " + d.digest(), d.mediaType());
        }
        return d;
    }

    /** The image a manifest descriptor names. */
    public Image image(Descriptor manifest) throws IOException {
        Raw<ImageManifest> m = readManifest(manifest);
        if (!m.value().isImage()) {
            throw new TransportException(source.describe() + ": manifest " + manifest.digest() + " is an artifact ("
                    + m.value().effectiveArtifactType() + "), not an image: it has no image config");
        }
        return new Image(manifest, m, readConfig(m.value().config()));
    }

    /** Every image of the root (one for a single manifest). */
    public List<Image> images() throws IOException {
        if (!rootIsIndex()) {
            return List.of(image(root()));
        }
        List<Image> out = new ArrayList<>();
        for (PlatformEntry e : platformEntries()) {
            out.add(image(e.descriptor()));
        }
        return out;
    }

    static String available(List<PlatformEntry> entries) {
        if (entries.isEmpty()) {
            return "none";
        }
        return String.join(", ", entries.stream().map(e -> e.platform().toLongString()).toList());
    }

    private interface Parse<T> {
        T get();
    }

    private <T> T wrap(Parse<T> parse) {
        try {
            return parse.get();
        } catch (KilnException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new TransportException(source.describe() + ": " + e.getMessage(), e);
        }
    }
}
