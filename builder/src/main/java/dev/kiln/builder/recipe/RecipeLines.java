package dev.kiln.builder.recipe;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits recipe text into {@link LogicalLine}s with BuildKit's rules: a UTF-8 BOM is dropped, CRLF
 * works, parser directives ({@code # escape=}, {@code # syntax=}, {@code # check=}) are read only
 * from the top of the file until the first line that is not one, lines whose first non-blank
 * character is {@code #} are comments, the escape token at the end of a line (before optional
 * spaces or tabs, and not itself escaped) continues the instruction, and comment or blank lines
 * inside a continuation are dropped. Continuation lines keep their leading whitespace.
 *
 * <p>One deliberate difference: an {@code # escape=} line after the directive section is refused
 * (Docker silently treats it as a comment, which leaves a Windows recipe's backticks meaningless).
 */
final class RecipeLines {
    private static final Pattern DIRECTIVE =
            Pattern.compile("^#[\\t\\n\\f\\r ]*([a-zA-Z][a-zA-Z0-9]*)[\\t\\n\\f\\r ]*=[\\t\\n\\f\\r ]*(.+?)[\\t\\n\\f\\r ]*$");
    private static final Set<String> DIRECTIVES = Set.of("escape", "syntax", "check");

    /** The result: the escape token, the {@code syntax} directive (or null), the instructions. */
    record Result(char escape, String syntax, List<LogicalLine> lines) {
    }

    private final String file;
    private char escape = '\\';
    private String syntax;
    private boolean directivesDone;
    private final Set<String> seen = new HashSet<>();

    private RecipeLines(String file) {
        this.file = file;
    }

    static Result split(String file, String text) {
        return new RecipeLines(file).run(text);
    }

    private Result run(String text) {
        List<String> physical = physicalLines(text);
        List<LogicalLine> out = new ArrayList<>();
        int i = 0;
        while (i < physical.size()) {
            int lineNo = i + 1;
            String token = leftTrim(trimNewline(physical.get(i++)));
            directive(token, lineNo);
            if (isComment(token)) {
                token = "";
            }
            String[] cont = trimContinuation(token);
            StringBuilder line = new StringBuilder(cont[0]);
            boolean endOfLine = cont[1] == null;
            if (endOfLine && line.length() == 0) {
                continue;
            }
            while (!endOfLine && i < physical.size()) {
                String next = trimNewline(physical.get(i++));
                directive(next, i);
                if (isComment(next) || leftTrim(next).isEmpty()) {
                    continue; // comment and blank lines inside a continuation are dropped
                }
                cont = trimContinuation(next);
                line.append(cont[0]);
                endOfLine = cont[1] == null;
            }
            out.add(new LogicalLine(lineNo, line.toString()));
        }
        return new Result(escape, syntax, List.copyOf(out));
    }

    /** Reads a parser directive while still in the directive section; refuses a late escape. */
    private void directive(String token, int lineNo) {
        Matcher m = DIRECTIVE.matcher(token);
        boolean matches = m.matches();
        if (directivesDone) {
            if (matches && isComment(token) && m.group(1).equalsIgnoreCase("escape")) {
                throw new RecipeException(file, lineNo, "the escape directive must come before any instruction,"
                        + " comment or blank line; here it would be an ordinary comment");
            }
            return;
        }
        if (!matches) {
            directivesDone = true;
            return;
        }
        String key = m.group(1).toLowerCase(Locale.ROOT);
        if (!DIRECTIVES.contains(key)) {
            directivesDone = true;
            return;
        }
        if (!seen.add(key)) {
            throw new RecipeException(file, lineNo, "only one " + key + " parser directive can be used");
        }
        String value = m.group(2);
        if (key.equals("escape")) {
            if (!value.equals("`") && !value.equals("\\")) {
                throw new RecipeException(file, lineNo, "invalid escape token '" + value + "' does not match ` or \\");
            }
            escape = value.charAt(0);
        } else if (key.equals("syntax")) {
            syntax = value;
        }
    }

    /**
     * {@code [text, null]} when the line ends the instruction, {@code [text-without-token, ""]} when
     * the escape token continues it: the token must be the last character before optional spaces
     * or tabs, and not be preceded by another escape token.
     */
    private String[] trimContinuation(String line) {
        int end = line.length();
        while (end > 0 && (line.charAt(end - 1) == ' ' || line.charAt(end - 1) == '\t')) {
            end--;
        }
        if (end == 0 || line.charAt(end - 1) != escape) {
            return new String[] {line, null};
        }
        if (end >= 2 && line.charAt(end - 2) == escape) {
            return new String[] {line, null}; // an escaped escape token is not a continuation
        }
        return new String[] {line.substring(0, end - 1), ""};
    }

    static boolean isComment(String line) {
        return leftTrim(line).startsWith("#");
    }

    private static List<String> physicalLines(String text) {
        String s = text.startsWith("\uFEFF") ? text.substring(1) : text;
        List<String> lines = new ArrayList<>();
        int start = 0;
        while (start < s.length()) {
            int nl = s.indexOf('\n', start);
            if (nl < 0) {
                lines.add(s.substring(start));
                break;
            }
            lines.add(s.substring(start, nl));
            start = nl + 1;
        }
        return lines;
    }

    private static String trimNewline(String s) {
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == '\r' || s.charAt(end - 1) == '\n')) {
            end--;
        }
        return s.substring(0, end);
    }

    static String leftTrim(String s) {
        int i = 0;
        while (i < s.length() && Words.isSpace(s.codePointAt(i))) {
            i += Character.charCount(s.codePointAt(i));
        }
        return s.substring(i);
    }
}
