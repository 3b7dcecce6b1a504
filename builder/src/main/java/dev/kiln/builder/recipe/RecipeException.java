package dev.kiln.builder.recipe;

import dev.kiln.layout.KilnException;

/**
 * A recipe (or {@code .dockerignore}) that kiln cannot accept, with the file, the 1-based line and
 * why. {@link #getMessage()} is one line: {@code FILE:LINE: reason}.
 */
public class RecipeException extends KilnException {
    private final String file;
    private final int line;
    private final String reason;

    public RecipeException(String file, int line, String reason) {
        super(format(file, line, reason));
        this.file = file;
        this.line = line;
        this.reason = oneLine(reason);
    }

    /** The file name as given to the parser. */
    public String file() {
        return file;
    }

    /** The 1-based line where the offending instruction starts. */
    public int line() {
        return line;
    }

    /** The message without the {@code FILE:LINE: } prefix. */
    public String reason() {
        return reason;
    }

    private static String format(String file, int line, String reason) {
        return file + ":" + line + ": " + oneLine(reason);
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }
}
