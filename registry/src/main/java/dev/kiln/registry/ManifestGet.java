package dev.kiln.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.layout.Hint;
import dev.kiln.layout.KilnException;
import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.digest.InvalidDigestException;
import dev.kiln.layout.json.Json;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.MediaTypes;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /v2/<name>/manifests/<reference>} accepting OCI index and manifest and Docker manifest
 * list and manifest. The bytes are checked against the digest asked for, or against the registry's
 * {@code Docker-Content-Digest}; the media type is the registry's {@code Content-Type} (else the
 * document's own).
 */
final class ManifestGet {
    static final String ACCEPT = String.join(", ", MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST,
            MediaTypes.DOCKER_MANIFEST_LIST, MediaTypes.DOCKER_MANIFEST);

    private ManifestGet() {
    }

    static RemoteManifest get(RegistryClient client, String repository, String reference) {
        HttpTransport t = client.transport();
        String what = "getting manifest " + reference;
        HttpCall call = new HttpCall("GET", client.uri("/v2/" + repository + "/manifests/" + reference), what)
                .repository(repository, client.scopes(repository)).header("Accept", ACCEPT);
        HttpAnswer r = t.send(call);
        if (!r.ok()) {
            throw t.failure(call, r, r.status() == 404 ? "no such tag or digest in the repository" : null);
        }
        String prefix = "registry " + t.registry() + ", repository " + repository + ": " + what + ": ";
        byte[] bytes = r.body();
        if (bytes.length > Json.MAX_DOCUMENT_BYTES) {
            throw new RegistryException(prefix + "the manifest is over the " + Json.MAX_DOCUMENT_BYTES + "-byte limit");
        }
        String contentType = r.header("Content-Type").orElse(null);
        refuseSchema1(contentType, bytes, prefix); // before the digest: a signed schema1's digest excludes its signatures
        Digest digest;
        Optional<Digest> reported = Digests.reported(t, call, r);
        Digest asked = asDigest(reference);
        if (asked != null) {
            if (!asked.matches(bytes)) {
                throw new RegistryException(prefix + "the registry sent content that hashes to "
                        + Digest.of(asked.algorithm(), bytes) + ", not the digest asked for");
            }
            digest = asked;
        } else {
            digest = reported.map(d -> Digest.of(d.algorithm(), bytes)).orElse(Digest.sha256(bytes));
        }
        if (reported.isPresent() && !reported.get().equals(digest)) {
            throw new RegistryException(prefix + "the registry reports digest " + reported.get()
                    + " but the content hashes to " + digest);
        }
        String mediaType = mediaType(contentType, bytes, prefix);
        return new RemoteManifest(new Descriptor(mediaType, digest, bytes.length), bytes);
    }

    /** {@code HEAD /v2/<name>/manifests/<digest>}: true when the registry has it. */
    static boolean exists(RegistryClient client, String repository, Digest digest) {
        HttpTransport t = client.transport();
        HttpCall call = new HttpCall("HEAD", client.uri("/v2/" + repository + "/manifests/" + digest),
                "checking manifest " + digest).repository(repository, client.scopes(repository)).header("Accept", ACCEPT);
        HttpAnswer r = t.send(call);
        if (r.status() == 404) {
            return false;
        }
        if (!r.ok()) {
            throw t.failure(call, r, null);
        }
        Digests.checkHeader(t, call, r, digest);
        return true;
    }

    private static Digest asDigest(String reference) {
        if (!reference.contains(":")) {
            return null;
        }
        try {
            return Digest.parse(reference);
        } catch (InvalidDigestException e) {
            throw new RegistryException("invalid digest reference '" + reference + "': " + e.getMessage());
        }
    }

    /** A Docker schema1 manifest, by its Content-Type or its schemaVersion, is refused by name. */
    static void refuseSchema1(String contentType, byte[] bytes, String prefix) {
        String ct = contentType == null ? null : contentType.split(";")[0].trim();
        boolean schema1 = MediaTypes.isSchema1(ct) || ct != null && ct.startsWith("application/vnd.docker.distribution.manifest.v1");
        if (!schema1) {
            try {
                schema1 = Json.parseObject(bytes, "manifest").path("schemaVersion").asLong() == 1;
            } catch (KilnException e) {
                return; // not JSON: mediaType says so
            }
        }
        if (schema1) {
            throw new RegistryException(prefix + "the registry serves a Docker schema1 manifest (deprecated), which kiln does not read",
                    0, List.of(), null, Hint.CONVERT_SCHEMA1);
        }
    }

    static String mediaType(String contentType, byte[] bytes, String prefix) {
        String ct = contentType == null ? null : contentType.split(";")[0].trim();
        if (ct != null && (MediaTypes.isIndex(ct) || MediaTypes.isManifest(ct))) {
            return ct;
        }
        ObjectNode doc;
        try {
            doc = Json.parseObject(bytes, "manifest");
        } catch (KilnException e) {
            throw new RegistryException(prefix + "the registry sent something that is not a JSON manifest");
        }
        String declared = doc.path("mediaType").isTextual() ? doc.path("mediaType").textValue() : null;
        if (declared != null && (MediaTypes.isIndex(declared) || MediaTypes.isManifest(declared))) {
            return declared;
        }
        if (doc.has("manifests")) {
            return MediaTypes.OCI_INDEX;
        }
        if (doc.has("config")) {
            return MediaTypes.OCI_MANIFEST;
        }
        throw new RegistryException(prefix + "unsupported manifest type " + (ct == null ? "(none)" : ct)
                + " (want " + String.join(", ", List.of(MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST,
                MediaTypes.DOCKER_MANIFEST_LIST, MediaTypes.DOCKER_MANIFEST)) + ")");
    }
}
