package dev.kiln.registry;

import dev.kiln.layout.spec.Descriptor;
import java.net.URI;
import java.util.Set;

/**
 * {@code POST /v2/<name>/blobs/uploads/?mount=<digest>&from=<other>}: asks the registry to link a
 * blob it holds in another repository. 201 = mounted; 202 = not mounted, but an upload session was
 * started (its URL is returned for the upload); any refusal (401, 403, 404, other errors, as Harbor
 * and Docker Hub give for unknown or foreign repositories) = not mounted, upload normally.
 */
final class BlobMount {
    private BlobMount() {
    }

    record Result(boolean mounted, URI session, long minChunk) {
    }

    static Result mount(RegistryClient client, String repository, Descriptor blob, String from) {
        HttpTransport t = client.transport();
        URI uri = client.uri("/v2/" + repository + "/blobs/uploads/?mount=" + blob.digest() + "&from=" + from);
        Set<String> scopes = Set.of("repository:" + repository + ":pull,push", "repository:" + from + ":pull");
        HttpCall call = new HttpCall("POST", uri, "mounting blob " + blob.digest() + " from " + from)
                .repository(repository, scopes).repeatable(true);
        HttpAnswer r;
        try {
            r = t.send(call);
        } catch (RegistryException e) {
            t.log("mount refused (" + e.getMessage() + "); uploading instead");
            return new Result(false, null, 0);
        }
        if (r.status() == 201) {
            Digests.checkHeader(t, call, r, blob.digest());
            return new Result(true, null, 0);
        }
        if (r.status() == 202 && r.header("Location").isPresent()) {
            return new Result(false, t.location(call, r, null), BlobUpload.minChunk(r));
        }
        t.log("mount of " + blob.digest() + " from " + from + " refused with HTTP " + r.status() + "; uploading instead");
        return new Result(false, null, 0);
    }
}
