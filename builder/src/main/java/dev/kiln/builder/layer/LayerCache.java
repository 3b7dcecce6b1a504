package dev.kiln.builder.layer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.layout.SmallFiles;
import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.digest.DigestMismatchException;
import dev.kiln.layout.json.Json;
import dev.kiln.layout.json.JsonFields;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.store.BlobStore;
import dev.kiln.layout.store.DirectoryBlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Layers built before, keyed on their inputs: every entry's metadata and its file's identity (real
 * path, size, times, inode), the compression, level and timestamp. A hit is never trusted as it
 * is: its blob is copied into the output store through digest verification, and a cached blob
 * that does not hash to its digest is dropped and the layer built again. The cache (by default
 * {@code ~/.cache/kiln}) is safe to delete at any time.
 */
public final class LayerCache {
    private static final String VERSION = "kiln-layer-cache-1";
    private final Path dir;
    private final DirectoryBlobStore blobs;

    public LayerCache(Path dir) {
        this.dir = dir;
        this.blobs = new DirectoryBlobStore(dir.resolve("blobs"), dir.resolve("tmp"));
    }

    /** {@code $KILN_CACHE_DIR}, else {@code $XDG_CACHE_HOME/kiln}, else {@code ~/.cache/kiln}. */
    public static Path defaultDirectory(java.nio.file.FileSystem fs) {
        String explicit = System.getenv("KILN_CACHE_DIR");
        if (explicit != null && !explicit.isEmpty()) {
            return fs.getPath(explicit);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isEmpty()) {
            return fs.getPath(xdg, "kiln");
        }
        return fs.getPath(System.getProperty("user.home"), ".cache", "kiln");
    }

    public Path directory() {
        return dir;
    }

    /** The key of a layer, or null when an entry's content has no identity (then nothing is cached). */
    public static String key(LayerBuilder builder, List<LayerEntry> entries) throws IOException {
        MessageDigest md = Digest.messageDigest("sha256");
        StringBuilder b = new StringBuilder(VERSION).append('\n').append(builder.compression()).append(' ')
                .append(builder.level()).append(' ').append(builder.timestamp()).append('\n');
        for (LayerEntry e : LayerEntries.canonical(entries)) {
            b.append(e.path()).append('\0').append(e.type()).append(' ').append(Integer.toOctalString(e.mode())).append(' ')
                    .append(e.uid()).append(':').append(e.gid()).append(' ').append(e.size()).append(' ')
                    .append(e.linkTarget()).append(' ').append(e.paxHeaders()).append(' ');
            if (e.type() == LayerEntry.Type.FILE) {
                String id = e.content().identity();
                if (id == null) {
                    return null;
                }
                b.append(id);
            }
            b.append('\n');
            if (b.length() > 1 << 16) {
                md.update(b.toString().getBytes(StandardCharsets.UTF_8));
                b.setLength(0);
            }
        }
        md.update(b.toString().getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(md.digest());
    }

    /**
     * Puts the cached layer for {@code key} into {@code out} (verifying its digest on the way) and
     * returns it; empty when there is none or the cached blob is damaged.
     */
    public Optional<BuiltLayer> fetch(String key, BlobStore out) throws IOException {
        Path record = recordFile(key);
        if (!Files.isRegularFile(record, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        BuiltLayer layer;
        try {
            ObjectNode o = Json.parseObject(SmallFiles.read(record, 4096), record.toString());
            JsonFields f = new JsonFields(o, record.toString());
            layer = new BuiltLayer(Digest.parse(f.requiredString("digest")), f.longValue("size"),
                    Digest.parse(f.requiredString("diffId")), f.longValue("uncompressedSize"),
                    f.requiredString("mediaType"), Compression.valueOf(f.requiredString("compression")));
        } catch (RuntimeException e) {
            Files.deleteIfExists(record); // unreadable record: forget it
            return Optional.empty();
        }
        Descriptor d = layer.descriptor();
        if (out.exists(d.digest())) {
            return Optional.of(layer);
        }
        if (!blobs.exists(d.digest())) {
            Files.deleteIfExists(record);
            return Optional.empty();
        }
        try (InputStream in = blobs.openVerified(d)) {
            in.transferTo(java.io.OutputStream.nullOutputStream()); // never trusted unhashed
        } catch (DigestMismatchException | java.nio.file.NoSuchFileException | dev.kiln.layout.store.BlobStoreException e) {
            // damaged (or dropped meanwhile by another platform that found it damaged): build again
            try {
                blobs.delete(d.digest());
            } catch (java.nio.file.NoSuchFileException gone) {
                // dropped first by the other platform
            }
            Files.deleteIfExists(record);
            return Optional.empty();
        }
        if (out instanceof DirectoryBlobStore dir && link(d, dir)) {
            return Optional.of(layer);
        }
        try (InputStream in = blobs.openVerified(d)) {
            out.put(d, in);
        }
        return Optional.of(layer);
    }

    /** Hard-links a verified cached blob into {@code out}; false when links are not possible. */
    private boolean link(Descriptor d, DirectoryBlobStore out) throws IOException {
        Path target = out.path(d.digest());
        try {
            Files.createDirectories(target.getParent());
            Files.createLink(target, blobs.path(d.digest()));
            out.syncAdopted(d.digest()); // it may come from a scratch build, never synced
            return true;
        } catch (FileSystemException | UnsupportedOperationException e) {
            return Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) && Files.size(target) == d.size();
        }
    }

    /** Remembers a layer just built into {@code from}; a failure to cache never fails the build. */
    public void store(String key, BuiltLayer layer, DirectoryBlobStore from) {
        try {
            Descriptor d = layer.descriptor();
            if (!blobs.exists(d.digest())) {
                Path target = blobs.path(d.digest());
                Files.createDirectories(target.getParent());
                try {
                    Files.createLink(target, from.path(d.digest()));
                } catch (FileSystemException | UnsupportedOperationException e) {
                    try (InputStream in = from.openVerified(d)) {
                        blobs.put(d, in);
                    }
                }
            }
            ObjectNode o = Json.object();
            o.put("digest", layer.digest().toString());
            o.put("size", layer.size());
            o.put("diffId", layer.diffId().toString());
            o.put("uncompressedSize", layer.uncompressedSize());
            o.put("mediaType", layer.mediaType());
            o.put("compression", layer.compression().name());
            Path record = recordFile(key);
            Files.createDirectories(record.getParent());
            Path tmp = Files.createTempFile(record.getParent(), "record-", ".partial");
            Files.write(tmp, Json.write(o));
            DirectoryBlobStore.moveAtomically(tmp, record);
        } catch (IOException | RuntimeException e) {
            // the cache is an optimization: a read-only or full cache folder must not fail the build
        }
    }

    private Path recordFile(String key) {
        return dir.resolve("layers").resolve(key.substring(0, 2)).resolve(key);
    }
}
