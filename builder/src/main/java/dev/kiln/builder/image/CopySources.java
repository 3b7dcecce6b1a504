package dev.kiln.builder.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds the files a COPY or ADD source names inside a root (the build context or a stage's root
 * file system): exact paths, or Docker's globs ({@code *}, {@code ?}, {@code [...]} per path
 * component). A source that leaves the root, directly or through a symbolic link, is refused. A
 * wildcard that matches nothing gives no match; the COPY decides whether that is an error.
 */
final class CopySources {
    private CopySources() {
    }

    /** One matched source: its path in the root ({@code a/b}) and the file that holds it. */
    record Match(String relative, Path file) {
    }

    static List<Match> find(Path root, String source, String where) throws IOException {
        String clean = cleanRelative(source, where);
        if (!hasGlob(clean)) {
            Path p = resolveInside(root, clean, where);
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                throw new BuildException(where + ": '" + source + "' not found in the build context");
            }
            return List.of(new Match(clean, p));
        }
        String[] parts = clean.split("/");
        List<Match> current = List.of(new Match("", root));
        boolean literal = true;
        for (String part : parts) {
            literal &= !hasGlob(part);
            List<Match> next = new ArrayList<>();
            for (Match m : current) {
                if (!Files.isDirectory(m.file(), LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                if (!hasGlob(part)) {
                    Path child = m.file().resolve(part);
                    if (Files.exists(child, LinkOption.NOFOLLOW_LINKS)) {
                        next.add(new Match(join(m.relative(), part), child));
                    } else if (literal) {
                        // the folder before the first wildcard must exist (BuildKit: lstat fails)
                        throw new BuildException(where + ": '" + source + "' not found in the build context");
                    }
                    continue;
                }
                PathMatcher matcher = root.getFileSystem().getPathMatcher("glob:" + toJavaGlob(part));
                try (Stream<Path> children = Files.list(m.file())) {
                    children.filter(c -> matcher.matches(c.getFileName()))
                            .sorted()
                            .forEach(c -> next.add(new Match(join(m.relative(), c.getFileName().toString()), c)));
                }
            }
            current = next;
        }
        return current; // a wildcard that matches nothing is allowed (BuildKit's AllowEmptyWildcard)
    }

    private static String join(String a, String b) {
        return a.isEmpty() ? b : a + "/" + b;
    }

    static boolean hasGlob(String s) {
        return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0;
    }

    /** Go's filepath.Match syntax as a java.nio glob: {@code [^x]} becomes {@code [!x]}, braces are literal. */
    private static String toJavaGlob(String pattern) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '[' && i + 1 < pattern.length() && pattern.charAt(i + 1) == '^') {
                b.append("[!");
                i++;
            } else if (c == '{' || c == '}') {
                b.append('\\').append(c);
            } else if (c == '\\' && i + 1 < pattern.length()) {
                b.append('\\').append(pattern.charAt(++i));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** A source as a clean relative path; {@code ..} that leaves the root is refused. */
    static String cleanRelative(String source, String where) {
        List<String> parts = new ArrayList<>();
        for (String p : source.replace('\\', '/').split("/")) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                if (parts.isEmpty()) {
                    throw new BuildException(where + ": '" + source + "' is outside the build context");
                }
                parts.remove(parts.size() - 1);
            } else {
                parts.add(p);
            }
        }
        return String.join("/", parts);
    }

    /**
     * The file for a relative path, following symbolic links only while they stay inside the root.
     */
    static Path resolveInside(Path root, String relative, String where) throws IOException {
        Path realRoot = root.toRealPath();
        Path p = root;
        if (relative.isEmpty()) {
            return root;
        }
        String[] parts = relative.split("/");
        for (int i = 0; i < parts.length; i++) {
            p = p.resolve(parts[i]);
            if (Files.isSymbolicLink(p)) {
                Path real;
                try {
                    real = p.toRealPath();
                } catch (IOException e) {
                    throw new BuildException(where + ": '" + relative + "' is a broken symbolic link");
                }
                if (!real.startsWith(realRoot)) {
                    throw new BuildException(where + ": '" + relative + "' is a symbolic link that points outside the build context");
                }
                p = real;
            }
        }
        return p;
    }
}
