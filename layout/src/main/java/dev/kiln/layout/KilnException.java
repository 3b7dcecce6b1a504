package dev.kiln.layout;

/**
 * The root of kiln's exception family. Every message is one line that says what was being done,
 * to what (file, digest, reference), and what is wrong. Credentials never appear in a message.
 */
public class KilnException extends RuntimeException {
    public KilnException(String message) {
        super(message);
    }

    public KilnException(String message, Throwable cause) {
        super(message, cause);
    }
}
