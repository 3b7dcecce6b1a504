package dev.kiln.layout.store;

import dev.kiln.layout.KilnException;

/** A blob that is missing, unreadable, or cannot be stored. */
public class BlobStoreException extends KilnException {
    public BlobStoreException(String message) {
        super(message);
    }

    public BlobStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
