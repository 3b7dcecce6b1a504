package dev.kiln.builder.recipe;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * {@code .dockerignore} rules with Docker's semantics (moby/patternmatcher): one pattern a line,
 * {@code #} in the first column starts a comment, surrounding whitespace is trimmed, patterns are
 * cleaned like Go's {@code filepath.Clean} and a leading {@code /} is dropped (so {@code /a},
 * {@code ./a} and {@code a/} all mean {@code a}); {@code !} makes an exception. A pattern matches
 * a path or any of its parent directories (so {@code build} excludes {@code build/x/y}); the last
 * rule that matches wins. Patterns are anchored at the context root: {@code foo} is not
 * {@code a/foo}, but {@code **}{@code /foo} is.
 */
public final class IgnoreRules {
    private static final IgnoreRules NONE = new IgnoreRules(List.of());

    private final List<IgnorePattern> patterns;

    private IgnoreRules(List<IgnorePattern> patterns) {
        this.patterns = List.copyOf(patterns);
    }

    /** No rules: nothing is excluded. */
    public static IgnoreRules none() {
        return NONE;
    }

    /** Parses the text of a {@code .dockerignore}. */
    public static IgnoreRules parse(String text) {
        return parse(".dockerignore", text);
    }

    /** Parses ignore rules, naming {@code fileName} in errors ({@code FILE:LINE: ...}). */
    public static IgnoreRules parse(String fileName, String text) {
        Objects.requireNonNull(text, "text");
        List<IgnorePattern> out = new ArrayList<>();
        String[] lines = (text.startsWith("\uFEFF") ? text.substring(1) : text).split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            if (line.startsWith("#")) {
                continue;
            }
            String pattern = line.strip();
            if (pattern.isEmpty()) {
                continue;
            }
            boolean exception = pattern.startsWith("!");
            if (exception) {
                pattern = pattern.substring(1).strip();
            }
            if (!pattern.isEmpty()) {
                pattern = IgnorePattern.clean(pattern);
                if (pattern.length() > 1 && pattern.startsWith("/")) {
                    pattern = pattern.substring(1);
                }
            }
            // patternmatcher cleans the whole line again, "!" included
            String whole = IgnorePattern.clean((exception ? "!" : "") + pattern);
            try {
                if (whole.startsWith("!")) {
                    if (whole.length() == 1) {
                        throw new IllegalArgumentException("illegal exclusion pattern: \"!\"");
                    }
                    out.add(IgnorePattern.compile(whole.substring(1), true, i + 1));
                } else {
                    out.add(IgnorePattern.compile(whole, false, i + 1));
                }
            } catch (IllegalArgumentException e) {
                throw new RecipeException(fileName, i + 1, e.getMessage());
            }
        }
        return out.isEmpty() ? NONE : new IgnoreRules(out);
    }

    /** The patterns as cleaned, exceptions with their {@code !}. */
    public List<String> patterns() {
        return patterns.stream().map(IgnorePattern::text).toList();
    }

    /** Whether any rule is an exception ({@code !}). */
    public boolean hasExceptions() {
        return patterns.stream().anyMatch(IgnorePattern::exclusion);
    }

    /**
     * Whether a path (relative to the context root, {@code /} separators; a leading {@code /} or
     * {@code ./} is ignored) is left out of the context. Docker's rules treat files and
     * directories alike, so {@code isDirectory} does not change the answer. An excluded directory
     * may still have re-included entries below it: see {@link #canSkipDirectory}.
     */
    public boolean isExcluded(String relativePath, boolean isDirectory) {
        if (patterns.isEmpty()) {
            Objects.requireNonNull(relativePath, "relativePath");
            return false; // no .dockerignore: asked for every entry of the context, so answered at once
        }
        String file = normalize(relativePath);
        if (file.equals(".")) {
            return false;
        }
        int slash = file.lastIndexOf('/');
        String[] parents = slash < 0 ? new String[0] : file.substring(0, slash).split("/");
        boolean matched = false;
        for (IgnorePattern p : patterns) {
            if (p.exclusion() != matched) {
                continue;
            }
            boolean match = p.matches(file);
            for (int i = 0; !match && i < parents.length; i++) {
                match = p.matches(String.join("/", Arrays.copyOfRange(parents, 0, i + 1)));
            }
            if (match) {
                matched = !p.exclusion();
            }
        }
        return matched;
    }

    /**
     * Whether a directory can be skipped whole: it is excluded and no exception could re-include
     * anything below it. When false for an excluded directory, walk it and test each entry.
     */
    public boolean canSkipDirectory(String relativePath) {
        if (!isExcluded(relativePath, true)) {
            return false;
        }
        String[] dir = normalize(relativePath).split("/");
        for (IgnorePattern p : patterns) {
            if (p.exclusion() && p.couldMatchBelow(dir)) {
                return false;
            }
        }
        return true;
    }

    private static String normalize(String path) {
        String cleaned = IgnorePattern.clean(Objects.requireNonNull(path, "relativePath"));
        while (cleaned.startsWith("/")) {
            cleaned = cleaned.substring(1);
        }
        return cleaned.isEmpty() ? "." : cleaned;
    }
}
