package dev.kiln.layout.archive;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.layout.KilnException;
import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.json.Json;
import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageConfig;
import dev.kiln.layout.spec.ImageManifest;
import dev.kiln.layout.spec.ImageName;
import dev.kiln.layout.spec.MediaTypes;
import dev.kiln.layout.spec.Platform;
import dev.kiln.layout.transport.ImageClosure;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a docker-archive that old and new loaders accept: an OCI layout ({@code oci-layout},
 * {@code index.json} naming the root under each name, the blobs), which Docker 25+, containerd and
 * podman read, plus Docker's {@code manifest.json} and {@code repositories}, which Docker 20.10
 * reads. {@code manifest.json} has one entry per platform image, its paths pointing into
 * {@code blobs/}: the first (default) platform gets the names as given, the others the names with
 * a platform suffix ({@code hello:1.0-linux-arm64}). zstd layers are refused: Docker before 23
 * cannot load them. Reproducible like {@link OciArchiveWriter}.
 */
public final class DockerArchiveWriter {
    private final long mtimeSeconds;

    public DockerArchiveWriter() {
        this(0);
    }

    public DockerArchiveWriter(long mtimeSeconds) {
        this.mtimeSeconds = mtimeSeconds;
    }

    public static DockerArchiveWriter withTimestamp(Instant timestamp) {
        return new DockerArchiveWriter(timestamp == null ? 0 : timestamp.getEpochSecond());
    }

    /** One image (a manifest) under {@code names}. */
    public void write(OciLayout layout, Descriptor manifest, List<String> names, Path target) throws IOException {
        write(layout, manifest, List.of(manifest), names, target);
    }

    /**
     * @param root      the image: a manifest, or an index whose platform images are {@code manifests}
     * @param manifests the platform manifests to list in manifest.json, the default platform first
     * @param names     image names ({@code hello:1.0}, {@code example.com/hello:1.0}); empty for an untagged image
     */
    public void write(OciLayout layout, Descriptor root, List<Descriptor> manifests, List<String> names, Path target)
            throws IOException {
        write(layout, root, manifests, names, target, false);
    }

    /** As above; {@code trusted}: the layout's blobs were hashed by this process as it wrote them (not hashed again). */
    void write(OciLayout layout, Descriptor root, List<Descriptor> manifests, List<String> names, Path target,
               boolean trusted) throws IOException {
        String what = "docker-archive " + target;
        List<ImageName> parsed = parseNames(names, what);
        List<Image> images = new ArrayList<>();
        for (Descriptor d : manifests) {
            images.add(read(layout, d, what));
        }
        Map<String, byte[]> metadata = new LinkedHashMap<>();
        metadata.put(OciLayout.LAYOUT_FILE, OciArchiveWriter.OCI_LAYOUT);
        metadata.put(OciLayout.INDEX_FILE, OciArchiveWriter.indexJson(root, parsed.stream().map(ImageName::toString).toList()));
        List<List<ImageName>> repoTags = repoTags(images, parsed, what);
        metadata.put("manifest.json", manifestJson(images, repoTags, layout));
        metadata.put("repositories", repositories(images, repoTags));
        List<ImageClosure.Node> closure = ImageClosure.of(root, layout.blobs()::readSmall, layout.root().toString());
        LayoutTar.write(target, mtimeSeconds, metadata, closure, layout.blobs(), trusted, what);
    }

    private record Image(Descriptor descriptor, ImageManifest manifest, ImageConfig config, Platform platform) {
    }

    private static Image read(OciLayout layout, Descriptor d, String what) throws IOException {
        if (!MediaTypes.isManifest(d.mediaType())) {
            throw new ArchiveException(what + ": " + d.digest() + " is a " + d.mediaType() + ", not an image manifest");
        }
        ImageManifest m;
        ImageConfig c;
        try {
            m = ImageManifest.parse(layout.blobs().readSmall(d), what + ": manifest " + d.digest());
            if (!m.isImage()) {
                throw new ArchiveException(what + ": manifest " + d.digest() + " is an artifact (" + m.effectiveArtifactType()
                        + "), and a docker-archive holds images only (docker load needs an image config); use oci: or oci-archive:");
            }
            c = ImageConfig.parse(layout.blobs().readSmall(m.config()), what + ": config " + m.config().digest());
        } catch (KilnException e) {
            throw e instanceof ArchiveException ? e : new ArchiveException(e.getMessage(), e);
        }
        for (Descriptor layer : m.layers()) {
            if (MediaTypes.isZstdLayer(layer.mediaType())) {
                throw zstd(layer.digest());
            }
        }
        return new Image(d, m, c, d.platform() != null ? d.platform() : c.platform());
    }

