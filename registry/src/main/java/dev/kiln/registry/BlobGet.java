package dev.kiln.registry;

import dev.kiln.layout.digest.VerifyingInputStream;
import dev.kiln.layout.spec.Descriptor;
import java.io.InputStream;

/**
 * {@code GET /v2/<name>/blobs/<digest>}, following redirects to storage (without the registry's
 * Authorization on other hosts), streamed through a {@link VerifyingInputStream} that fails at the
 * end unless the bytes are the descriptor's digest and size.
 */
final class BlobGet {
    private BlobGet() {
    }

    static InputStream open(RegistryClient client, String repository, Descriptor blob) {
        HttpTransport t = client.transport();
        HttpCall call = new HttpCall("GET", client.uri("/v2/" + repository + "/blobs/" + blob.digest()),
                "getting blob " + blob.digest()).repository(repository, client.scopes(repository)).stream();
        HttpAnswer r = t.send(call);
        if (!r.ok()) {
            throw t.failure(call, r, r.status() == 404 ? "the repository does not have this blob" : null);
        }
        try {
            Digests.checkHeader(t, call, r, blob.digest());
        } catch (RegistryException e) {
            r.discard();
            throw e;
        }
        return new VerifyingInputStream(r.stream(), blob.digest(), blob.size(),
                "registry " + t.registry() + ", repository " + repository + ": blob");
    }
}
