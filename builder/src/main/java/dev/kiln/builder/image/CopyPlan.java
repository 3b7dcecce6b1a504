package dev.kiln.builder.image;

import dev.kiln.builder.layer.DirectoryCollector;
import dev.kiln.builder.layer.LayerEntry;
import dev.kiln.builder.layer.PathFilter;
import dev.kiln.builder.recipe.Chmod;
import dev.kiln.builder.recipe.IgnoreRules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a COPY or ADD into layer entries with BuildKit's rules (dockerfile2llb and fsutil's copy):
 * several sources or a glob need a destination folder ending in {@code /}; a source folder's
 * contents (not the folder) are copied; a file goes to {@code dest/name} when dest ends in
 * {@code /} or is a folder of the image, else to dest; relative destinations start at WORKDIR;
 * symbolic links of the image on the destination path are followed; a glob that matches nothing
 * is allowed beside sources that match.
 *
 * <p>Owners: files from the build context are 0:0; files from a stage, an image or an archive keep
 * theirs; {@code --chown} sets every copied entry's. Modes: as found (all 12 bits for stages,
 * images and archives); {@code --chmod} sets those of copied files and folders, never of an
 * archive's entries (BuildKit ignores it for them). Folders the copy creates (the destination and
 * its parents) are 0755 and owned by the {@code --chown} owner, else 0:0; folders the image
 * already has keep their mode and owner, and are written again with them (see {@link ImageTree}).
 */
final class CopyPlan {
    /** Where sources are read: a folder, and for an extracted image, the modes and owners its tars gave. */
    record SourceRoot(Path dir, RootfsExtractor metadata) {
    }

    private final SourceRoot root;
    private final IgnoreRules ignore;
    private final String where;
    private final StageState stage;
    private final List<Path> tempDirs;

    /** @param tempDirs receives folders (unpacked ADD archives) to delete once the layer is written */
    CopyPlan(SourceRoot root, IgnoreRules ignore, String where, StageState stage, List<Path> tempDirs) {
        this.root = root;
        this.ignore = ignore;
        this.where = where;
        this.stage = stage;
        this.tempDirs = tempDirs;
    }

