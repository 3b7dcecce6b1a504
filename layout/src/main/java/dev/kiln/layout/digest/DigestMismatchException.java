package dev.kiln.layout.digest;

import dev.kiln.layout.KilnException;

/** Content whose digest or size is not the one that was expected. */
public class DigestMismatchException extends KilnException {
    public DigestMismatchException(String message) {
        super(message);
    }
}
