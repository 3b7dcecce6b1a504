package dev.kiln.layout.digest;

import dev.kiln.layout.KilnException;

/** A digest string that is malformed or uses an algorithm kiln does not support. */
public class InvalidDigestException extends KilnException {
    public InvalidDigestException(String message) {
        super(message);
    }
}
