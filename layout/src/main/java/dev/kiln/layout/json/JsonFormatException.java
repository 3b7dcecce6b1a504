package dev.kiln.layout.json;

import dev.kiln.layout.Hint;
import dev.kiln.layout.KilnException;

/** A JSON document that cannot be parsed or does not have the shape the spec requires. */
public class JsonFormatException extends KilnException {
    public JsonFormatException(String message) {
        super(message);
    }

    public JsonFormatException(String message, Hint hint) {
        super(message, null, hint);
    }
}
