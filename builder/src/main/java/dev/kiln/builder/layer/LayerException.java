package dev.kiln.builder.layer;

import dev.kiln.layout.KilnException;

/** A layer could not be collected, written or compressed; the message names the entry or file. */
public class LayerException extends KilnException {
    public LayerException(String message) {
        super(message);
    }

    public LayerException(String message, Throwable cause) {
        super(message, cause);
    }
}
