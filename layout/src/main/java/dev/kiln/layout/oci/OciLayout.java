package dev.kiln.layout.oci;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.layout.json.Json;
import dev.kiln.layout.json.JsonFields;
import dev.kiln.layout.Hint;
import dev.kiln.layout.KilnException;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageIndex;
import dev.kiln.layout.spec.MediaTypes;
import dev.kiln.layout.store.DirectoryBlobStore;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * An OCI image layout on any {@link Path}: {@code oci-layout}, {@code index.json} and
 * {@code blobs/<alg>/<hex>}. kiln keeps its temporary files and lock files in {@code .kiln/}.
 * {@code index.json} is replaced atomically, under an exclusive lock, after the blobs it names are
 * in place, so the layout is valid after any crash and concurrent writers never lose each other's tags.
 */
public final class OciLayout {
    public static final String LAYOUT_FILE = "oci-layout";
    public static final String INDEX_FILE = "index.json";
    public static final String KILN_DIR = ".kiln";

    private final Path root;
    private final DirectoryBlobStore blobs;
    private final boolean durable;

    private OciLayout(Path root) {
        this(root, true);
    }

    private OciLayout(Path root, boolean durable) {
        this.root = root;
        this.durable = durable;
        this.blobs = new DirectoryBlobStore(root.resolve("blobs"), root.resolve(KILN_DIR).resolve("tmp"), durable);
    }

    /** Opens an existing layout; fails clearly when {@code root} is not one. */
    public static OciLayout open(Path root) {
        if (!Files.isDirectory(root)) {
            throw new LayoutException(root + ": no such OCI layout directory");
        }
        Path layoutFile = root.resolve(LAYOUT_FILE);
        if (!Files.isRegularFile(layoutFile)) {
            throw new LayoutException(root + ": not an OCI layout (" + LAYOUT_FILE + " is missing)");
        }
        checkLayoutFile(layoutFile);
        return new OciLayout(root);
    }

    /**
     * Opens the layout at {@code root}, creating an empty one when the folder is missing or empty.
     * Creation happens under the layout's index lock and writes {@code oci-layout} last, so two
     * processes creating one layout at once both end up with it, and a folder that a killed kiln
     * left half-created (nothing but empty {@code blobs/}, an empty {@code index.json} and
     * {@code .kiln/}) is completed rather than refused.
     */
    public static OciLayout openOrCreate(Path root) throws IOException {
        return openOrCreate(root, true);
    }

    /**
     * A new layout at {@code root} (missing or empty) that is thrown away after use, such as the
     * one an archive is assembled in: its files are not synced to disk (no fsync of blobs, the
     * index or folders), so a crash may leave it damaged. Never use it for a layout that is kept:
     * only an output written from it (synced itself) survives.
     */
    public static OciLayout createScratch(Path root) throws IOException {
        if (Files.isRegularFile(root.resolve(LAYOUT_FILE))) {
            throw new LayoutException(root + ": a scratch layout must be new, and this one exists");
        }
        return openOrCreate(root, false);
    }

    /** False for a {@link #createScratch scratch} layout, whose writes are not synced. */
    public boolean durable() {
        return durable;
    }

    private static OciLayout openOrCreate(Path root, boolean durable) throws IOException {
        if (Files.isRegularFile(root.resolve(LAYOUT_FILE))) {
            return open(root);
        }
        if (Files.exists(root) && !Files.isDirectory(root)) {
            throw new LayoutException(root + ": exists and is not a directory");
        }
        checkCreatable(root);
        try {
            Files.createDirectories(root.resolve(KILN_DIR));
            OciLayout layout = new OciLayout(root, durable);
            try (LayoutLock.Held ignored = LayoutLock.exclusive(layout.indexLockFile())) {
                if (Files.isRegularFile(root.resolve(LAYOUT_FILE))) {
                    return open(root); // another process created it while this one waited
                }
                checkCreatable(root);
                Files.createDirectories(root.resolve("blobs").resolve("sha256"));
                if (!Files.exists(root.resolve(INDEX_FILE))) {
                    layout.writeIndexFile(ImageIndex.emptyLayoutIndex());
                }
                layout.writeAtomically(root.resolve(LAYOUT_FILE),
                        "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
            }
            return layout;
        } catch (AccessDeniedException e) {
            throw new LayoutException(root + ": cannot create an OCI layout here: permission denied", e);
        }
    }

    /**
     * Fails unless {@code root} is missing, empty, or holds only what an interrupted creation
     * leaves: {@code .kiln/}, a {@code blobs/} tree without files and an {@code index.json} with
     * no entries.
     */
    private static void checkCreatable(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return;
        }
        List<Path> entries;
        try (var list = Files.list(root)) {
            entries = list.toList();
        }
        for (Path p : entries) {
            String name = p.getFileName().toString();
            boolean leftover = name.equals(KILN_DIR)
                    || name.equals("blobs") && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && holdsNoFile(p)
                    || name.equals(INDEX_FILE) && isEmptyIndex(p);
            if (!leftover) {
                throw new LayoutException(root + ": folder is not empty and is not an OCI layout (no " + LAYOUT_FILE + ")");
            }
        }
    }

