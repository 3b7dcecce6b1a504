package dev.kiln.cli;

/**
 * Image strings (labels, env, user, tag names) come from files written by others: before they reach a
 * terminal in human output, control characters (ESC sequences, NUL, C1 controls, line breaks) become
 * {@code ?}. JSON output escapes them instead, and {@code --raw} prints bytes as stored.
 */
final class Printable {
    private Printable() {
    }

    static String text(String s) {
        return s == null ? null : s.replaceAll("[\\p{Cntrl}\\u0080-\\u009f\\u2028\\u2029]", "?");
    }
}
