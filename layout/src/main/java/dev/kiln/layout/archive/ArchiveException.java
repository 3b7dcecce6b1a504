package dev.kiln.layout.archive;

import dev.kiln.layout.KilnException;

/** An archive that cannot be read or written: hostile or malformed entries, missing files, refused content. */
public class ArchiveException extends KilnException {
    public ArchiveException(String message) {
        super(message);
    }

    public ArchiveException(String message, Throwable cause) {
        super(message, cause);
    }
}