    List<LayerEntry> copy(List<String> sources, String destination, String chown, Chmod chmod, boolean unpack)
            throws IOException {
        List<CopySources.Match> matches = new ArrayList<>();
        boolean glob = false;
        for (String s : sources) {
            glob |= CopySources.hasGlob(s);
            for (CopySources.Match m : CopySources.find(root.dir(), s, where)) {
                if (ignore != null && !m.relative().isEmpty() && ignore.isExcluded(m.relative(), Files.isDirectory(m.file()))) {
                    if (!CopySources.hasGlob(s)) {
                        throw new BuildException(where + ": '" + s + "' is excluded by .dockerignore");
                    }
                    continue;
                }
                matches.add(m);
            }
        }
        if (matches.isEmpty()) {
            throw new BuildException(where + ": no source files were specified"
                    + (glob ? " (no file matches " + String.join(" ", sources) + ")" : ""));
        }
        String dest = destination.replace('\\', '/');
        boolean destIsDir = dest.endsWith("/") || dest.endsWith("/.") || dest.equals(".");
        if ((matches.size() > 1 || sources.size() > 1) && !destIsDir) {
            throw new BuildException(where + ": with several sources the destination must be a folder ending in '/' (got '" + destination + "')");
        }
        String absolute = stage.windows
                ? WindowsLayout.toLayerPath(ConfigEditor.resolve(stage.editor.workingDir(), destination, true))
                : ConfigEditor.resolve(stage.editor.workingDir(), dest, false);
        if (absolute.length() > 1 && absolute.endsWith("/")) {
            absolute = absolute.substring(0, absolute.length() - 1);
        }
        String layerDest = absolute.equals("/") ? "" : absolute.substring(1);
        long[] owner = chown == null ? null : owner(chown);
        if (stage.windows) {
            return WindowsLayout.wrap(windows(matches, layerDest, destIsDir, owner, chmod, unpack));
        }
        ImageTree tree = stage.tree(where);
        layerDest = tree.resolve(layerDest, where);
        Map<String, LayerEntry> out = new LinkedHashMap<>();
        List<String> folders = new ArrayList<>(); // destinations that must exist even when nothing lands in them
        for (CopySources.Match m : matches) {
            Path file = CopySources.resolveInside(root.dir(), m.relative(), where);
            String key = relativeKey(file);
            if (Files.isDirectory(file)) {
                DirectoryCollector c = DirectoryCollector.of(file).withFilter(filterUnder(m.relative()));
                folders.add(layerDest);
                for (LayerEntry e : collect(c, layerDest)) {
                    String rel = e.path().substring(layerDest.isEmpty() ? 0 : layerDest.length() + 1);
                    put(out, copied(e, root.metadata(), join(key, rel), owner, chmod, false));
                }
            } else if (unpack && ArchiveUnpacker.isArchive(file)) {
                ArchiveUnpacker.Unpacked archive = ArchiveUnpacker.unpack(file, stage.settings.tempDir(),
                        stage.settings.maxExpandedBytes(), where + ": ADD " + m.relative());
                tempDirs.add(archive.dir()); // the layer reads the files later
                folders.add(layerDest);
                for (LayerEntry e : collect(DirectoryCollector.of(archive.dir()), layerDest)) {
                    String rel = e.path().substring(layerDest.isEmpty() ? 0 : layerDest.length() + 1);
                    put(out, copied(e, archive.metadata(), rel, owner, null, true)); // BuildKit's unpack ignores --chmod
                }
            } else {
                String name = file.getFileName().toString();
                boolean intoFolder = destIsDir || layerDest.isEmpty() || tree.directory(layerDest) != null;
                String target = intoFolder ? join(layerDest, name) : layerDest;
                if (target.isEmpty()) {
                    throw new BuildException(where + ": cannot copy a file onto '/'");
                }
                for (LayerEntry e : DirectoryCollector.of(file).under(target).collect()) {
                    put(out, copied(e, root.metadata(), key, owner, chmod, false));
                }
            }
        }
        List<LayerEntry> entries = new ArrayList<>(out.values());
        for (String folder : folders) {
            if (!folder.isEmpty() && !out.containsKey(folder)) {
                entries.add(folder(tree, folder, owner));
                out.put(folder, null);
            }
        }
        for (LayerEntry e : new ArrayList<>(entries)) {
            String p = e.path();
            for (int slash = p.indexOf('/'); slash >= 0; slash = p.indexOf('/', slash + 1)) {
                String parent = p.substring(0, slash);
                if (!out.containsKey(parent)) {
                    out.put(parent, null);
                    entries.add(folder(tree, parent, owner));
                }
            }
        }
        return entries;
    }

    /** A folder above what is copied: as the image has it, or made now (0755, the --chown owner or root). */
    static LayerEntry folder(ImageTree tree, String path, long[] owner) {
        ImageTree.Dir existing = tree.directory(path);
        if (existing != null) {
            return LayerEntry.directory(path, existing.mode()).withOwner(existing.uid(), existing.gid());
        }
        LayerEntry made = LayerEntry.directory(path, 0755);
        return owner == null ? made : made.withOwner(owner[0], owner[1]);
    }

    /**
     * A copied entry with its source's owner and mode (from the tar headers when there are some),
     * --chown and --chmod. A folder no tar entry named (made on the way) is 0755 and 0:0, and an
     * archive's such folders stay 0:0 under --chown, as BuildKit's unpack makes them.
     */
    private static LayerEntry copied(LayerEntry e, RootfsExtractor metadata, String key, long[] owner, Chmod chmod,
                                     boolean archive) {
        LayerEntry x = e;
        boolean implied = false;
        if (metadata != null) {
            RootfsExtractor.Meta m = metadata.metadata(key);
            if (m != null) {
                x = x.withOwner(m.uid(), m.gid());
                if (x.type() != LayerEntry.Type.SYMLINK) {
                    x = x.withMode(m.mode());
                }
            } else if (x.isDirectory()) {
                x = x.withMode(0755);
                implied = true;
            }
        }
        if (owner != null && !(archive && implied)) {
            x = x.withOwner(owner[0], owner[1]);
        }
        if (chmod != null && x.type() != LayerEntry.Type.SYMLINK) {
            x = x.withMode(chmod.apply(x.mode(), x.isDirectory()));
        }
        return x;
    }

