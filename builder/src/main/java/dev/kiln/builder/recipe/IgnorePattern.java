package dev.kiln.builder.recipe;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.regex.Pattern;

/**
 * One {@code .dockerignore} pattern, matched as moby/patternmatcher does: {@code *} is any run of
 * characters but {@code /}, {@code ?} one such character, {@code **} any number of directories,
 * {@code [...]} a character class, {@code \} escapes; the whole cleaned path must match.
 */
final class IgnorePattern {
    private enum Type { EXACT, PREFIX, SUFFIX, REGEX }

    private final String cleaned;
    private final boolean exclusion;
    private final int line;
    private final Type type;
    private final Pattern regex;

    private IgnorePattern(String cleaned, boolean exclusion, int line, Type type, Pattern regex) {
        this.cleaned = cleaned;
        this.exclusion = exclusion;
        this.line = line;
        this.type = type;
        this.regex = regex;
    }

    /** Compiles a cleaned pattern (without its {@code !}); throws on a malformed one. */
    static IgnorePattern compile(String cleaned, boolean exclusion, int line) {
        validate(cleaned);
        Type type = Type.EXACT;
        StringBuilder re = new StringBuilder();
        int[] cps = cleaned.codePoints().toArray();
        for (int i = 0, n = 0; i < cps.length; i++, n++) {
            int ch = cps[i];
            if (ch == '*' && i + 1 < cps.length && cps[i + 1] == '*') {
                i++;
                if (i + 1 < cps.length && cps[i + 1] == '/') {
                    i++;
                }
                if (i + 1 >= cps.length) {
                    if (type == Type.EXACT) {
                        type = Type.PREFIX;
                    } else {
                        re.append(".*");
                        type = Type.REGEX;
                    }
                } else {
                    re.append("(.*/)?");
                    type = Type.REGEX;
                }
                if (n == 0) {
                    type = Type.SUFFIX;
                }
            } else if (ch == '*') {
                re.append("[^/]*");
                type = Type.REGEX;
            } else if (ch == '?') {
                re.append("[^/]");
                type = Type.REGEX;
            } else if (ch == '\\') {
                if (i + 1 < cps.length) {
                    re.append(literal(cps[++i]));
                    type = Type.REGEX;
                } else {
                    re.append("\\\\");
                }
            } else if (ch == '[') {
                i = charClass(cps, i, re);
                type = Type.REGEX;
            } else if (ch == ']') {
                re.append("\\]");
                type = Type.REGEX;
            } else {
                re.append(literal(ch));
            }
        }
        Pattern regex = type == Type.REGEX ? Pattern.compile(re.toString(), Pattern.UNIX_LINES) : null;
        return new IgnorePattern(cleaned, exclusion, line, type, regex);
    }

    boolean exclusion() {
        return exclusion;
    }

    int line() {
        return line;
    }

    String text() {
        return exclusion ? "!" + cleaned : cleaned;
    }

    boolean matches(String path) {
        switch (type) {
            case EXACT:
                return path.equals(cleaned);
            case PREFIX:
                return path.startsWith(cleaned.substring(0, cleaned.length() - 2));
            case SUFFIX: {
                String suffix = cleaned.substring(2);
                return path.endsWith(suffix) || (suffix.startsWith("/") && path.equals(suffix.substring(1)));
            }
            default:
                return regex.matcher(path).matches();
        }
    }

    /**
     * Whether this pattern could match a path below the directory with these components
     * (conservative: any {@code **} could).
     */
    boolean couldMatchBelow(String[] dir) {
        String[] segments = cleaned.split("/", -1);
        for (String segment : segments) {
            if (segment.contains("**")) {
                return true;
            }
        }
        int k = Math.min(segments.length, dir.length);
        for (int j = 0; j < k; j++) {
            if (!compile(segments[j], false, line).matches(dir[j])) {
                return false;
            }
        }
        return true;
    }

    /** Appends a Java character class for the class starting at {@code cps[start]}; returns its last index. */
    private static int charClass(int[] cps, int start, StringBuilder re) {
        int i = start + 1;
        re.append('[');
        if (cps[i] == '^') {
            re.append('^');
            i++;
        }
        int ranges = 0;
        while (!(cps[i] == ']' && ranges > 0)) {
            if (cps[i] == '\\') {
                i++;
            }
            int lo = cps[i++];
            re.append(literal(lo));
            if (cps[i] == '-') {
                i++;
                if (cps[i] == '\\') {
                    i++;
                }
                re.append('-').append(literal(cps[i++]));
            }
            ranges++;
        }
        re.append(']');
        return i;
    }

    private static String literal(int cp) {
        return String.format("\\x{%x}", cp);
    }

    /** Go's filepath.Match syntax check: classes well formed, no trailing escape. */
    private static void validate(String pattern) {
        int[] cps = pattern.codePoints().toArray();
        int i = 0;
        while (i < cps.length) {
            int ch = cps[i];
            if (ch == '\\') {
                if (i + 1 >= cps.length) {
                    throw bad(pattern);
                }
                i += 2;
            } else if (ch == '[') {
                i++;
                if (i < cps.length && cps[i] == '^') {
                    i++;
                }
                int ranges = 0;
                while (true) {
                    if (i < cps.length && cps[i] == ']' && ranges > 0) {
                        i++;
                        break;
                    }
                    i = classChar(cps, i, pattern);
                    if (cps[i] == '-') {
                        i = classChar(cps, i + 1, pattern);
                    }
                    ranges++;
                }
            } else {
                i++;
            }
        }
    }

    /** Skips one (possibly escaped) class character; something must follow it. */
    private static int classChar(int[] cps, int i, String pattern) {
        if (i >= cps.length || cps[i] == '-' || cps[i] == ']') {
            throw bad(pattern);
        }
        if (cps[i] == '\\') {
            i++;
            if (i >= cps.length) {
                throw bad(pattern);
            }
        }
        i++;
        if (i >= cps.length) {
            throw bad(pattern);
        }
        return i;
    }

    private static IllegalArgumentException bad(String pattern) {
        return new IllegalArgumentException("syntax error in pattern: " + pattern);
    }

    /** Go's filepath.Clean for slash-separated paths. */
    static String clean(String path) {
        if (path.isEmpty()) {
            return ".";
        }
        boolean rooted = path.startsWith("/");
        Deque<String> out = new ArrayDeque<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!out.isEmpty() && !out.peekLast().equals("..")) {
                    out.removeLast();
                } else if (!rooted) {
                    out.addLast("..");
                }
            } else {
                out.addLast(part);
            }
        }
        String joined = String.join("/", out);
        if (rooted) {
            return "/" + joined;
        }
        return joined.isEmpty() ? "." : joined;
    }
}
