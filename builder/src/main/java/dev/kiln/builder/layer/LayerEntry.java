package dev.kiln.builder.layer;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One entry of a layer tar, described completely by its fields: nothing is read from a file system
 * when the tar is written except a file's bytes through its {@link ContentSource}.
 *
 * @param path       where the entry lives in the layer: relative, '/'-separated, no empty, "." or
 *                   ".." component, no trailing '/' (the writer adds it to directory names)
 * @param type       what kind of entry this is
 * @param mode       permission bits including setuid (04000), setgid (02000) and sticky (01000);
 *                   no file-type bits
 * @param uid        numeric owner; names are never written
 * @param gid        numeric group
 * @param linkTarget a symlink's target as stored (any text), or the layer path a hardlink points at;
 *                   null for files and directories
 * @param size       a file's size in bytes; 0 for every other type
 * @param content    a file's bytes; null for every other type
 * @param paxHeaders extra PAX records for this entry (e.g. {@code MSWINDOWS.rawsd}); keys the writer
 *                   controls itself (path, size, times, owners, ...) are refused
 */
public record LayerEntry(String path, Type type, int mode, long uid, long gid, String linkTarget, long size,
                         ContentSource content, SortedMap<String, String> paxHeaders) {

    public enum Type { FILE, DIRECTORY, SYMLINK, HARDLINK }

    /** Largest uid/gid accepted (Linux uses 32-bit ids, (uid_t) -1 is reserved). */
    public static final long MAX_ID = 0xFFFF_FFFEL;

    /** PAX keys that describe fields this record already has, or that commons-compress interprets. */
    private static final Set<String> RESERVED_PAX_KEYS = Set.of("path", "linkpath", "size", "uid", "gid", "uname",
            "gname", "mtime", "atime", "ctime", "charset", "hdrcharset", "LIBARCHIVE.creationtime",
            "SCHILY.devmajor", "SCHILY.devminor", "SCHILY.filetype");

    public LayerEntry {
        checkPath(path, "entry path");
        if (type == null) {
            throw new IllegalArgumentException("layer entry " + path + ": type is missing");
        }
        if (mode < 0 || mode > 07777) {
            throw new IllegalArgumentException("layer entry " + path + ": mode 0" + Integer.toOctalString(mode)
                    + " is not a set of permission bits (0 to 07777)");
        }
        if (uid < 0 || uid > MAX_ID || gid < 0 || gid > MAX_ID) {
            throw new IllegalArgumentException("layer entry " + path + ": uid " + uid + " / gid " + gid
                    + " out of range 0.." + MAX_ID);
        }
        switch (type) {
            case FILE -> {
                if (content == null) {
                    throw new IllegalArgumentException("layer entry " + path + ": a file needs a content source");
                }
                if (size < 0) {
                    throw new IllegalArgumentException("layer entry " + path + ": negative size " + size);
                }
                if (linkTarget != null) {
                    throw new IllegalArgumentException("layer entry " + path + ": a file has no link target");
                }
            }
            case DIRECTORY -> requireNoData(path, type, linkTarget, size, content, true);
            case SYMLINK -> {
                requireNoData(path, type, linkTarget, size, content, false);
                if (linkTarget == null || linkTarget.isEmpty() || linkTarget.indexOf('\0') >= 0) {
                    throw new IllegalArgumentException("layer entry " + path
                            + ": a symlink needs a non-empty target without NUL");
                }
            }
            case HARDLINK -> {
                requireNoData(path, type, linkTarget, size, content, false);
                checkPath(linkTarget, "hardlink target of " + path);
                if (linkTarget.equals(path)) {
                    throw new IllegalArgumentException("layer entry " + path + ": a hardlink cannot point at itself");
                }
            }
        }
        paxHeaders = copyPaxHeaders(path, paxHeaders);
    }

    /** A regular file of {@code size} bytes read from {@code content}, owned by 0:0. */
    public static LayerEntry file(String path, int mode, long size, ContentSource content) {
        return new LayerEntry(path, Type.FILE, mode, 0, 0, null, size, content, null);
    }

    /** A regular file holding a copy of {@code bytes}, owned by 0:0. */
    public static LayerEntry file(String path, int mode, byte[] bytes) {
        return file(path, mode, bytes.length, ContentSource.of(bytes));
    }

    /** A directory owned by 0:0. */
    public static LayerEntry directory(String path, int mode) {
        return new LayerEntry(path, Type.DIRECTORY, mode, 0, 0, null, 0, null, null);
    }

    /** A symbolic link stored as a link (mode 0777, as Linux reports symlinks), owned by 0:0. */
    public static LayerEntry symlink(String path, String target) {
        return new LayerEntry(path, Type.SYMLINK, 0777, 0, 0, target, 0, null, null);
    }

    /** A hardlink to the entry at layer path {@code target}, which must come earlier in the tar. */
    public static LayerEntry hardlink(String path, String target) {
        return new LayerEntry(path, Type.HARDLINK, 0644, 0, 0, target, 0, null, null);
    }

    public LayerEntry withPath(String newPath) {
        return new LayerEntry(newPath, type, mode, uid, gid, linkTarget, size, content, paxHeaders);
    }

    public LayerEntry withMode(int newMode) {
        return new LayerEntry(path, type, newMode, uid, gid, linkTarget, size, content, paxHeaders);
    }

    public LayerEntry withOwner(long newUid, long newGid) {
        return new LayerEntry(path, type, mode, newUid, newGid, linkTarget, size, content, paxHeaders);
    }

    public LayerEntry withPaxHeader(String key, String value) {
        SortedMap<String, String> headers = new TreeMap<>(paxHeaders);
        headers.put(key, value);
        return new LayerEntry(path, type, mode, uid, gid, linkTarget, size, content, headers);
    }

    public boolean isDirectory() {
        return type == Type.DIRECTORY;
    }

    /**
     * Checks a layer path: non-empty, relative, '/'-separated, without empty, "." or ".." components,
     * without NUL and encodable as UTF-8 (no lone surrogates).
     */
    public static String checkPath(String path, String what) {
        if (path == null || path.isEmpty()) {
            throw new IllegalArgumentException(what + " is empty");
        }
        if (path.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " '" + path.replace('\0', '?') + "' contains NUL");
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < path.length() && Character.isLowSurrogate(path.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(what + " '" + path + "' is not valid Unicode (lone surrogate)");
            }
        }
        if (path.startsWith("/")) {
            throw new IllegalArgumentException(what + " '" + path + "' must be relative (no leading '/')");
        }
        for (String part : path.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw new IllegalArgumentException(what + " '" + path
                        + "' has an empty, '.' or '..' component (or a trailing '/')");
            }
        }
        return path;
    }

    private static void requireNoData(String path, Type type, String linkTarget, long size, ContentSource content,
                                      boolean noLink) {
        if (size != 0 || content != null) {
            throw new IllegalArgumentException("layer entry " + path + ": a " + type.name().toLowerCase()
                    + " has no content (size " + size + ")");
        }
        if (noLink && linkTarget != null) {
            throw new IllegalArgumentException("layer entry " + path + ": a directory has no link target");
        }
    }

    private static SortedMap<String, String> copyPaxHeaders(String path, Map<String, String> headers) {
        if (headers == null || headers.isEmpty()) {
            return Collections.emptySortedMap();
        }
        TreeMap<String, String> copy = new TreeMap<>();
        headers.forEach((key, value) -> {
            Objects.requireNonNull(key, "PAX key");
            if (key.isEmpty() || key.indexOf('=') >= 0 || key.indexOf('\0') >= 0 || key.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("layer entry " + path + ": invalid PAX key '" + key + "'");
            }
            if (RESERVED_PAX_KEYS.contains(key) || key.startsWith("GNU.sparse.")) {
                throw new IllegalArgumentException("layer entry " + path + ": PAX key '" + key
                        + "' is set by the tar writer, not by an entry");
            }
            if (value == null || value.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("layer entry " + path + ": PAX value of '" + key
                        + "' is missing or contains NUL");
            }
            copy.put(key, value);
        });
        return Collections.unmodifiableSortedMap(copy);
    }
}
