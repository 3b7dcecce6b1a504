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
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * Layers built before, keyed on their inputs: every entry's metadata and its file's identity (real
 * path, size, times, inode), the compression, level and timestamp. The cache (by default
 * {@code ~/.cache/kiln}) is safe to delete at any time.
 *
 * <p>A key is the text of those inputs, which the entry's record keeps and a hit must match in full
 * (the record's file name is only a checksum of it). Hashing it with SHA-256 would cost more than
 * the rest of a no-change rebuild: a fresh JVM hashes in the interpreter at 1-2 MB/s, and the key of
 * 1,500 files is ~250 KB; only a key over {@value #MAX_TEXT_KEY} characters is hashed instead.
 *
 * <p>What a hit trusts:
 * <ul>
 *   <li>a cached blob's bytes never go into an output unhashed: they are hashed against the
 *       digest before being linked into the output store, or hashed while they are copied, and a
 *       cached blob that does not hash to its digest is dropped and the layer built again;</li>
 *   <li>a blob that the output store already holds under the digest, with the expected size, is
 *       taken as it is, without reading it. The store only ever publishes a blob under a digest
 *       name after hashing the bytes it wrote (and syncing them), and it skips writing a blob that
 *       exists with the right size by the same rule; re-hashing it on each rebuild (~0.3 s for a
 *       130 MB layer) would only guard against damage after the fact, which {@code kiln verify
 *       --deep} finds. A blob of the wrong size (e.g. truncated) is replaced.</li>
 * </ul>
 */
public final class LayerCache {
    private static final String VERSION = "kiln-layer-cache-2";
    /** Keys longer than this (characters) are hashed rather than kept and compared whole. */
    static final int MAX_TEXT_KEY = 1 << 20;
    private final Path dir;
    private final DirectoryBlobStore blobs;

    public LayerCache(Path dir) {
        this.dir = dir;
        this.blobs = new DirectoryBlobStore(dir.resolve("blobs"), dir.resolve("tmp"));
    }

    /** {@code $KILN_CACHE_DIR}, else {@code $XDG_CACHE_HOME/kiln}, else {@code $HOME/.cache/kiln}. */
    public static Path defaultDirectory(java.nio.file.FileSystem fs) {
        return defaultDirectory(fs, System.getenv());
    }

    /**
     * The default folder for these environment variables: {@code $KILN_CACHE_DIR}, else
     * {@code $XDG_CACHE_HOME/kiln}, else {@code $HOME/.cache/kiln}, and only without {@code HOME}
     * Java's {@code user.home} (taken from the password database, not the environment).
     */
    public static Path defaultDirectory(java.nio.file.FileSystem fs, java.util.Map<String, String> env) {
        String explicit = env.get("KILN_CACHE_DIR");
        if (explicit != null && !explicit.isEmpty()) {
            return fs.getPath(explicit);
        }
        String xdg = env.get("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isEmpty()) {
            return fs.getPath(xdg, "kiln");
        }
        String home = env.get("HOME");
        return fs.getPath(home != null && !home.isEmpty() ? home : System.getProperty("user.home"), ".cache", "kiln");
    }

    public Path directory() {
        return dir;
    }

    /**
     * The key of a layer: the text of its inputs, or for a very large layer {@code VERSION sha256 HEX}
     * of that text. Null when an entry's content has no identity (then nothing is cached).
     */
    public static String key(LayerBuilder builder, List<LayerEntry> entries) throws IOException {
        MessageDigest md = null;
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
            if (md == null ? b.length() > MAX_TEXT_KEY : b.length() > 1 << 16) {
                if (md == null) {
                    md = Digest.messageDigest("sha256"); // by now the JIT has compiled SHA-256
                }
                md.update(b.toString().getBytes(StandardCharsets.UTF_8));
                b.setLength(0);
            }
        }
        if (md == null) {
            return b.toString();
        }
        md.update(b.toString().getBytes(StandardCharsets.UTF_8));
        return VERSION + " sha256 " + HexFormat.of().formatHex(md.digest());
    }

    /**
     * Puts the cached layer for {@code key} into {@code out} and returns it; empty when there is
     * none or the cached blob is damaged. See the class comment for what is checked.
     */
    public Optional<BuiltLayer> fetch(String key, BlobStore out) throws IOException {
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        Path record = recordFile(keyBytes);
        if (!Files.isRegularFile(record, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        BuiltLayer layer;
        try {
            byte[] bytes = SmallFiles.read(record, keyBytes.length + 4096);
            int newline = indexOf(bytes, (byte) '\n');
            if (newline < 0 || !Arrays.equals(bytes, newline + 1, bytes.length, keyBytes, 0, keyBytes.length)) {
                return Optional.empty(); // another key with the same checksum: this layer's store replaces it
            }
            ObjectNode o = Json.parseObject(Arrays.copyOf(bytes, newline), record.toString());
            JsonFields f = new JsonFields(o, record.toString());
            layer = new BuiltLayer(Digest.parse(f.requiredString("digest")), f.longValue("size"),
                    Digest.parse(f.requiredString("diffId")), f.longValue("uncompressedSize"),
                    f.requiredString("mediaType"), Compression.valueOf(f.requiredString("compression")));
        } catch (RuntimeException e) {
            Files.deleteIfExists(record); // unreadable record: forget it
            return Optional.empty();
        }
        Descriptor d = layer.descriptor();
        if (out.exists(d.digest()) && out.size(d.digest()) == d.size()) {
            return Optional.of(layer); // published by a store, which hashed it: see the class comment
        }
        if (!blobs.exists(d.digest())) {
            Files.deleteIfExists(record);
            return Optional.empty();
        }
        boolean linked = false;
        try {
            if (out instanceof DirectoryBlobStore dir && dir.path(d.digest()).getFileSystem() == blobs.path(d.digest()).getFileSystem()) {
                linked = dir.adoptLink(d, blobs.path(d.digest())); // hashed once linked: never named unhashed
            }
            if (!linked) {
                try (InputStream in = blobs.openVerified(d)) {
                    out.put(d, in); // hashed on the way in: a mismatch publishes nothing
                }
            }
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
        return Optional.of(layer);
    }

    private static String hex8(long v) {
        String h = Long.toHexString(v | 1L << 32); // 1 + eight digits, the leading zeros kept
        return h.substring(1);
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
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
            byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
            Path record = recordFile(keyBytes);
            Files.createDirectories(record.getParent());
            Path tmp = Files.createTempFile(record.getParent(), "record-", ".partial");
            try (java.io.OutputStream w = Files.newOutputStream(tmp)) {
                w.write(Json.write(o)); // one line: the JSON writer escapes newlines in strings
                w.write('\n');
                w.write(keyBytes);
            }
            DirectoryBlobStore.moveAtomically(tmp, record);
        } catch (IOException | RuntimeException e) {
            // the cache is an optimization: a read-only or full cache folder must not fail the build
        }
    }

    /** The record of a key: named by CRC-32C, CRC-32 and length of the key (the record holds the key). */
    private Path recordFile(byte[] key) {
        CRC32C c = new CRC32C();
        c.update(key);
        CRC32 d = new CRC32();
        d.update(key);
        String name = hex8(c.getValue()) + hex8(d.getValue()) + "-" + Integer.toHexString(key.length);
        return dir.resolve("layers").resolve(name.substring(0, 2)).resolve(name);
    }
}
