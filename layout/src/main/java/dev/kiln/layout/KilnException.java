package dev.kiln.layout;

/**
 * The root of kiln's exception family. Every message is one line that says what was being done,
 * to what (file, digest, reference), and what is wrong. Credentials never appear in a message.
 * A {@link Hint} says what the user can do about it; the command line words it.
 */
public class KilnException extends RuntimeException {
    private final Hint hint;

    public KilnException(String message) {
        this(message, null, null);
    }

    public KilnException(String message, Throwable cause) {
        this(message, cause, null);
    }

    public KilnException(String message, Throwable cause, Hint hint) {
        super(message, cause);
        this.hint = hint;
    }

    /** What the user can do, or null when there is nothing to say beyond the message. */
    public Hint hint() {
        return hint;
    }

    /** The first hint of {@code t} or of its causes, or null. */
    public static Hint hintOf(Throwable t) {
        for (int depth = 0; t != null && depth < 16; t = t.getCause(), depth++) {
            if (t instanceof KilnException k && k.hint != null) {
                return k.hint;
            }
        }
        return null;
    }
}
