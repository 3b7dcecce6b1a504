package dev.kiln.layout.archive;

import dev.kiln.layout.KilnException;
import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageConfig;
import dev.kiln.layout.spec.ImageIndex;
import dev.kiln.layout.spec.ImageManifest;
import dev.kiln.layout.archive.DockerManifestJson.Entry;
import dev.kiln.layout.spec.ImageName;
import dev.kiln.layout.spec.MediaTypes;
import dev.kiln.layout.store.DirectoryBlobStore;
import dev.kiln.layout.transport.ImageClosure;
import dev.kiln.layout.transport.TransportOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a {@code docker save} tarball of either style. With {@code oci-layout} and
 * {@code index.json} (Docker 25+, kiln, podman's OCI part) it is read as an OCI layout. Otherwise
 * (Docker before 25, podman's docker-archive) {@code manifest.json} is read: its config and layer
 * files are stored by digest (computed while they stream), plain-tar layers checked against the
 * config's diff_ids, and a Docker schema2 manifest is made for them (layer types from the magic
 * bytes; the config's bytes kept as they are). The image is chosen by {@code NAME:TAG} (RepoTags,
 * or index.json names), {@code @N} (the N-th manifest.json entry), or is the only one.
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
            return new ArchiveSource(x.layout(), root, x.dir(), description);
        } catch (IOException | RuntimeException e) {
            ArchiveFiles.deleteQuietly(x.dir(), e);
            throw e;
        }
    }

    private static final class Chooser {
        private final OciArchiveReader.Extracted x;
        private final ArchiveExtractor.Contents contents;
        private final DirectoryBlobStore store;
        private final String what;

        Chooser(OciArchiveReader.Extracted x, String what) {
            this.x = x;
            this.contents = x.contents();
            this.store = x.layout().blobs();
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
                ImageIndex index = x.index(indexBytes);
                if (name == null) {
                    if (index.manifests().stream().map(Descriptor::digest).distinct().count() == 1) {
                        return index.manifests().get(0).withAnnotations(null);
                    }
                    if (entries.size() != 1) {
                        throw new ArchiveException(what + ": the archive holds " + Math.max(index.manifests().size(), entries.size())
                                + " images; name one of: " + (entries.isEmpty() ? IndexEntries.names(index) : allTags(entries)));
                    }
                } else {
                    List<Descriptor> found = IndexEntries.find(index, name);
                    if (found.size() == 1) {
                        return found.get(0).withAnnotations(null);
                    }
                    if (entries.isEmpty()) {
                        return IndexEntries.resolve(index, name, what); // fails, listing the names
                    }
                }
            }
            return fromManifestJson(choose(entries, name));
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

        /** The image of a manifest.json entry: a stored manifest with this config and layers, or a new one. */
        private Descriptor fromManifestJson(Entry e) throws IOException {
            String where = what + ": manifest.json[" + e.position() + "]";
            Descriptor configFile = file(e.config(), where, "config");
            ImageConfig config;
            try {
                config = ImageConfig.parse(store.readSmall(configFile), where + ": config " + e.config());
            } catch (ArchiveException ex) {
                throw ex;
            } catch (KilnException ex) {
                throw new ArchiveException(ex.getMessage(), ex);
            }
            List<Digest> diffIds = config.diffIds();
            if (diffIds.size() != e.layers().size()) {
                throw new ArchiveException(where + ": " + e.layers().size() + " layers but the config lists "
                        + diffIds.size() + " diff_ids");
            }
            List<Descriptor> layers = new ArrayList<>();
            boolean zstd = false;
            for (int i = 0; i < e.layers().size(); i++) {
                Descriptor foreign = e.layerSources().get(diffIds.get(i));
                if (foreign != null) {
                    layers.add(foreign);
                    continue;
                }
                String path = e.layers().get(i);
                Descriptor file = file(path, where, "layer");
                Compression c = sniff(file);
                if (c == Compression.NONE && !file.digest().equals(diffIds.get(i))) {
                    throw new ArchiveException(where + ": layer '" + path + "' hashes to " + file.digest()
                            + " but the config's diff_ids[" + i + "] is " + diffIds.get(i));
                }
                zstd |= c == Compression.ZSTD;
                layers.add(new Descriptor(c.mediaType, file.digest(), file.size()));
            }
            Descriptor existing = findStoredManifest(configFile.digest(), layers);
            if (existing != null) {
                return existing;
            }
            // zstd layers have no Docker schema2 type: then the whole manifest is OCI
            String configType = zstd ? MediaTypes.OCI_CONFIG : MediaTypes.DOCKER_CONFIG;
            String manifestType = zstd ? MediaTypes.OCI_MANIFEST : MediaTypes.DOCKER_MANIFEST;
            List<Descriptor> typed = new ArrayList<>();
            for (Descriptor l : layers) {
                typed.add(zstd ? l.withMediaType(MediaTypes.toOci(l.mediaType())) : l);
            }
            ImageManifest m = new ImageManifest(manifestType,
                    new Descriptor(configType, configFile.digest(), configFile.size()), typed);
            Descriptor d = store.putBytes(manifestType, m.toBytes());
            return d.withPlatform(config.platform());
        }

        /** A manifest already in the archive's layout whose config and layer digests are these. */
        private Descriptor findStoredManifest(Digest config, List<Descriptor> layers) throws IOException {
            byte[] indexBytes = contents.metadata(OciLayout.INDEX_FILE);
            if (indexBytes == null) {
                return null;
            }
            List<ImageClosure.Node> nodes;
            try {
                ImageIndex index = ImageIndex.parse(indexBytes, what + ": index.json");
                nodes = ImageClosure.ofAll(index.manifests(), store::readSmall, what);
            } catch (KilnException e) {
                return null; // the layout part is broken or partial: build from manifest.json alone
            }
            List<Digest> wanted = layers.stream().map(Descriptor::digest).toList();
            for (ImageClosure.Node n : nodes) {
                if (n.kind() != ImageClosure.Kind.MANIFEST) {
                    continue;
                }
                ImageManifest m = ImageManifest.parse(n.bytes(), what);
                if (m.config().digest().equals(config) && m.layers().stream().map(Descriptor::digest).toList().equals(wanted)) {
                    return n.descriptor().withAnnotations(null);
                }
            }
            return null;
        }

        private Descriptor file(String path, String where, String role) throws IOException {
            Descriptor d = contents.resolve(path);
            if (d == null) {
                throw new ArchiveException(where + ": " + role + " '" + ArchiveExtractor.printable(path) + "' is not in the archive");
            }
            return d;
        }

        private Compression sniff(Descriptor file) throws IOException {
            byte[] head;
            try (InputStream in = store.open(file.digest())) {
                head = in.readNBytes(4);
            }
            if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
                return Compression.GZIP;
            }
            if (head.length == 4 && (head[0] & 0xff) == 0x28 && (head[1] & 0xff) == 0xb5 && (head[2] & 0xff) == 0x2f
                    && (head[3] & 0xff) == 0xfd) {
                return Compression.ZSTD;
            }
            return Compression.NONE;
        }
    }

    private enum Compression {
        NONE(MediaTypes.DOCKER_LAYER_TAR), GZIP(MediaTypes.DOCKER_LAYER_GZIP), ZSTD(MediaTypes.OCI_LAYER_ZSTD);

        final String mediaType;

        Compression(String mediaType) {
            this.mediaType = mediaType;
        }
    }
}