    private static boolean holdsNoFile(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            return walk.allMatch(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS));
        }
    }

    private static boolean isEmptyIndex(Path file) {
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                return false;
            }
            byte[] bytes = dev.kiln.layout.SmallFiles.read(file, 64 * 1024);
            return ImageIndex.parse(bytes, file.toString()).manifests().isEmpty();
        } catch (IOException | KilnException e) {
            return false;
        }
    }

    private static void checkLayoutFile(Path layoutFile) {
        try {
            byte[] bytes = dev.kiln.layout.SmallFiles.read(layoutFile, 4096);
            ObjectNode node = Json.parseObject(bytes, layoutFile.toString());
            String version = new JsonFields(node, layoutFile.toString()).string("imageLayoutVersion");
            if (version == null || !version.startsWith("1.")) {
                throw new LayoutException(layoutFile + ": unsupported imageLayoutVersion '" + version + "' (want 1.0.0)");
            }
        } catch (IOException e) {
            throw new LayoutException(layoutFile + ": cannot read: " + e.getMessage(), e);
        } catch (KilnException e) {
            throw e instanceof LayoutException le ? le : new LayoutException(e.getMessage(), e);
        }
    }

    public Path root() {
        return root;
    }

    public DirectoryBlobStore blobs() {
        return blobs;
    }

    Path indexLockFile() {
        return root.resolve(KILN_DIR).resolve("index.lock");
    }

    Path gcLockFile() {
        return root.resolve(KILN_DIR).resolve("gc.lock");
    }

    /** Reads {@code index.json}. */
    public ImageIndex index() {
        Path file = root.resolve(INDEX_FILE);
        byte[] bytes;
        try {
            if (Files.size(file) > Json.MAX_DOCUMENT_BYTES) {
                throw new LayoutException(file + ": over the " + Json.MAX_DOCUMENT_BYTES + "-byte limit");
            }
            bytes = dev.kiln.layout.SmallFiles.read(file, Json.MAX_DOCUMENT_BYTES);
        } catch (NoSuchFileException e) {
            throw new LayoutException(root + ": " + INDEX_FILE + " is missing");
        } catch (IOException e) {
            throw new LayoutException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (bytes.length == 0) {
            throw new LayoutException(file + ": empty file (want an image index)");
        }
        try {
            return ImageIndex.parse(bytes, file.toString());
        } catch (KilnException e) {
            throw new LayoutException(e.getMessage(), e);
        }
    }

    /**
     * Changes {@code index.json} under the layout's exclusive lock: reads the current index, applies
     * {@code change}, writes a temp file, syncs it, and renames it over {@code index.json}. A change
     * that leaves the index as it was (a rebuild tagging the same image again) writes nothing.
     */
    public ImageIndex updateIndex(UnaryOperator<ImageIndex> change) throws IOException {
        try (LayoutLock.Held ignored = LayoutLock.exclusive(indexLockFile())) {
            ImageIndex current = index();
            ImageIndex updated = change.apply(current);
            if (!java.util.Arrays.equals(updated.toBytes(), current.toBytes())) {
                writeIndexFile(updated);
            }
            return updated;
        }
    }

    private void writeIndexFile(ImageIndex index) throws IOException {
        writeAtomically(root.resolve(INDEX_FILE), index.toBytes());
    }

    private void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path tmpDir = root.resolve(KILN_DIR).resolve("tmp");
        Files.createDirectories(tmpDir);
        Path tmp = Files.createTempFile(tmpDir, target.getFileName().toString() + "-", ".partial");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                 OutputStream out = Channels.newOutputStream(ch)) {
                out.write(bytes);
                out.flush();
                if (durable) {
                    ch.force(true);
                }
            }
            if (durable) {
                DirectoryBlobStore.moveAtomically(tmp, target);
            } else {
                DirectoryBlobStore.moveWithoutSync(tmp, target);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Holds off garbage collection while blobs are being written for a later index update. Writers
     * share this lock; {@code gc} takes it exclusively, so it never deletes a blob a writer is about
     * to reference.
     */
    public Closeable holdBlobs() throws IOException {
        return LayoutLock.shared(gcLockFile());
    }

    /** Runs {@code action} while no writer holds the blobs, for garbage collection. */
    public <T> T exclusively(IoSupplier<T> action) throws IOException {
        try (LayoutLock.Held ignored = LayoutLock.exclusive(gcLockFile())) {
            return action.get();
        }
    }

    /** A supplier that may throw IOException. */
    @FunctionalInterface
    public interface IoSupplier<T> {
        T get() throws IOException;
    }

    /** The top-level entries of index.json named {@code tag}. */
    public List<Descriptor> find(LayoutTag tag) {
        List<Descriptor> out = new ArrayList<>();
        for (Descriptor d : index().manifests()) {
            if (tag.names(d)) {
                out.add(d);
            }
        }
        return out;
    }

    /**
     * Resolves a tag (or, when {@code tag} is null, the only image of the layout) to one top-level
     * descriptor; fails clearly when there is none or more than one.
     */
    public Descriptor resolve(String tag) {
        ImageIndex index = index();
        if (tag == null || tag.isEmpty()) {
            if (index.manifests().size() == 1) {
                return index.manifests().get(0);
            }
            if (index.manifests().isEmpty()) {
                throw new LayoutException(root + ": the layout holds no image");
            }
            throw new LayoutException(root + ": the layout holds " + index.manifests().size()
                    + " images; name one of: " + String.join(", ", tagNames(index)));
        }
        LayoutTag t = LayoutTag.parse(tag);
        List<Descriptor> found = find(t);
        if (found.isEmpty()) {
            List<String> names = tagNames(index);
            throw new LayoutException(root + ": no image tagged '" + tag + "'"
                    + (names.isEmpty() ? " (the layout has no tags)" : " (tags: " + String.join(", ", names) + ")"));
        }
        if (found.size() > 1) {
            List<String> fullNames = found.stream().map(d -> d.annotation(MediaTypes.ANNOTATION_CONTAINERD_NAME)).toList();
            if (!fullNames.contains(null) && new java.util.HashSet<>(fullNames).size() == fullNames.size()) {
                throw new LayoutException(root + ": tag '" + tag + "' is ambiguous: " + found.size()
                        + " images carry it; use the full name (" + String.join(", ", fullNames) + ")");
            }
            // no name tells them apart: say which images they are, and let the caller say what to do
            throw new LayoutException(root + ": tag '" + tag + "' is ambiguous: " + found.size() + " images carry it ("
                    + String.join(", ", found.stream().map(d -> d.digest().toString()).toList())
                    + ") and no full name tells them apart", Hint.AMBIGUOUS_TAG);
        }
        return found.get(0);
    }

    /** Sets {@code tag} on {@code target} (a manifest or an index whose blobs are stored), atomically. */
    public void tag(LayoutTag tag, Descriptor target) throws IOException {
        Descriptor entry = tag.apply(target);
        updateIndex(index -> {
            List<Descriptor> kept = new ArrayList<>();
            for (Descriptor d : index.manifests()) {
                if (!tag.displaces(d)) {
                    kept.add(d);
                }
            }
            kept.add(entry);
            return index.withManifests(kept);
        });
    }

    /** Removes a tag; returns false when no entry had it. */
    public boolean untag(LayoutTag tag) throws IOException {
        boolean[] removed = {false};
        updateIndex(index -> {
            List<Descriptor> kept = new ArrayList<>();
            for (Descriptor d : index.manifests()) {
                if (tag.names(d)) {
                    removed[0] = true;
                } else {
                    kept.add(d);
                }
            }
            return index.withManifests(kept);
        });
        return removed[0];
    }

    /** The name to show for a top-level entry: full name, tag, or digest. */
    public static String displayName(Descriptor d) {
        String full = d.annotation(MediaTypes.ANNOTATION_CONTAINERD_NAME);
        if (full != null) {
            return full;
        }
        String ref = d.annotation(MediaTypes.ANNOTATION_REF_NAME);
        return ref != null ? ref : d.digest().toString();
    }

    private static List<String> tagNames(ImageIndex index) {
        return index.manifests().stream().map(OciLayout::displayName).toList();
    }

    /** True when a path looks like a layout (has an oci-layout file). */
    public static boolean isLayout(Path root) {
        return Files.isRegularFile(root.resolve(LAYOUT_FILE), LinkOption.NOFOLLOW_LINKS);
    }
}
