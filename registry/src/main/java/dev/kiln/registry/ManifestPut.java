package dev.kiln.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.layout.Hint;
import dev.kiln.layout.KilnException;
import dev.kiln.layout.json.Json;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.MediaTypes;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code PUT /v2/<name>/manifests/<reference>} with the manifest's exact bytes and
 * {@code Content-Type} equal to its media type. Refusals get a hint where the cause is known: a
 * registry that does not take OCI media types ({@link Hint#DOCKER_MEDIA_TYPES}), layers with foreign URLs that
 * the registry does not allow, blobs missing from the repository.
 */
final class ManifestPut {
    private ManifestPut() {
    }

    static void put(RegistryClient client, String repository, String reference, Descriptor manifest, byte[] bytes) {
        HttpTransport t = client.transport();
        String what = "pushing " + kind(manifest.mediaType()) + " " + manifest.digest()
                + (reference.equals(manifest.digest().toString()) ? "" : " as tag " + reference);
        String prefix = "registry " + t.registry() + ", repository " + repository + ": " + what + ": ";
        if (bytes.length != manifest.size() || !manifest.digest().matches(bytes)) {
            throw new RegistryException(prefix + "the bytes given are not the descriptor's (" + bytes.length + " bytes)");
        }
        ObjectNode doc = parse(bytes);
        String declared = doc == null || !doc.path("mediaType").isTextual() ? null : doc.path("mediaType").textValue();
        if (declared != null && !declared.equals(manifest.mediaType())) {
            throw new RegistryException(prefix + "the document says mediaType " + declared + " but its descriptor says "
                    + manifest.mediaType() + "; registries require the Content-Type to match");
        }
        HttpCall call = new HttpCall("PUT", client.uri("/v2/" + repository + "/manifests/" + reference), what)
                .repository(repository, client.scopes(repository))
                .header("Content-Type", manifest.mediaType())
                .body(bytes, 0, bytes.length);
        HttpAnswer r = t.send(call);
        if (r.ok()) {
            Digests.checkHeader(t, call, r, manifest.digest());
            client.options().progress().manifestPushed(manifest, reference);
            return;
        }
        String hint = hint(manifest, doc, r);
        throw t.failure(call, r, hint, OCI_REFUSED.equals(hint) ? Hint.DOCKER_MEDIA_TYPES : null);
    }

    private static final String OCI_REFUSED = "this registry does not seem to accept OCI media types";

    private static String hint(Descriptor manifest, ObjectNode doc, HttpAnswer r) {
        RegistryException probe = new RegistryException("", r.status(), r.errors(), null);
        boolean invalid = probe.has(ErrorCode.MANIFEST_INVALID) || r.status() == 400 && r.errors().isEmpty();
        boolean blobUnknown = probe.has(ErrorCode.MANIFEST_BLOB_UNKNOWN) || probe.has(ErrorCode.BLOB_UNKNOWN);
        List<String> foreign = foreignLayerDigests(doc);
        // Distribution 2.8 answers a refused URL with 500 UNKNOWN plus MANIFEST_BLOB_UNKNOWN for the
        // foreign layer; newer registries say MANIFEST_INVALID
        boolean foreignNamed = r.errors().stream().anyMatch(e -> e.message() != null && foreign.stream().anyMatch(e.message()::contains));
        if (!foreign.isEmpty() && (invalid || foreignNamed)) {
            return "the registry refuses layers with foreign URLs (urls); allow them in the registry (Distribution: "
                    + "REGISTRY_VALIDATION_MANIFESTS_URLS_ALLOW='[\"^https?://\"]') or leave the foreign layers out";
        }
        if (blobUnknown) {
            return "a blob or manifest it references is not in the repository (push children before parents)";
        }
        boolean oci = MediaTypes.OCI_INDEX.equals(manifest.mediaType()) || MediaTypes.OCI_MANIFEST.equals(manifest.mediaType());
        if (oci && (r.status() == 415 || invalid || probe.has(ErrorCode.UNSUPPORTED))) {
            return OCI_REFUSED; // the command line says what to do (Hint.DOCKER_MEDIA_TYPES)
        }
        return null;
    }

    /** Digests of the layers that carry {@code urls}. */
    private static List<String> foreignLayerDigests(ObjectNode doc) {
        List<String> out = new ArrayList<>();
        JsonNode layers = doc == null ? null : doc.get("layers");
        if (layers == null || !layers.isArray()) {
            return out;
        }
        for (JsonNode l : layers) {
            JsonNode urls = l.get("urls");
            if (urls != null && urls.isArray() && !urls.isEmpty() && l.path("digest").isTextual()) {
                out.add(l.path("digest").textValue());
            }
        }
        return out;
    }

    private static ObjectNode parse(byte[] bytes) {
        try {
            return Json.parseObject(bytes, "manifest");
        } catch (KilnException e) {
            return null;
        }
    }

    static String kind(String mediaType) {
        return MediaTypes.isIndex(mediaType) ? "index" : MediaTypes.isManifest(mediaType) ? "manifest" : "document";
    }
}
