package dev.kiln.builder.layer;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns a directory tree on any {@link java.nio.file.FileSystem} into layer entries.
 *
 * <ul>
 *   <li>paths relative to the root (optionally placed {@linkplain #under under} a layer
 *       directory), owner 0:0;</li>
 *   <li>modes from the "unix" attribute view (all 12 permission bits) when the file system has
 *       it, else from POSIX permissions (no setuid/setgid/sticky there), else 0644 for files,
 *       0755 for directories;</li>
 *   <li>symlinks stored as links (mode 0777 whatever the file system says, as Linux has it),
 *       never followed, wherever they point;</li>
 *   <li>hardlinks: regular files sharing a file key (unix dev+ino when there is a "unix" view,
 *       else {@link BasicFileAttributes#fileKey()}) become one file, at the path that sorts first,
 *       and hardlinks to it;</li>
 *   <li>empty directories kept; sockets, FIFOs and devices skipped;</li>
 *   <li>a {@link PathFilter} decides what is kept.</li>
 * </ul>
 * The root itself is followed if it is a symlink (the caller named it). To reach a path through
 * symlinks inside a root without leaving it, use {@link #resolveInside(Path, String)}.
 */
public final class DirectoryCollector {
    private static final int MAX_SYMLINK_HOPS = 40;
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};
    private static final int S_IFMT = 0170000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFLNK = 0120000;
    private static final int S_IFREG = 0100000;

    private final Path root;
    private final String prefix;
    private final PathFilter filter;

    private DirectoryCollector(Path root, String prefix, PathFilter filter) {
        this.root = Objects.requireNonNull(root, "root");
        this.prefix = prefix;
        this.filter = Objects.requireNonNull(filter, "filter");
    }

    public static DirectoryCollector of(Path root) {
        return new DirectoryCollector(root, "", PathFilter.ALL);
    }

    /**
     * Places the entries under this layer directory, which becomes an entry itself with the
     * root's mode. For a root that is a file, this is the file's path in the layer.
     */
    public DirectoryCollector under(String layerPath) {
        return new DirectoryCollector(root, LayerEntry.checkPath(layerPath, "layer path"), filter);
    }

    public DirectoryCollector withFilter(PathFilter newFilter) {
        return new DirectoryCollector(root, prefix, newFilter);
    }

    /** The entries, in {@link LayerEntries#ORDER}. */
    public List<LayerEntry> collect() throws IOException {
        Path start = Files.isSymbolicLink(root) ? root.toRealPath() : root; // the caller named it: follow
        BasicFileAttributes rootAttributes = Files.readAttributes(start, BasicFileAttributes.class, NOFOLLOW);
        List<Found> found = new ArrayList<>();
        if (rootAttributes.isRegularFile()) {
            String path = prefix.isEmpty() ? root.getFileName().toString() : prefix;
            found.add(file(start, path, rootAttributes));
        } else if (rootAttributes.isDirectory()) {
            if (!prefix.isEmpty()) {
                found.add(new Found(LayerEntry.directory(prefix, mode(start, 0755)), null));
            }
            // on the platform's own file system with a "unix" view (Linux, macOS), one lstat per entry
            // gives type (st_mode's S_IFMT bits, which other providers such as jimfs leave out), mode,
            // hardlink key and cache identity
            boolean oneStat = start.getFileSystem() == FileSystems.getDefault() && supportsUnix(start);
            walk(start, oneStat ? start.toRealPath() : null, "", found);
        } else {
            throw new LayerException("cannot collect layer entries from " + root + ": not a file or directory");
        }
        return linkHardlinks(found);
    }

    /** @param realDir the real path of {@code dir} for one-lstat reading (see collect), else null */
    private void walk(Path dir, Path realDir, String relative, List<Found> found) throws IOException {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(children::add);
        }
        for (Path child : children) {
            String name = child.getFileName().toString();
            String rel = relative.isEmpty() ? name : relative + "/" + name;
            String path = prefix.isEmpty() ? rel : prefix + "/" + rel;
            Path real = realDir == null ? null : realDir.resolve(name); // the walk follows no symlink
            Stat stat = stat(child, real);
            if (stat.type == Stat.DIRECTORY) {
                Found entry = new Found(LayerEntry.directory(path, stat.mode), null);
                if (filter.include(rel, true)) {
                    found.add(entry);
                    walk(child, real, rel, found);
                } else if (filter.mayIncludeUnder(rel)) {
                    List<Found> under = new ArrayList<>();
                    walk(child, real, rel, under);
                    if (!under.isEmpty()) {
                        found.add(entry);
                        found.addAll(under);
                    }
                }
            } else if (stat.type == Stat.SYMLINK) {
                if (filter.include(rel, false)) {
                    String target = Files.readSymbolicLink(child).toString();
                    found.add(new Found(LayerEntry.symlink(path, target), null)); // 0777, as on Linux
                }
            } else if (stat.type == Stat.FILE) {
                if (filter.include(rel, false)) {
                    // NOFOLLOW (in ContentSource): a file swapped for a symlink after the scan must not
                    // pull in what it points at
                    ContentSource content = stat.unix == null ? ContentSource.of(child)
                            : ContentSource.of(child, FileIdentity.of(real, stat.unix));
                    found.add(new Found(LayerEntry.file(path, stat.mode, stat.size, content), stat.key));
                }
            }
            // sockets, FIFOs and device files have no place in a layer built from a context
        }
    }

    /** One entry's type, mode, size and hardlink key: one lstat where there is a "unix" view. */
    private static Stat stat(Path child, Path real) throws IOException {
        if (real != null) {
            Map<String, Object> unix = Files.readAttributes(child, FileIdentity.UNIX_ATTRIBUTES, NOFOLLOW);
            int mode = (Integer) unix.get("mode");
            int type = switch (mode & S_IFMT) {
                case S_IFDIR -> Stat.DIRECTORY;
                case S_IFLNK -> Stat.SYMLINK;
                case S_IFREG -> Stat.FILE;
                default -> Stat.OTHER;
            };
            Object links = unix.get("nlink");
            Object key = type != Stat.FILE || links instanceof Number n && n.longValue() < 2 ? null
                    : List.of(unix.get("dev"), unix.get("ino"));
            return new Stat(type, mode & 07777, (Long) unix.get("size"), key, unix);
        }
        BasicFileAttributes a = Files.readAttributes(child, BasicFileAttributes.class, NOFOLLOW);
        if (a.isDirectory()) {
            return new Stat(Stat.DIRECTORY, mode(child, 0755), 0, null, null);
        } else if (a.isSymbolicLink()) {
            return new Stat(Stat.SYMLINK, 0777, 0, null, null);
        } else if (a.isRegularFile()) {
            return new Stat(Stat.FILE, mode(child, 0644), a.size(), fileKey(child, a), null);
        }
        return new Stat(Stat.OTHER, 0, 0, null, null);
    }

    private Found file(Path file, String path, BasicFileAttributes attributes) throws IOException {
        // NOFOLLOW: a file swapped for a symlink after the scan must not pull in what it points at
        LayerEntry entry = LayerEntry.file(path, mode(file, 0644), attributes.size(),
                ContentSource.of(file));
        return new Found(entry, fileKey(file, attributes));
    }

    /** Regular files that share a key become one file and hardlinks to the one that sorts first. */
    private static List<LayerEntry> linkHardlinks(List<Found> found) {
        // LayerEntries.ORDER, with each path's sort key made once rather than at every comparison
        List<Map.Entry<byte[], Found>> keyed = new ArrayList<>(found.size());
        for (Found f : found) {
            keyed.add(Map.entry(LayerEntries.sortKey(f.entry.path()), f));
        }
        keyed.sort((a, b) -> Arrays.compareUnsigned(a.getKey(), b.getKey()));
        found.clear();
        for (Map.Entry<byte[], Found> k : keyed) {
            found.add(k.getValue());
        }
        Map<Object, String> firstPath = new HashMap<>();
        List<LayerEntry> entries = new ArrayList<>(found.size());
        for (Found f : found) {
            LayerEntry entry = f.entry;
            if (f.key != null) {
                String first = firstPath.putIfAbsent(f.key, entry.path());
                if (first != null) {
                    entry = LayerEntry.hardlink(entry.path(), first).withMode(entry.mode());
                }
            }
            entries.add(entry);
        }
        return entries;
    }

    private static Object fileKey(Path file, BasicFileAttributes attributes) throws IOException {
        if (supportsUnix(file)) {
            Map<String, Object> unix = Files.readAttributes(file, "unix:dev,ino,nlink", NOFOLLOW);
            Object links = unix.get("nlink");
            if (links instanceof Number n && n.longValue() < 2) {
                return null;
            }
            return List.of(unix.get("dev"), unix.get("ino"));
        }
        return attributes.fileKey();
    }

    private static int mode(Path path, int fallback) throws IOException {
        if (supportsUnix(path)) {
            Object mode = Files.getAttribute(path, "unix:mode", NOFOLLOW);
            if (mode instanceof Integer m) {
                return m & 07777;
            }
        }
        if (!path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return fallback;
        }
        int mode = 0;
        for (PosixFilePermission permission : Files.readAttributes(path, PosixFileAttributes.class, NOFOLLOW)
                .permissions()) {
            mode |= 0400 >> permission.ordinal(); // OWNER_READ(0) = 0400 ... OTHERS_EXECUTE(8) = 01
        }
        return mode;
    }

    private static boolean supportsUnix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("unix");
    }

    /**
     * The path that {@code relative} names inside {@code root}, following symlinks on the way (the
     * last component too) but refusing any that leads outside the root: a ".." above it, or an
     * absolute target not under the root's real path. The root itself is taken as it really is.
     */
    public static Path resolveInside(Path root, String relative) throws IOException {
        Path base = root.toRealPath();
        ArrayList<String> todo = new ArrayList<>(List.of(relative.split("/")));
        List<String> done = new ArrayList<>();
        int hops = 0;
        while (!todo.isEmpty()) {
            String part = todo.remove(0);
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (done.isEmpty()) {
                    throw new LayerException("'" + relative + "' leads outside " + root);
                }
                done.remove(done.size() - 1);
                continue;
            }
            Path candidate = join(base, done).resolve(part);
            if (!Files.isSymbolicLink(candidate)) {
                done.add(part);
                continue;
            }
            if (++hops > MAX_SYMLINK_HOPS) {
                throw new LayerException("'" + relative + "' in " + root + ": too many levels of symlinks");
            }
            Path target = Files.readSymbolicLink(candidate);
            List<String> next = new ArrayList<>();
            if (target.isAbsolute()) {
                Path normal = target.normalize();
                if (!normal.startsWith(base)) {
                    throw new LayerException("'" + relative + "' in " + root + ": symlink " + base.relativize(candidate)
                            + " points at " + target + ", outside the root");
                }
                done.clear();
                for (Path p : base.relativize(normal)) {
                    next.add(p.toString());
                }
            } else {
                for (Path p : target) {
                    next.add(p.toString());
                }
            }
            todo.addAll(0, next);
        }
        return join(base, done);
    }

    private static Path join(Path base, List<String> parts) {
        Path p = base;
        for (String part : parts) {
            p = p.resolve(part);
        }
        return p;
    }

    private record Found(LayerEntry entry, Object key) {
    }

    /** @param unix the "unix" attributes read, or null */
    private record Stat(int type, int mode, long size, Object key, Map<String, Object> unix) {
        static final int DIRECTORY = 0;
        static final int SYMLINK = 1;
        static final int FILE = 2;
        static final int OTHER = 3;
    }
}
