package dev.kiln.layout.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.MediaTypes;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What {@code verify} says about media types, reference by reference: a config of a known type must
 * be a config (an unknown type is an artifact's config; the empty one needs artifactType), an
 * image's layers layers, a document what its
 * descriptor says; Docker and OCI types mixed in one index or manifest are warned about, naming
 * the types, and only where a tool would meet the mix.
 */
class MediaTypePlacementTest {
    static final String BOGUS = "application/vnd.example.thing";
    FileSystem fs;
    Path root;
    OciLayout layout;

    @BeforeEach
    void setUp() throws IOException {
        fs = Fixture.jimfs();
        root = fs.getPath("/layout");
        layout = OciLayout.openOrCreate(root);
    }

    @AfterEach
    void tearDown() throws IOException {
        fs.close();
    }

    Descriptor put(String mediaType, String json) throws IOException {
        return layout.blobs().putBytes(mediaType, Fixture.utf8(json));
    }

    static String ref(Descriptor d) {
        return "{\"mediaType\":\"" + d.mediaType() + "\",\"digest\":\"" + d.digest() + "\",\"size\":" + d.size() + "}";
    }

    /** A manifest document (with its own mediaType field unless null) of this config and layers. */
    Descriptor manifest(String descriptorType, String ownType, String artifactType, Descriptor config, Descriptor... layers)
            throws IOException {
        StringBuilder b = new StringBuilder("{\"schemaVersion\":2");
        if (ownType != null) {
            b.append(",\"mediaType\":\"").append(ownType).append('"');
        }
        if (artifactType != null) {
            b.append(",\"artifactType\":\"").append(artifactType).append('"');
        }
        b.append(",\"config\":").append(ref(config)).append(",\"layers\":[");
        for (int i = 0; i < layers.length; i++) {
            b.append(i == 0 ? "" : ",").append(ref(layers[i]));
        }
        return put(descriptorType, b.append("]}").toString());
    }

    Descriptor index(String descriptorType, String ownType, Descriptor... manifests) throws IOException {
        StringBuilder b = new StringBuilder("{\"schemaVersion\":2");
        if (ownType != null) {
            b.append(",\"mediaType\":\"").append(ownType).append('"');
        }
        b.append(",\"manifests\":[");
        for (int i = 0; i < manifests.length; i++) {
            b.append(i == 0 ? "" : ",").append(ref(manifests[i]));
        }
        return put(descriptorType, b.append("]}").toString());
    }

    Descriptor ociImage() throws IOException {
        return Fixture.putImage(layout, Fixture.AMD64, "layer").manifest();
    }

    VerifyReport tagAndVerify(Descriptor d) throws IOException {
        layout.tag(LayoutTag.parse("t"), d);
        return new Verifier(root, false).verify();
    }

    static List<String> messages(List<Problem> ps) {
        return ps.stream().map(Problem::message).toList();
    }

    /** The warnings, less those about blobs the test stored but left unreferenced. */
    static List<String> warnings(VerifyReport r) {
        return messages(r.warnings()).stream().filter(m -> !m.startsWith("blob is not reachable")).toList();
    }

    @Test
    void aConfigOfAKnownOtherTypeIsAProblem() throws IOException {
        Descriptor layer = put(MediaTypes.OCI_LAYER, "tar");
        VerifyReport r = tagAndVerify(manifest(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_MANIFEST, null, layer));
        assertEquals(List.of("media type " + MediaTypes.OCI_LAYER + " is not a config type"), messages(r.problems()));
    }

    @Test
    void anUnknownConfigTypeIsAnArtifactsConfig() throws IOException {
        Descriptor config = put(BOGUS, "{\"anything\":true}");
        VerifyReport plain = tagAndVerify(manifest(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_MANIFEST, null, config));
        assertEquals(List.of(), messages(plain.problems()), "a Helm chart's config, say");
        VerifyReport typed = tagAndVerify(manifest(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_MANIFEST, BOGUS, config));
        assertEquals(List.of(), messages(typed.problems()));
    }

    @Test
    void theEmptyConfigNeedsAnArtifactType() throws IOException {
        Descriptor empty = put(MediaTypes.OCI_EMPTY, "{}");
        VerifyReport untyped = tagAndVerify(manifest(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_MANIFEST, null, empty));
        assertEquals(List.of("the config is the empty descriptor (" + MediaTypes.OCI_EMPTY + "), so the manifest must say what"
                + " the artifact is with artifactType"), messages(untyped.problems()));
        VerifyReport typed = tagAndVerify(manifest(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_MANIFEST, BOGUS, empty));
        assertEquals(List.of(), messages(typed.problems()));
    }

    @Test
    void anArtifactsLayersMayBeOfAnyTypeAnImagesMayNot() throws IOException {
        Descriptor empty = put(MediaTypes.OCI_EMPTY, "{}");
        Descriptor blob = put(BOGUS, "payload");
        VerifyReport artifact = tagAndVerify(manifest(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_MANIFEST, BOGUS, empty, blob));
        assertEquals(List.of(), messages(artifact.problems()), "an artifact (not an image config) may carry any blob");
        assertEquals(List.of(), warnings(artifact));
        Descriptor config = layout.blobs().putBytes(MediaTypes.OCI_CONFIG,
                layout.blobs().readSmall(Fixture.manifest(layout, ociImage()).config()));
        VerifyReport image = tagAndVerify(manifest(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_MANIFEST, null, config, blob));
        assertTrue(messages(image.problems()).contains("unknown layer media type " + BOGUS), image.problems()::toString);
    }

    @Test
    void aDocumentWithoutMediaTypeMustStillBeWhatItsDescriptorSays() throws IOException {
        Descriptor image = ociImage();
        // an index document without mediaType, named a manifest by its descriptor
        Descriptor idx = index(MediaTypes.OCI_MANIFEST, null, image);
        VerifyReport r = tagAndVerify(idx);
        assertTrue(messages(r.problems()).contains("the descriptor says " + MediaTypes.OCI_MANIFEST + " but the blob is an image index"),
                r.problems()::toString);
        assertTrue(warnings(r).contains("image index has no mediaType field (some registries, ECR among them, reject that)"),
                r.warnings()::toString);
        // and an index without mediaType named an index: only the warning
        VerifyReport fine = tagAndVerify(index(MediaTypes.OCI_INDEX, null, image));
        assertEquals(List.of(), messages(fine.problems()));
        assertEquals(List.of("image index has no mediaType field (some registries, ECR among them, reject that)"),
                warnings(fine));
    }

    @Test
    void aDockerManifestWithOciPartsIsWarnedAboutNamingEachTypeOnce() throws IOException {
        Fixture.Image img = Fixture.putImage(layout, Fixture.AMD64, "one", "two");
        Descriptor m = manifest(MediaTypes.DOCKER_MANIFEST, MediaTypes.DOCKER_MANIFEST, null,
                img.config().withMediaType(MediaTypes.DOCKER_CONFIG), img.layers().get(0), img.layers().get(1));
        VerifyReport r = tagAndVerify(m);
        assertEquals(List.of(), messages(r.problems()));
        assertEquals(List.of("Docker manifest with OCI media types inside (" + MediaTypes.OCI_LAYER_GZIP + ")"), warnings(r));
    }

    @Test
    void anOciManifestWithADockerConfigIsWarnedAbout() throws IOException {
        Fixture.Image img = Fixture.putImage(layout, Fixture.AMD64, "one");
        Descriptor m = manifest(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_MANIFEST, null,
                img.config().withMediaType(MediaTypes.DOCKER_CONFIG), img.layers().get(0));
        VerifyReport r = tagAndVerify(m);
        assertEquals(List.of("OCI manifest with Docker media types inside (" + MediaTypes.DOCKER_CONFIG + ")"), warnings(r));
    }

    @Test
    void aManifestOfTheOtherFamilyInAnIndexIsWarnedAboutOnce() throws IOException {
        Fixture.Image img = Fixture.putImage(layout, Fixture.AMD64, "one");
        Descriptor docker = manifest(MediaTypes.DOCKER_MANIFEST, MediaTypes.DOCKER_MANIFEST, null,
                img.config().withMediaType(MediaTypes.DOCKER_CONFIG), img.layers().get(0).withMediaType(MediaTypes.DOCKER_LAYER_GZIP));
        VerifyReport oci = tagAndVerify(index(MediaTypes.OCI_INDEX, MediaTypes.OCI_INDEX, docker, docker));
        assertEquals(List.of("Docker media type " + MediaTypes.DOCKER_MANIFEST + " inside an OCI index (some registries, Quay among"
                + " them, reject the mix)"), warnings(oci));
        VerifyReport list = tagAndVerify(index(MediaTypes.DOCKER_MANIFEST_LIST, MediaTypes.DOCKER_MANIFEST_LIST, img.manifest()));
        assertEquals(List.of("OCI media type " + MediaTypes.OCI_MANIFEST + " inside a Docker manifest list (some registries,"
                + " Quay among them, reject the mix)"), warnings(list));
        VerifyReport same = tagAndVerify(index(MediaTypes.DOCKER_MANIFEST_LIST, MediaTypes.DOCKER_MANIFEST_LIST, docker));
        assertEquals(List.of(), warnings(same));
    }

    @Test
    void aDockerManifestNamedInIndexJsonIsNoMix() throws IOException {
        // skopeo writes Docker manifests into OCI layouts: index.json is no manifest list to mix with
        Fixture.Image img = Fixture.putImage(layout, Fixture.AMD64, "one");
        Descriptor docker = manifest(MediaTypes.DOCKER_MANIFEST, MediaTypes.DOCKER_MANIFEST, null,
                img.config().withMediaType(MediaTypes.DOCKER_CONFIG), img.layers().get(0).withMediaType(MediaTypes.DOCKER_LAYER_GZIP));
        VerifyReport r = tagAndVerify(docker);
        assertEquals(List.of(), messages(r.problems()));
        assertEquals(List.of(), warnings(r));
    }
}
