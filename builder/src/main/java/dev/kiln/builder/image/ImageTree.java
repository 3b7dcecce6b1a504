package dev.kiln.builder.image;

import dev.kiln.builder.layer.LayerEntry;
import dev.kiln.layout.KilnException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What kiln knows of an image's file tree without unpacking it: its folders (mode and owner) and
 * its symbolic links (target), keyed by path ({@code usr/lib}), as the layer tar headers leave
 * them once applied in order (whiteouts and opaque folders included). Files are not kept: a layer
 * only needs the folders it writes into and the links on the way to them.
 *
 * <p>A layer re-emits the folders above what it writes, and a folder the image already has must
 * keep its mode and owner there (overlay file systems take a folder's metadata from the topmost
 * layer that has it, so a {@code /tmp} re-emitted as 0755 would lose its 1777). This index is how
 * the layer knows them.
 */
final class ImageTree {
    /** A folder's mode (12 permission bits) and owner. */
    record Dir(int mode, long uid, long gid) {
    }

    private static final int MAX_LINK_HOPS = 40;
    /** Path to {@link Dir} for a folder, or to the target text for a symbolic link. */
    private final TreeMap<String, Object> nodes;
    /** Paths written by the layer being applied (an opaque whiteout spares them). */
    private Set<String> layerPaths = new HashSet<>();

    ImageTree() {
        this(new TreeMap<>());
    }

    private ImageTree(TreeMap<String, Object> nodes) {
        this.nodes = nodes;
    }

    /** An independent copy (a stage built on another continues from its tree). */
    ImageTree copy() {
        return new ImageTree(new TreeMap<>(nodes));
    }

    int size() {
        return nodes.size();
    }

    /** Starts a new layer: whiteouts in it apply to what came before it. */
    void beginLayer() {
        layerPaths = new HashSet<>();
    }

    /** Applies one tar entry of the layer being read; {@code name} is clean and relative. */
    void applyTarEntry(String name, char kind, int mode, long uid, long gid, String linkTarget) {
        String base = name.substring(name.lastIndexOf('/') + 1);
        String parent = name.contains("/") ? name.substring(0, name.lastIndexOf('/')) : "";
        if (base.equals(".wh..wh..opq")) {
            for (String child : new ArrayList<>(under(parent).keySet())) {
                if (!layerPaths.contains(child)) {
                    nodes.remove(child);
                }
            }
            return;
        }
        if (base.startsWith(".wh.")) {
            String gone = (parent.isEmpty() ? "" : parent + "/") + base.substring(4);
            removeTree(gone);
            return;
        }
        layerPaths.add(name);
        switch (kind) {
            case 'd' -> {
                if (!(nodes.get(name) instanceof Dir)) {
                    removeTree(name);
                }
                nodes.put(name, new Dir(mode & 07777, uid, gid));
            }
            case 'l' -> {
                removeTree(name);
                nodes.put(name, linkTarget);
            }
            default -> removeTree(name); // a file (or anything else) replaces whatever was there
        }
    }

    /** Applies the entries of a layer kiln wrote (they were written in this order). */
    void apply(List<LayerEntry> entries) {
        beginLayer();
        for (LayerEntry e : entries) {
            char kind = switch (e.type()) {
                case DIRECTORY -> 'd';
                case SYMLINK -> 'l';
                default -> 'f';
            };
            applyTarEntry(e.path(), kind, e.mode(), e.uid(), e.gid(), e.linkTarget());
        }
    }

    /** The folder at {@code path} (not following links), or null. */
    Dir directory(String path) {
        return nodes.get(path) instanceof Dir d ? d : null;
    }

    /** The target of the symbolic link at {@code path}, or null. */
    String link(String path) {
        return nodes.get(path) instanceof String s ? s : null;
    }

    /**
     * Where {@code path} really is in the image: symbolic links on the way (the last component
     * too) are followed as the kernel would inside a chroot, so that {@code COPY f /lib/} on an
     * image whose {@code /lib} links to {@code usr/lib} writes into {@code usr/lib} and leaves the
     * link alone. A link cycle fails.
     */
    String resolve(String path, String where) {
        List<String> todo = new ArrayList<>(List.of(path.isEmpty() ? new String[0] : path.split("/")));
        List<String> done = new ArrayList<>();
        int hops = 0;
        while (!todo.isEmpty()) {
            String part = todo.remove(0);
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!done.isEmpty()) {
                    done.remove(done.size() - 1);
                }
                continue;
            }
            done.add(part);
            String target = link(String.join("/", done));
            if (target == null) {
                continue;
            }
            if (++hops > MAX_LINK_HOPS) {
                throw new KilnException(where + ": too many levels of symbolic links in '/" + path + "'");
            }
            done.remove(done.size() - 1);
            if (target.startsWith("/")) {
                done.clear();
            }
            todo.addAll(0, List.of(target.split("/")));
        }
        return String.join("/", done);
    }

    private Map<String, Object> under(String dir) {
        return dir.isEmpty() ? nodes : nodes.subMap(dir + "/", true, dir + "0", false); // '0' follows '/'
    }

    private void removeTree(String path) {
        nodes.remove(path);
        under(path).clear();
    }
}
