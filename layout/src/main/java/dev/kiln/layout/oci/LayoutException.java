package dev.kiln.layout.oci;

import dev.kiln.layout.Hint;
import dev.kiln.layout.KilnException;

/** An OCI layout that is missing, malformed, or does not hold what was asked for. */
public class LayoutException extends KilnException {
    public LayoutException(String message) {
        super(message);
    }

    public LayoutException(String message, Throwable cause) {
        super(message, cause);
    }

    public LayoutException(String message, Hint hint) {
        super(message, null, hint);
    }
}
