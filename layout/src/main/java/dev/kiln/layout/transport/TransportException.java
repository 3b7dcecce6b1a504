package dev.kiln.layout.transport;

import dev.kiln.layout.Hint;
import dev.kiln.layout.KilnException;

/** A reference that cannot be parsed, or a source or destination that cannot do what was asked. */
public class TransportException extends KilnException {
    public TransportException(String message) {
        super(message);
    }

    public TransportException(String message, Throwable cause) {
        super(message, cause);
    }

    public TransportException(String message, Throwable cause, Hint hint) {
        super(message, cause, hint);
    }
}
