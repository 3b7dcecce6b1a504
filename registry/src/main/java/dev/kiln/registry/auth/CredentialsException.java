package dev.kiln.registry.auth;

import dev.kiln.layout.KilnException;

/**
 * Credentials that cannot be read, parsed, stored or obtained from a helper. The message names the
 * file, helper or registry, never the secret.
 */
public class CredentialsException extends KilnException {
    public CredentialsException(String message) {
        super(KnownSecrets.redact(message));
    }

    public CredentialsException(String message, Throwable cause) {
        super(KnownSecrets.redact(message), cause);
    }
}