    private static void put(Map<String, LayerEntry> out, LayerEntry e) {
        out.put(e.path(), e); // a later source wins, as later files overwrite earlier ones
    }

    /** The entries of a folder, placed under {@code layerDest}, without the folder itself. */
    private static List<LayerEntry> collect(DirectoryCollector c, String layerDest) throws IOException {
        List<LayerEntry> all = (layerDest.isEmpty() ? c : c.under(layerDest)).collect();
        List<LayerEntry> out = new ArrayList<>(all.size());
        for (LayerEntry e : all) {
            if (!e.path().equals(layerDest)) {
                out.add(e);
            }
        }
        return out;
    }

    /** The path of a source inside the source root, symbolic links resolved ("" for the root). */
    private String relativeKey(Path file) throws IOException {
        Path rel = root.dir().toRealPath().relativize(file.toRealPath());
        String s = rel.toString().replace('\\', '/');
        return s.equals(".") ? "" : s;
    }

    private static String join(String a, String b) {
        return a.isEmpty() ? b : b.isEmpty() ? a : a + "/" + b;
    }

    /** Windows stages: the layer is made of what is copied (WindowsLayout adds its own folders). */
    private List<LayerEntry> windows(List<CopySources.Match> matches, String layerDest, boolean destIsDir, long[] owner,
                                     Chmod chmod, boolean unpack) throws IOException {
        Map<String, LayerEntry> out = new LinkedHashMap<>();
        for (CopySources.Match m : matches) {
            Path file = CopySources.resolveInside(root.dir(), m.relative(), where);
            List<LayerEntry> found;
            boolean archive = false;
            if (Files.isDirectory(file)) {
                DirectoryCollector c = DirectoryCollector.of(file).withFilter(filterUnder(m.relative()));
                found = collect(c, layerDest);
            } else if (unpack && ArchiveUnpacker.isArchive(file)) {
                ArchiveUnpacker.Unpacked a = ArchiveUnpacker.unpack(file, stage.settings.tempDir(),
                        stage.settings.maxExpandedBytes(), where + ": ADD " + m.relative());
                tempDirs.add(a.dir());
                found = collect(DirectoryCollector.of(a.dir()), layerDest);
                archive = true;
            } else {
                String name = file.getFileName().toString();
                String target = destIsDir ? join(layerDest, name) : layerDest;
                if (target.isEmpty()) {
                    throw new BuildException(where + ": cannot copy a file onto '/'");
                }
                found = DirectoryCollector.of(file).under(target).collect();
            }
            for (LayerEntry e : found) {
                put(out, copied(e, null, "", owner, archive ? null : chmod, archive));
            }
        }
        return new ArrayList<>(out.values());
    }

    private PathFilter filterUnder(String relative) {
        if (ignore == null) {
            return PathFilter.ALL;
        }
        String prefix = relative.isEmpty() ? "" : relative + "/";
        return new PathFilter() {
            @Override
            public boolean include(String path, boolean directory) {
                return !ignore.isExcluded(prefix + path, directory);
            }

            @Override
            public boolean mayIncludeUnder(String directory) {
                return !ignore.canSkipDirectory(prefix + directory);
            }
        };
    }

    private long[] owner(String chown) throws IOException {
        try {
            return stage.users().resolve(chown);
        } catch (IllegalArgumentException e) {
            throw new BuildException(where + ": --chown=" + chown + ": " + e.getMessage());
        } catch (dev.kiln.layout.KilnException e) {
            // reading the base image's /etc/passwd failed (a broken layer): name the line that needed it
            throw new BuildException(where + ": --chown=" + chown + ": " + e.getMessage(), e);
        }
    }
}
