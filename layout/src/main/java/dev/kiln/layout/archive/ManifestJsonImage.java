package dev.kiln.layout.archive;

import dev.kiln.layout.KilnException;
import dev.kiln.layout.archive.DockerManifestJson.Entry;
import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageConfig;
import dev.kiln.layout.spec.ImageIndex;
import dev.kiln.layout.spec.ImageManifest;
import dev.kiln.layout.spec.MediaTypes;
import dev.kiln.layout.store.DirectoryBlobStore;
import dev.kiln.layout.transport.ImageClosure;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The image one entry of a docker-archive's {@code manifest.json} describes. Its config and layers
 * are the files the entry names (stored by digest as the archive streamed), plain-tar layers checked
 * against the config's diff_ids. A manifest the archive's OCI part already holds for this config and
 * these layers is used as it is; otherwise an OCI manifest is made (the config's bytes kept as they
 * are; layer types from the descriptors LayerSources keeps, else from the files' magic bytes).
 *
 * <p>{@code LayerSources} (keyed by diff_id) keeps a descriptor the saver had for a layer. A
 * descriptor with {@code urls}, or of a foreign / non-distributable type, is a foreign layer:
 * referenced, its blob taken only if the archive has it. Any other is an ordinary layer (Docker 25+
 * writes one for every layer, go-containerregistry keeps them): the file is the layer, and the
 * descriptor (its media type and annotations) is used when it names exactly that file.
 */
final class ManifestJsonImage {
    private final ArchiveExtractor.Contents contents;
    private final DirectoryBlobStore store;
    private final String what;

    ManifestJsonImage(ArchiveExtractor.Contents contents, DirectoryBlobStore store, String what) {
        this.contents = contents;
        this.store = store;
        this.what = what;
    }

    /** The config file an entry names, stored. */
    Descriptor configFile(Entry e) throws IOException {
        return file(e.config(), what + ": manifest.json[" + e.position() + "]", "config");
    }

    /** The image of {@code e}: a stored manifest with this config and layers, or a new one. */
    Descriptor image(Entry e) throws IOException {
        String where = what + ": manifest.json[" + e.position() + "]";
        Descriptor configFile = configFile(e);
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
        for (int i = 0; i < e.layers().size(); i++) {
            layers.add(layer(e, i, diffIds.get(i), where));
        }
        Descriptor existing = findStoredManifest(configFile.digest(), layers);
        if (existing != null) {
            return existing;
        }
        // an OCI manifest: it sits in OCI indexes (a layout's index.json) that skopeo and umoci read, which
        // list OCI types only, and it has a type for every compression (Docker schema2 has no zstd)
        String manifestType = MediaTypes.OCI_MANIFEST;
        List<Descriptor> typed = new ArrayList<>();
        for (Descriptor l : layers) {
            typed.add(l.withMediaType(MediaTypes.toOci(l.mediaType())));
        }
        ImageManifest m = new ImageManifest(manifestType, new Descriptor(MediaTypes.OCI_CONFIG, configFile.digest(), configFile.size()), typed);
        Descriptor d = store.putBytes(manifestType, m.toBytes());
        return d.withPlatform(config.platform());
    }

    /** True for a LayerSources descriptor of a layer the saver did not ship (it is fetched from elsewhere). */
    static boolean isForeign(Descriptor source) {
        return source.urls() != null || MediaTypes.isForeignLayer(source.mediaType());
    }

    private Descriptor layer(Entry e, int i, Digest diffId, String where) throws IOException {
        Descriptor source = e.layerSources().get(diffId);
        if (source != null && isForeign(source)) {
            return source;
        }
        String path = e.layers().get(i);
        Descriptor file = file(path, where, "layer");
        Compression c = sniff(file);
        if (c == Compression.NONE && !file.digest().equals(diffId)) {
            throw new ArchiveException(where + ": layer '" + ArchiveExtractor.printable(path) + "' hashes to " + file.digest()
                    + " but the config's diff_ids[" + i + "] is " + diffId);
        }
        if (source != null && source.digest().equals(file.digest()) && source.size() == file.size()
                && MediaTypes.isLayer(source.mediaType()) && Compression.of(source.mediaType()) == c) {
            return source;
        }
        return new Descriptor(c.mediaType, file.digest(), file.size());
    }

    /** A manifest already in the archive's layout whose config and layer digests are these. */
    private Descriptor findStoredManifest(Digest config, List<Descriptor> layers) throws IOException {
        byte[] indexBytes = contents.metadata(OciLayout.INDEX_FILE);
        if (indexBytes == null) {
            return null;
        }
        List<ImageClosure.Node> nodes;
        try {
            ImageIndex index = DockerArchiveReader.parseIndex(indexBytes, what, true);
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

    private enum Compression {
        NONE(MediaTypes.OCI_LAYER), GZIP(MediaTypes.OCI_LAYER_GZIP), ZSTD(MediaTypes.OCI_LAYER_ZSTD);

        final String mediaType;

        Compression(String mediaType) {
            this.mediaType = mediaType;
        }

        static Compression of(String layerType) {
            return MediaTypes.isGzipLayer(layerType) ? GZIP : MediaTypes.isZstdLayer(layerType) ? ZSTD : NONE;
        }
    }
}