    static ArchiveException zstd(Digest layer) {
        return new ArchiveException("docker-archive: layer " + layer + " is zstd-compressed; Docker before 23 cannot load it;"
                + " use --compression gzip or oci-archive");
    }

    private static List<ImageName> parseNames(List<String> names, String what) {
        List<ImageName> out = new ArrayList<>();
        for (String n : names) {
            ImageName name;
            try {
                name = ImageName.parse(n);
            } catch (IllegalArgumentException e) {
                throw new ArchiveException(what + ": invalid image name '" + n + "': " + e.getMessage());
            }
            if (name.digest() != null) {
                throw new ArchiveException(what + ": image name '" + n + "' has a digest; a docker-archive needs NAME:TAG");
            }
            out.add(name);
        }
        return out;
    }

    /** The names of each image: the default one gets the names, the others a platform suffix on the tag. */
    private static List<List<ImageName>> repoTags(List<Image> images, List<ImageName> names, String what) {
        List<List<ImageName>> out = new ArrayList<>();
        Set<String> used = new HashSet<>();
        for (int i = 0; i < images.size(); i++) {
            List<ImageName> tags = new ArrayList<>();
            for (ImageName n : names) {
                ImageName t = n;
                if (i > 0) {
                    String suffix = images.get(i).platform().toTagSuffix();
                    t = suffixed(n, suffix, what);
                    if (used.contains(t.toString())) {
                        t = suffixed(n, suffix + "-" + images.get(i).descriptor().digest().shortHex(), what);
                    }
                }
                if (used.add(t.toString())) {
                    tags.add(t);
                }
            }
            out.add(tags);
        }
        return out;
    }

    private static ImageName suffixed(ImageName n, String suffix, String what) {
        try {
            return n.withTag(n.tag() + "-" + suffix);
        } catch (IllegalArgumentException e) {
            throw new ArchiveException(what + ": cannot name the " + suffix + " image: " + e.getMessage());
        }
    }

    private static byte[] manifestJson(List<Image> images, List<List<ImageName>> repoTags, OciLayout layout) {
        ArrayNode entries = Json.array();
        for (int i = 0; i < images.size(); i++) {
            Image image = images.get(i);
            ObjectNode e = entries.addObject();
            e.put("Config", path(image.manifest().config().digest()));
            ArrayNode tags = e.putArray("RepoTags");
            repoTags.get(i).forEach(t -> tags.add(t.familiar()));
            ArrayNode layers = e.putArray("Layers");
            ObjectNode sources = Json.object();
            List<Descriptor> ls = image.manifest().layers();
            for (int j = 0; j < ls.size(); j++) {
                Descriptor l = ls.get(j);
                layers.add(path(l.digest()));
                boolean foreign = MediaTypes.isForeignLayer(l.mediaType()) || l.urls() != null;
                if (foreign && !layout.blobs().exists(l.digest()) && j < image.config().diffIds().size()) {
                    // as docker save does for layers it did not ship: where to fetch them
                    sources.set(image.config().diffIds().get(j).toString(), l.toJson());
                }
            }
            if (!sources.isEmpty()) {
                e.set("LayerSources", sources);
            }
        }
        return Json.write(entries);
    }

    private static byte[] repositories(List<Image> images, List<List<ImageName>> repoTags) {
        ObjectNode repos = Json.object();
        for (int i = 0; i < images.size(); i++) {
            List<Descriptor> layers = images.get(i).manifest().layers();
            if (layers.isEmpty()) {
                continue;
            }
            String top = layers.get(layers.size() - 1).digest().hex();
            for (ImageName t : repoTags.get(i)) {
                String repo = t.withTag(null).familiar();
                ObjectNode tags = repos.has(repo) ? (ObjectNode) repos.get(repo) : repos.putObject(repo);
                tags.put(t.tag(), top);
            }
        }
        return Json.write(repos);
    }

    private static String path(Digest d) {
        return "blobs/" + d.algorithm() + "/" + d.hex();
    }
}
