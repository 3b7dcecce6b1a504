package dev.kiln.builder.image;

import dev.kiln.layout.KilnException;

/** A build that cannot go on; the message names the recipe file and line where there is one. */
public class BuildException extends KilnException {
    public BuildException(String message) {
        super(message);
    }

    public BuildException(String message, Throwable cause) {
        super(message, cause);
    }
}
