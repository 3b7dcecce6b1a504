package dev.kiln.registry;

import dev.kiln.layout.Hint;
import dev.kiln.layout.transport.TransportException;
import dev.kiln.registry.auth.KnownSecrets;
import java.util.List;

/**
 * A registry operation that failed. The message is one line naming the registry, the repository
 * and the digest or tag involved, what was being done, and what the registry answered (its error
 * codes when it sent some). It never holds credentials or tokens: every secret the process knows is
 * redacted from it ({@link KnownSecrets}), including those a registry quotes back.
 */
public class RegistryException extends TransportException {
    private final int status;
    private final List<RegistryError> errors;

    public RegistryException(String message) {
        this(message, 0, List.of(), null);
    }

    public RegistryException(String message, Throwable cause) {
        this(message, 0, List.of(), cause);
    }

    public RegistryException(String message, int status, List<RegistryError> errors, Throwable cause) {
        this(message, status, errors, cause, null);
    }

    public RegistryException(String message, int status, List<RegistryError> errors, Throwable cause, Hint hint) {
        super(oneLine(message), cause, hint);
        this.status = status;
        this.errors = List.copyOf(errors);
    }

    /** The HTTP status of the answer that failed, or 0 when there was none (connection failure). */
    public int status() {
        return status;
    }

    public List<RegistryError> errors() {
        return errors;
    }

    /** The first error code the registry sent, else one implied by the HTTP status. */
    public ErrorCode code() {
        return errors.isEmpty() ? ErrorCode.forStatus(status) : errors.get(0).code();
    }

    public boolean has(ErrorCode code) {
        return errors.stream().anyMatch(e -> e.code() == code) || (errors.isEmpty() && ErrorCode.forStatus(status) == code);
    }

    /** One line, with every secret the process knows redacted (the message may quote a registry). */
    static String oneLine(String s) {
        return s == null ? "registry error" : KnownSecrets.redact(s.replaceAll("[\\r\\n\\t]+", " "));
    }
}
