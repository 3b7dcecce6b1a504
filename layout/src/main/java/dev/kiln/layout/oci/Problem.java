package dev.kiln.layout.oci;

import dev.kiln.layout.digest.Digest;

/**
 * One thing wrong (or worth a warning) in an OCI layout: the blob it concerns (null for the
 * layout's own files), where it was reached from ({@code index.json > latest (sha256:ab..) > layer 2
 * sha256:ef..}) and what is wrong, in one line.
 */
public record Problem(Digest digest, String where, String message) {
    public Problem {
        if (where == null || where.isBlank()) {
            throw new IllegalArgumentException("problem: where is missing");
        }
        if (message == null || message.isBlank()) {
            throw new IllegalArgumentException("problem: message is missing");
        }
        if (message.indexOf('\n') >= 0 || message.indexOf('\r') >= 0) {
            message = message.replaceAll("[\\r\\n]+", " ");
        }
    }

    @Override
    public String toString() {
        return where + ": " + message;
    }
}
