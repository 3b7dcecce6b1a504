package dev.kiln.builder.image;

import dev.kiln.builder.layer.LayerEntry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The layer of a Linux WORKDIR, as BuildKit makes it (a mkdir with parents, owned by the USER of
 * the moment): the folders that do not exist yet are made 0755 and owned by that user (0:0 when
 * there is none; a user name the image's {@code /etc/passwd} does not know is 0, as in BuildKit's
 * file operations), and the folders above them that exist are written again as the image has them.
 * A folder that exists already needs no layer.
 */
final class WorkdirPlan {
    private WorkdirPlan() {
    }

    /** The entries of the layer, or none when the folder exists. {@code dir} is absolute. */
    static List<LayerEntry> entries(StageState s, String dir, String where) throws IOException {
        if (dir.equals("/")) {
            return List.of();
        }
        ImageTree tree = s.tree(where);
        String path = tree.resolve(dir.substring(1), where);
        if (path.isEmpty() || tree.directory(path) != null) {
            return List.of();
        }
        long[] owner = owner(s);
        List<LayerEntry> entries = new ArrayList<>();
        String[] parts = path.split("/");
        StringBuilder p = new StringBuilder();
        for (String part : parts) {
            if (p.length() > 0) {
                p.append('/');
            }
            p.append(part);
            entries.add(CopyPlan.folder(tree, p.toString(), owner));
        }
        return entries;
    }

    private static long[] owner(StageState s) throws IOException {
        String user = s.editor.user();
        if (user == null || user.isEmpty()) {
            return null;
        }
        return s.users().resolveLenient(user);
    }
}
