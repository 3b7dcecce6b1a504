package dev.kiln.registry;

import dev.kiln.layout.digest.Digest;
import java.util.Optional;

/** {@code HEAD /v2/<name>/blobs/<digest>}: is the blob there, and how big is it. */
final class BlobHead {
    private BlobHead() {
    }

    static Optional<Long> size(RegistryClient client, String repository, Digest digest) {
        HttpTransport t = client.transport();
        HttpCall call = new HttpCall("HEAD", client.uri("/v2/" + repository + "/blobs/" + digest),
                "checking blob " + digest).repository(repository, client.scopes(repository));
        HttpAnswer r = t.send(call);
        if (r.status() == 404) {
            return Optional.empty();
        }
        if (r.status() != 200) {
            throw t.failure(call, r, null);
        }
        Digests.checkHeader(t, call, r, digest);
        return Optional.of(r.header("Content-Length").map(BlobHead::parseLong).orElse(-1L));
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
