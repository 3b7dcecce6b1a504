package dev.kiln.builder.recipe;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shell patterns of {@code ${NAME#pat}}, {@code ${NAME%pat}} and {@code ${NAME/pat/repl}}:
 * {@code *} any string, {@code ?} any character, {@code \} escapes {@code *}, {@code ?} and
 * itself; no bracket expressions (as in BuildKit).
 */
final class ShellPattern {
    private static final String REGEX_SPECIAL = "[]{}.+()|^$";

    private ShellPattern() {
    }

    static Pattern regex(String pattern, boolean greedy, boolean anchored) {
        StringBuilder out = new StringBuilder();
        if (anchored) {
            out.append('^');
        }
        int[] cps = pattern.codePoints().toArray();
        for (int i = 0; i < cps.length; i++) {
            int tok = cps[i];
            switch (tok) {
                case '*':
                    out.append(greedy ? ".*" : ".*?");
                    continue;
                case '?':
                    out.append('.');
                    continue;
                case '\\': {
                    int next = i + 1 < cps.length ? cps[i + 1] : -1;
                    if (next == '}' || next == '/') {
                        continue;
                    }
                    if (next != '*' && next != '?' && next != '\\') {
                        String shown = next < 0 ? "" : Character.toString(next);
                        throw new IllegalArgumentException(
                                "invalid pattern (" + pattern + ") in substitution: invalid escape '\\" + shown + "'");
                    }
                    out.append('\\').appendCodePoint(next);
                    i++;
                    continue;
                }
                default:
                    if (tok < 128 && REGEX_SPECIAL.indexOf(tok) >= 0) {
                        out.append('\\');
                    }
                    out.appendCodePoint(tok);
            }
        }
        return Pattern.compile(out.toString(), Pattern.UNIX_LINES);
    }

    static String trimPrefix(String pattern, String value, boolean greedy) {
        Matcher m = regex(pattern, greedy, true).matcher(value);
        return m.lookingAt() ? value.substring(m.end()) : value;
    }

    static String trimSuffix(String pattern, String value, boolean greedy) {
        String trimmed = trimPrefix(reversePattern(pattern), reverse(value), greedy);
        return reverse(trimmed);
    }

    /** Reverses a pattern, keeping each escape before the character it escapes. */
    private static String reversePattern(String pattern) {
        int[] in = pattern.codePoints().toArray();
        int[] out = new int[in.length];
        int last = in.length - 1;
        for (int i = 0; i <= last; ) {
            int outIdx = last - i;
            if (in[i] == '\\' && i != last) {
                out[outIdx - 1] = in[i];
                out[outIdx] = in[i + 1];
                i += 2;
            } else {
                out[outIdx] = in[i];
                i++;
            }
        }
        return new String(out, 0, out.length);
    }

    private static String reverse(String s) {
        int[] cps = s.codePoints().toArray();
        for (int i = 0, j = cps.length - 1; i < j; i++, j--) {
            int t = cps[i];
            cps[i] = cps[j];
            cps[j] = t;
        }
        return new String(cps, 0, cps.length);
    }
}
