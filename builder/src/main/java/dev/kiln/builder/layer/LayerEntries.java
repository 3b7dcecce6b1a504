package dev.kiln.builder.layer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The canonical order and completeness rules of a layer: what {@link ReproducibleTarWriter} writes
 * is {@link #canonical(Collection)} of what it is given.
 */
public final class LayerEntries {
    /** The name of an opaque whiteout (OCI image spec, "Opaque Whiteout"). */
    public static final String OPAQUE_WHITEOUT = ".wh..wh..opq";
    /** Mode of directories that the writer adds because an entry needs them. */
    public static final int IMPLIED_DIRECTORY_MODE = 0755;

    /**
     * Byte order of the UTF-8 paths (not Java's UTF-16 order), with one exception: an opaque
     * whiteout sorts directly after its directory, before the directory's other entries, as the
     * OCI spec asks ("d/.wh..wh..opq" would otherwise follow e.g. "d/!x" or "d/-x").
     */
    public static final Comparator<LayerEntry> ORDER = (a, b) -> Arrays.compareUnsigned(sortKey(a.path()),
            sortKey(b.path()));

    private LayerEntries() {
    }

    /**
     * Sorts the entries in {@link #ORDER} and adds each missing parent directory (mode 0755, owner
     * 0:0). Fails on a duplicate path, on a parent that exists but is not a directory, and on a
     * hardlink whose target is not a non-directory entry earlier in that order.
     */
    public static List<LayerEntry> canonical(Collection<LayerEntry> entries) {
        Map<String, LayerEntry> byPath = new HashMap<>(entries.size() * 2);
        for (LayerEntry entry : entries) {
            LayerEntry previous = byPath.putIfAbsent(entry.path(), entry);
            if (previous != null) {
                throw new LayerException("layer has two entries for path '" + entry.path() + "' ("
                        + previous.type() + " and " + entry.type() + ")");
            }
        }
        List<LayerEntry> implied = new ArrayList<>();
        for (LayerEntry entry : entries) {
            String path = entry.path();
            for (int slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
                String parent = path.substring(0, slash);
                LayerEntry existing = byPath.get(parent);
                if (existing == null) {
                    LayerEntry dir = LayerEntry.directory(parent, IMPLIED_DIRECTORY_MODE);
                    byPath.put(parent, dir);
                    implied.add(dir);
                } else if (!existing.isDirectory()) {
                    throw new LayerException("layer entry '" + path + "' lies under '" + parent + "', which is a "
                            + existing.type().name().toLowerCase() + ", not a directory");
                }
            }
        }
        List<Keyed> keyed = new ArrayList<>(entries.size() + implied.size());
        for (LayerEntry entry : entries) {
            keyed.add(new Keyed(sortKey(entry.path()), entry));
        }
        for (LayerEntry entry : implied) {
            keyed.add(new Keyed(sortKey(entry.path()), entry));
        }
        keyed.sort((a, b) -> Arrays.compareUnsigned(a.key, b.key));
        List<LayerEntry> sorted = new ArrayList<>(keyed.size());
        Set<String> written = new HashSet<>();
        for (Keyed k : keyed) {
            LayerEntry entry = k.entry;
            if (entry.type() == LayerEntry.Type.HARDLINK && !written.contains(entry.linkTarget())) {
                LayerEntry target = byPath.get(entry.linkTarget());
                throw new LayerException("hardlink '" + entry.path() + "' points at '" + entry.linkTarget() + "', "
                        + (target == null ? "which is not in the layer"
                        : target.isDirectory() ? "which is a directory"
                        : "which sorts after it (the target must be written first)"));
            }
            if (!entry.isDirectory()) {
                written.add(entry.path());
            }
            sorted.add(entry);
        }
        return List.copyOf(sorted);
    }

    static byte[] sortKey(String path) {
        String key = path;
        if (path.equals(OPAQUE_WHITEOUT)) {
            key = "\0";
        } else if (path.endsWith("/" + OPAQUE_WHITEOUT)) {
            key = path.substring(0, path.length() - OPAQUE_WHITEOUT.length()) + "\0";
        }
        return key.getBytes(StandardCharsets.UTF_8);
    }

    private record Keyed(byte[] key, LayerEntry entry) {
    }
}
