package dev.kiln.builder.image;

import dev.kiln.layout.KilnException;
import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.store.BlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Builds {@link ImageTree}s from layer blobs, reading only the tar headers (file contents are
 * skipped as they stream past), once per chain of layers in a build: a stage and the stages or
 * COPY instructions that share its base read its layers once, and a longer chain starts from the
 * longest chain already read.
 */
final class ImageTreeReader {
    private final BlobStore store;
    private final long maxExpandedBytes;
    private final Map<List<Digest>, ImageTree> read = new HashMap<>();

    ImageTreeReader(BlobStore store, long maxExpandedBytes) {
        this.store = store;
        this.maxExpandedBytes = maxExpandedBytes;
    }

    /** A fresh copy of the tree of these layers (the caller may change it). */
    synchronized ImageTree tree(List<Descriptor> layers, String where) throws IOException {
        List<Digest> chain = new ArrayList<>();
        for (Descriptor d : layers) {
            chain.add(d.digest());
        }
        int start = chain.size();
        ImageTree known = null;
        for (; start > 0; start--) {
            known = read.get(chain.subList(0, start));
            if (known != null) {
                break;
            }
        }
        ImageTree tree = known == null ? new ImageTree() : known.copy();
        for (int i = start; i < layers.size(); i++) {
            readLayer(tree, layers.get(i), where);
        }
        if (start < layers.size()) {
            read.put(List.copyOf(chain), tree.copy());
        }
        return tree;
    }

    /** Remembers the tree a stage ended with, so that a stage built on it starts there. */
    synchronized void remember(List<Descriptor> layers, ImageTree tree) {
        List<Digest> chain = new ArrayList<>();
        for (Descriptor d : layers) {
            chain.add(d.digest());
        }
        read.putIfAbsent(List.copyOf(chain), tree.copy());
    }

    private void readLayer(ImageTree tree, Descriptor layer, String where) throws IOException {
        tree.beginLayer();
        if (!store.exists(layer.digest())) {
            return; // a foreign layer referenced by its urls: nothing to read (Windows bases only)
        }
        String what = where + ": layer " + layer.digest() + " (reading its folders)";
        RootfsExtractor limits = new RootfsExtractor(null, maxExpandedBytes);
        try (InputStream raw = store.openVerified(layer);
             TarArchiveInputStream tar = limits.reader(raw, what)) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                String name = cleanLenient(e.getName());
                if (name.isEmpty()) {
                    continue;
                }
                char kind = e.isDirectory() ? 'd' : e.isSymbolicLink() ? 'l' : 'f';
                tree.applyTarEntry(name, kind, e.getMode(), e.getLongUserId(), e.getLongGroupId(), e.getLinkName());
            }
        } catch (KilnException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new BuildException(what + ": invalid tar: "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().replaceAll("\\s+", " ")), e);
        }
    }

    /**
     * A tar name as a relative path. A name that climbs out of the root is skipped (empty): this
     * index only describes folders, and such an entry is refused wherever kiln extracts a tar.
     */
    static String cleanLenient(String name) {
        StringBuilder out = new StringBuilder();
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..") || part.indexOf('\0') >= 0) {
                return "";
            }
            if (out.length() > 0) {
                out.append('/');
            }
            out.append(part);
        }
        return out.toString();
    }
}
