package dev.kiln.layout.archive;

import dev.kiln.layout.json.Json;
import dev.kiln.layout.oci.LayoutTag;
import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageIndex;
import dev.kiln.layout.spec.MediaTypes;
import dev.kiln.layout.transport.ImageClosure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes an oci-archive: an OCI image layout as one tar, the same bytes for the same content.
 * Entries: {@code oci-layout}, {@code index.json}, {@code blobs/}, {@code blobs/sha256/},
 * {@code blobs/sha256/<hex>} sorted; every entry with the same time (the epoch unless given), uid/gid
 * 0, no owner names, 0644/0755, no {@code .kiln/}. Written to a temp file beside the target and
 * renamed over it.
 */
public final class OciArchiveWriter {
    static final byte[] OCI_LAYOUT = "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8);

    private final long mtimeSeconds;

    /** Entries dated at the epoch. */
    public OciArchiveWriter() {
        this(0);
    }

    public OciArchiveWriter(long mtimeSeconds) {
        this.mtimeSeconds = mtimeSeconds;
    }

    public static OciArchiveWriter withTimestamp(Instant timestamp) {
        return new OciArchiveWriter(timestamp == null ? 0 : timestamp.getEpochSecond());
    }

    /** The whole layout: its index.json byte for byte, and every blob its entries reach (unreferenced blobs are left out). */
    public void writeLayout(OciLayout layout, Path target) throws IOException {
        Path indexFile = layout.root().resolve(OciLayout.INDEX_FILE);
        byte[] indexBytes = dev.kiln.layout.SmallFiles.read(indexFile, dev.kiln.layout.json.Json.MAX_DOCUMENT_BYTES);
        ImageIndex index = layout.index();
        List<ImageClosure.Node> closure = ImageClosure.ofAll(index.manifests(), layout.blobs()::readSmall,
                layout.root().toString());
        write(target, indexBytes, closure, layout, false);
    }

    /**
     * One image: an index.json listing {@code root} once per tag (tags as for {@code oci:DIR:TAG}: a
     * bare tag sets ref.name, a full name also io.containerd.image.name), or once untagged when
     * {@code tags} is empty, and the blobs {@code root} reaches.
     */
    public void writeImage(OciLayout layout, Descriptor root, List<String> tags, Path target) throws IOException {
        writeImage(layout, root, tags, target, false);
    }

    /** As above; {@code trusted}: the layout's blobs were hashed by this process as it wrote them (not hashed again). */
    void writeImage(OciLayout layout, Descriptor root, List<String> tags, Path target, boolean trusted)
            throws IOException {
        List<ImageClosure.Node> closure = ImageClosure.of(root, layout.blobs()::readSmall, layout.root().toString());
        write(target, indexJson(root, tags), closure, layout, trusted);
    }

    /** An index.json naming {@code root} under each tag. */
    static byte[] indexJson(Descriptor root, List<String> tags) {
        Descriptor bare = root.withAnnotations(null);
        List<Descriptor> entries = new ArrayList<>();
        if (tags.isEmpty()) {
            entries.add(bare);
        }
        for (String t : tags) {
            LayoutTag tag;
            try {
                tag = LayoutTag.parse(t);
            } catch (IllegalArgumentException e) {
                throw new ArchiveException("invalid tag '" + t + "': " + e.getMessage());
            }
            entries.add(tag.apply(bare));
        }
        return Json.write(new ImageIndex(MediaTypes.OCI_INDEX, entries).toJson());
    }

    private void write(Path target, byte[] indexBytes, List<ImageClosure.Node> closure, OciLayout layout,
                       boolean trusted) throws IOException {
        Map<String, byte[]> metadata = new LinkedHashMap<>();
        metadata.put(OciLayout.LAYOUT_FILE, OCI_LAYOUT);
        metadata.put(OciLayout.INDEX_FILE, indexBytes);
        LayoutTar.write(target, mtimeSeconds, metadata, closure, layout.blobs(), trusted, "oci-archive " + target);
    }
}
