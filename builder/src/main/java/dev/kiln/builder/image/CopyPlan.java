package dev.kiln.builder.image;

import dev.kiln.builder.layer.DirectoryCollector;
import dev.kiln.builder.layer.LayerEntry;
import dev.kiln.builder.layer.PathFilter;
import dev.kiln.builder.recipe.IgnoreRules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a COPY or ADD into layer entries with Docker's rules: several sources or a glob need a
 * destination folder ending in {@code /}; a source folder's contents (not the folder) are copied;
 * a file goes to {@code dest/name} when dest ends in {@code /}, else to dest; relative
 * destinations start at WORKDIR; owners are 0:0 unless {@code --chown}; {@code --chmod} sets the
 * mode of every file and folder copied. ADD unpacks local tar archives into the destination.
 */
final class CopyPlan {
    private final Path root;
    private final IgnoreRules ignore;
    private final String where;
    private final StageState stage;
    private final List<Path> tempDirs;

    /** @param tempDirs receives folders (unpacked ADD archives) to delete once the layer is written */
    CopyPlan(Path root, IgnoreRules ignore, String where, StageState stage, List<Path> tempDirs) {
        this.root = root;
        this.ignore = ignore;
        this.where = where;
        this.stage = stage;
        this.tempDirs = tempDirs;
    }

    List<LayerEntry> copy(List<String> sources, String destination, String chown, Integer chmod, boolean unpack)
            throws IOException {
        List<CopySources.Match> matches = new ArrayList<>();
        boolean glob = false;
        for (String s : sources) {
            glob |= CopySources.hasGlob(s);
            for (CopySources.Match m : CopySources.find(root, s, where)) {
                if (ignore != null && !m.relative().isEmpty() && ignore.isExcluded(m.relative(), Files.isDirectory(m.file()))) {
                    if (!glob) {
                        throw new BuildException(where + ": '" + s + "' is excluded by .dockerignore");
                    }
                    continue;
                }
                matches.add(m);
            }
        }
        if (matches.isEmpty()) {
            throw new BuildException(where + ": no source files were specified (all excluded by .dockerignore)");
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
        Map<String, LayerEntry> out = new LinkedHashMap<>();
        for (CopySources.Match m : matches) {
            Path file = CopySources.resolveInside(root, m.relative(), where);
            if (Files.isDirectory(file)) {
                DirectoryCollector c = DirectoryCollector.of(file).withFilter(filterUnder(m.relative()));
                if (!layerDest.isEmpty()) {
                    c = c.under(layerDest);
                }
                // --chmod applies to what is copied, not to the destination folder itself (as buildah does):
                // COPY --chmod=0644 app/ ./ must not make WORKDIR untraversable
                add(out, c.collect(), owner, chmod, layerDest);
            } else if (unpack && ArchiveUnpacker.isArchive(file)) {
                Path dir = ArchiveUnpacker.unpack(file, stage.settings.tempDir(), stage.settings.maxExpandedBytes(),
                        where + ": ADD " + m.relative());
                tempDirs.add(dir); // the layer reads the files later
                DirectoryCollector c = DirectoryCollector.of(dir);
                if (!layerDest.isEmpty()) {
                    c = c.under(layerDest);
                }
                add(out, c.collect(), owner, chmod);
            } else {
                String name = file.getFileName().toString();
                String target = destIsDir ? (layerDest.isEmpty() ? name : layerDest + "/" + name) : layerDest;
                if (target.isEmpty()) {
                    throw new BuildException(where + ": cannot copy a file onto '/'");
                }
                add(out, DirectoryCollector.of(file).under(target).collect(), owner, chmod);
            }
        }
        List<LayerEntry> entries = new ArrayList<>(out.values());
        return stage.windows ? WindowsLayout.wrap(entries) : entries;
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

    private static void add(Map<String, LayerEntry> out, List<LayerEntry> entries, long[] owner, Integer chmod) {
        add(out, entries, owner, chmod, null);
    }

    private static void add(Map<String, LayerEntry> out, List<LayerEntry> entries, long[] owner, Integer chmod,
            String keepModeOf) {
        for (LayerEntry e : entries) {
            LayerEntry x = e;
            if (owner != null) {
                x = x.withOwner(owner[0], owner[1]);
            }
            boolean destinationFolder = keepModeOf != null && x.type() == LayerEntry.Type.DIRECTORY
                    && x.path().replaceAll("/+$", "").equals(keepModeOf.replaceAll("/+$", ""));
            if (chmod != null && x.type() != LayerEntry.Type.SYMLINK && !destinationFolder) {
                x = x.withMode(chmod);
            }
            out.put(x.path(), x); // a later source wins, as later files overwrite earlier ones
        }
    }
}
