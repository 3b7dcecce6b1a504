package dev.kiln.layout.archive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.layout.KilnException;
import dev.kiln.layout.archive.DockerManifestJson.Entry;
import dev.kiln.layout.json.Json;
import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageConfig;
import dev.kiln.layout.spec.ImageIndex;
import dev.kiln.layout.spec.ImageManifest;
import dev.kiln.layout.spec.ImageName;
import dev.kiln.layout.spec.MediaTypes;
import dev.kiln.layout.store.DirectoryBlobStore;
import dev.kiln.layout.transport.TransportOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a {@code docker save} tarball of any style. With {@code oci-layout} and {@code index.json}
 * (Docker 25+, kiln, podman's OCI part) the image index.json names is read as an OCI layout;
 * {@code manifest.json} is read whenever index.json names no image (Docker 25.0's save of an image
 * by ID writes {@code "manifests": null}, read as empty), when it names none of that name, and when
 * the archive holds the manifest it names only in part (Docker 25.0.0 wrote it without its layers).
 * Otherwise (Docker before 25, podman's docker-archive, go-containerregistry) {@code manifest.json}
 * is read, see {@link ManifestJsonImage}. The image is chosen by {@code NAME:TAG} (RepoTags, or
 * index.json names), {@code @N} (the N-th manifest.json entry), or is the only one.
 */
public final class DockerArchiveReader {
    private DockerArchiveReader() {
    }

    public static ArchiveSource open(Path archive, String name) throws IOException {
        return open(archive, name, TransportOptions.defaults(), "docker-archive:" + archive + (name == null ? "" : ":" + name));
    }

    public static ArchiveSource open(Path archive, String name, TransportOptions options, String description)
            throws IOException {
        OciArchiveReader.Extracted x = OciArchiveReader.Extracted.of(archive, ArchiveExtractor.Style.DOCKER, options, description);
        try {
            Descriptor root = new DockerArchiveReader.Chooser(x, description).root(name);
            return new ArchiveSource(x.layout(), root, x.dir(), description, HeldPlatforms.of(x.layout().blobs(), root));
        } catch (IOException | RuntimeException e) {
            ArchiveFiles.deleteQuietly(x.dir(), e);
            throw e;
        }
    }

    /**
     * An archive's index.json; with {@code nullIsEmpty}, {@code "manifests": null} (what Docker 25.0
     * writes for an image saved by ID, beside a manifest.json that names it) is read as no image.
     */
    static ImageIndex parseIndex(byte[] bytes, String what, boolean nullIsEmpty) {
        try {
            ObjectNode node = Json.parseObject(bytes, what + ": index.json");
            if (nullIsEmpty && node.has("manifests") && node.get("manifests").isNull()) {
                node = node.deepCopy();
                node.putArray("manifests");
            }
            return ImageIndex.fromJson(node, what + ": index.json");
        } catch (ArchiveException e) {
            throw e;
        } catch (KilnException e) {
            throw new ArchiveException(e.getMessage(), e);
        }
    }

    /** True when index.json says {@code "manifests": null}. */
    static boolean manifestsIsNull(byte[] indexBytes) {
        try {
            JsonNode m = Json.parseObject(indexBytes, "index.json").get("manifests");
            return m != null && m.isNull();
        } catch (KilnException e) {
            return false;
        }
    }

    private static final class Chooser {
        private final OciArchiveReader.Extracted x;
        private final ArchiveExtractor.Contents contents;
        private final DirectoryBlobStore store;
        private final ManifestJsonImage manifestJson;
        private final String what;

        Chooser(OciArchiveReader.Extracted x, String what) {
            this.x = x;
            this.contents = x.contents();
            this.store = x.layout().blobs();
            this.manifestJson = new ManifestJsonImage(contents, store, what);
            this.what = what;
        }

        Descriptor root(String name) throws IOException {
            byte[] indexBytes = contents.metadata(OciLayout.INDEX_FILE);
            byte[] manifestBytes = contents.metadata("manifest.json");
            boolean oci = indexBytes != null && contents.metadata(OciLayout.LAYOUT_FILE) != null;
            if (!oci && manifestBytes == null) {
                throw new ArchiveException(what + ": not a docker-archive (neither manifest.json nor oci-layout and index.json)");
            }
            List<Entry> entries = manifestBytes == null ? List.of() : DockerManifestJson.parse(manifestBytes, what);
            boolean positional = name != null && name.matches("@[0-9]+");
            if (oci && !positional) {
                ImageIndex index = x.index(indexBytes, manifestBytes != null);
                Descriptor chosen = fromIndex(index, name, entries);
                if (chosen != null) {
                    Entry complete = completeEntryFor(chosen, entries);
                    return complete == null ? chosen : manifestJson.image(complete);
                }
            }
            return manifestJson.image(choose(entries, name));
        }

        /** The index.json entry {@code name} (or nothing) names; null to read manifest.json instead. */
        private Descriptor fromIndex(ImageIndex index, String name, List<Entry> entries) {
            if (name == null) {
                if (index.manifests().stream().map(Descriptor::digest).distinct().count() == 1) {
                    return index.manifests().get(0).withAnnotations(null);
                }
                if (entries.size() != 1) {
                    if (index.manifests().isEmpty() && entries.isEmpty()) {
                        throw new ArchiveException(what + ": the archive holds no image (index.json and manifest.json list none)");
                    }
                    throw new ArchiveException(what + ": the archive holds " + Math.max(index.manifests().size(), entries.size())
                            + " images; name one of: " + (entries.isEmpty() ? IndexEntries.names(index) : allTags(entries)));
                }
                return null;
            }
            List<Descriptor> found = IndexEntries.find(index, name);
            if (found.size() == 1) {
                return found.get(0).withAnnotations(null);
            }
            if (entries.isEmpty()) {
                return IndexEntries.resolve(index, name, what); // fails, listing the names
            }
            return null;
        }

        /**
         * The manifest.json entry to read instead of {@code chosen} when the archive holds
         * {@code chosen} only in part: a manifest with fewer layers than its config's diff_ids
         * (Docker 25.0.0 wrote such manifests into the OCI part, the whole image into
         * manifest.json), or whose layers (but foreign ones) are not in the archive. The entry
         * with the same config, or null.
         */
        private Entry completeEntryFor(Descriptor chosen, List<Entry> entries) throws IOException {
            if (entries.isEmpty() || !MediaTypes.isManifest(chosen.mediaType()) || !store.exists(chosen.digest())) {
                return null;
            }
            ImageManifest m;
            ImageConfig c;
            try {
                m = ImageManifest.parse(store.readSmall(chosen), what + ": manifest " + chosen.digest());
                if (!store.exists(m.config().digest())) {
                    return null;
                }
                c = ImageConfig.parse(store.readSmall(m.config()), what + ": config " + m.config().digest());
            } catch (KilnException e) {
                return null; // reading the image reports it
            }
            boolean whole = m.layers().size() == c.diffIds().size() && m.layers().stream()
                    .allMatch(l -> store.exists(l.digest()) || ManifestJsonImage.isForeign(l));
            if (whole) {
                return null;
            }
            for (Entry e : entries) {
                Descriptor config = contents.resolve(e.config());
                if (config != null && config.digest().equals(m.config().digest()) && e.layers().size() == c.diffIds().size()) {
                    return e;
                }
            }
            return null;
        }

        private Entry choose(List<Entry> entries, String name) {
            if (entries.isEmpty()) {
                throw new ArchiveException(what + ": manifest.json lists no image");
            }
            if (name == null) {
                if (entries.size() == 1) {
                    return entries.get(0);
                }
                throw new ArchiveException(what + ": the archive holds " + entries.size() + " images; name one of: " + allTags(entries));
            }
            if (name.matches("@[0-9]+")) {
                int n = Integer.parseInt(name.substring(1));
                if (n >= entries.size()) {
                    throw new ArchiveException(what + ": no image " + name + " (the archive holds " + entries.size() + ")");
                }
                return entries.get(n);
            }
            String wanted;
            try {
                wanted = ImageName.parse(name).toString();
            } catch (IllegalArgumentException e) {
                throw new ArchiveException(what + ": invalid image name '" + name + "': " + e.getMessage());
            }
            for (Entry e : entries) {
                for (String t : e.repoTags()) {
                    try {
                        if (ImageName.parse(t).toString().equals(wanted)) {
                            return e;
                        }
                    } catch (IllegalArgumentException ignored) {
                        // a RepoTag we cannot parse names nothing we could ask for
                    }
                }
            }
            throw new ArchiveException(what + ": no image named '" + name + "' in the archive (names: " + allTags(entries) + ")");
        }

        private static String allTags(List<Entry> entries) {
            List<String> names = new ArrayList<>();
            for (Entry e : entries) {
                names.add(e.repoTags().isEmpty() ? "@" + e.position() : String.join(" ", e.repoTags()));
            }
            return String.join(", ", names);
        }
    }
}
