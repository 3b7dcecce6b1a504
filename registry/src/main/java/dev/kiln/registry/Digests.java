package dev.kiln.registry;

import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.digest.InvalidDigestException;
import java.util.List;
import java.util.Optional;

/** Checks of the {@code Docker-Content-Digest} header: a registry that names other content is not trusted. */
final class Digests {
    private Digests() {
    }

    /** Fails when the answer carries a {@code Docker-Content-Digest} other than {@code expected}. */
    static void checkHeader(HttpTransport t, HttpCall call, HttpAnswer r, Digest expected) {
        Optional<Digest> reported = reported(t, call, r);
        if (reported.isPresent() && !reported.get().equals(expected)) {
            throw new RegistryException("registry " + t.registry() + ", repository " + call.repository + ": " + call.what
                    + ": the registry reports digest " + reported.get() + " instead of " + expected
                    + "; the stored content is not what was sent or asked for", r.status(), List.of(), null);
        }
    }

    static Optional<Digest> reported(HttpTransport t, HttpCall call, HttpAnswer r) {
        Optional<String> header = r.header("Docker-Content-Digest");
        if (header.isEmpty() || header.get().isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Digest.parse(header.get().trim()));
        } catch (InvalidDigestException e) {
            throw new RegistryException("registry " + t.registry() + ", repository " + call.repository + ": " + call.what
                    + ": the registry sent an invalid Docker-Content-Digest header (" + e.getMessage() + ")");
        }
    }
}
