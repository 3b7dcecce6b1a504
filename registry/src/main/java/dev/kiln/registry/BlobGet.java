package dev.kiln.registry;

import dev.kiln.layout.spec.Descriptor;
import java.io.InputStream;

/**
 * {@code GET /v2/<name>/blobs/<digest>}, following redirects to storage (without the registry's
 * Authorization on other hosts), streamed through a {@link ResumingBlobStream}: hashed as it is
 * read, resumed with a {@code Range} request when the body is cut off, and failing at the end unless
 * the bytes are the descriptor's digest and size.
 */
final class BlobGet {
    private BlobGet() {
    }

    static InputStream open(RegistryClient client, String repository, Descriptor blob) {
        return ResumingBlobStream.open(client, repository, blob);
    }
}
