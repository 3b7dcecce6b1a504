package dev.kiln.layout.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.layout.Hint;
import dev.kiln.layout.archive.TestArtifacts;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.MediaTypes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * verify, gc and tag lookups on content other than kiln's images: Helm charts and OCI 1.1 artifacts
 * are valid; a Docker schema1 manifest, or a manifest type kiln cannot read, never lets gc delete
 * what it references.
 */
class ContentKindsTest {
    private final FileSystem fs = Fixture.jimfs();
    private final Path root = fs.getPath("/layout");

    @AfterEach
    void close() throws IOException {
        fs.close();
    }

    private VerifyReport verify() throws IOException {
        return new Verifier(root, true).verify();
    }

    @Test
    void aHelmChartIsValid() throws IOException {
        OciLayout layout = OciLayout.openOrCreate(root);
        TestArtifacts.helmChart(layout, "0.1.0");
        VerifyReport r = verify();
        assertTrue(r.ok(), r.problems()::toString);
        assertEquals(0, r.warnings().size(), r.warnings()::toString);
    }

    @Test
    void anOci11ArtifactWithSubjectIsValidEvenWithoutItsSubject() throws IOException {
        OciLayout layout = OciLayout.openOrCreate(root);
        Fixture.Image image = Fixture.putImage(layout, Fixture.AMD64, "app");
        TestArtifacts.sbomFor(layout, image.manifest(), "sbom");
        VerifyReport r = verify();
        assertTrue(r.ok(), r.problems()::toString); // the subject is not part of the artifact: it may live elsewhere
    }

    @Test
    void theEmptyConfigNeedsArtifactType() throws IOException {
        OciLayout layout = OciLayout.openOrCreate(root);
        Descriptor empty = layout.blobs().putBytes(MediaTypes.OCI_EMPTY, "{}".getBytes(StandardCharsets.UTF_8));
        Descriptor layer = layout.blobs().putBytes("text/plain", "hi".getBytes(StandardCharsets.UTF_8));
        String m = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
                + MediaTypes.OCI_EMPTY + "\",\"digest\":\"" + empty.digest() + "\",\"size\":2},\"layers\":[{\"mediaType\":"
                + "\"text/plain\",\"digest\":\"" + layer.digest() + "\",\"size\":2}]}";
        layout.tag(LayoutTag.parse("a"), layout.blobs().putBytes(MediaTypes.OCI_MANIFEST, m.getBytes(StandardCharsets.UTF_8)));
        VerifyReport r = verify();
        assertEquals(1, r.problems().size(), r.problems()::toString);
        assertTrue(r.problems().get(0).toString().contains("must say what the artifact is with artifactType"),
                r.problems()::toString);

        String bad = m.replace("{\"schemaVersion\":2,", "{\"schemaVersion\":2,\"artifactType\":\"not a type\",");
        layout.tag(LayoutTag.parse("a"), layout.blobs().putBytes(MediaTypes.OCI_MANIFEST, bad.getBytes(StandardCharsets.UTF_8)));
        r = verify();
        assertEquals(1, r.problems().size(), r.problems()::toString);
        assertTrue(r.problems().get(0).toString().contains("artifactType 'not a type' is not a media type"), r.problems()::toString);
    }

    @Test
    void aSchema1ManifestIsNamedAndGcDeletesNothing() throws IOException {
        OciLayout layout = OciLayout.openOrCreate(root);
        TestArtifacts.schema1(layout, "old");
        Path layer = layout.blobs().path(TestArtifacts.schema1Layer());
        assertTrue(Files.isRegularFile(layer));
        VerifyReport r = verify();
        assertEquals(1, r.problems().size(), r.problems()::toString);
        assertTrue(r.problems().get(0).toString().contains("a Docker schema1 manifest (deprecated)"), r.problems()::toString);
        LayoutException e = assertThrows(LayoutException.class, () -> new GarbageCollector(layout).collect(false));
        assertTrue(e.getMessage().contains("schema1") && e.getMessage().contains("nothing was deleted"), e.getMessage());
        assertTrue(Files.isRegularFile(layer), "gc must not delete the layer a schema1 manifest names");
    }

    @Test
    void aManifestOfAnUnknownTypeThatNamesBlobsKeepsGcFromDeletingThem() throws IOException {
        OciLayout layout = OciLayout.openOrCreate(root);
        Descriptor blob = layout.blobs().putBytes("text/plain", "content".getBytes(StandardCharsets.UTF_8));
        // the OCI artifact manifest of the 1.1 release candidates, which ORAS 1.0 wrote: "blobs", not "layers"
        String doc = "{\"mediaType\":\"application/vnd.oci.artifact.manifest.v1+json\",\"artifactType\":\"text/plain\","
                + "\"blobs\":[{\"mediaType\":\"text/plain\",\"digest\":\"" + blob.digest() + "\",\"size\":" + blob.size() + "}]}";
        Descriptor m = layout.blobs().putBytes("application/vnd.oci.artifact.manifest.v1+json", doc.getBytes(StandardCharsets.UTF_8));
        layout.tag(LayoutTag.parse("a"), m);
        assertThrows(LayoutException.class, () -> new GarbageCollector(layout).collect(false));
        assertTrue(Files.isRegularFile(layout.blobs().path(blob.digest())), "gc must not delete what it cannot prove unreachable");
    }

    @Test
    void aDryRunWritesNothingNotEvenALockFile() throws IOException {
        OciLayout layout = Fixture.singleImage(root, "latest");
        Path kiln = root.resolve(OciLayout.KILN_DIR);
        Files.deleteIfExists(kiln.resolve("gc.lock"));
        Files.deleteIfExists(kiln.resolve("index.lock"));
        new GarbageCollector(layout).collect(true);
        assertFalse(Files.exists(kiln.resolve("gc.lock")), "a dry run must not create .kiln/gc.lock");
        assertFalse(Files.exists(kiln.resolve("index.lock")), "a dry run must not create .kiln/index.lock");
    }

    @Test
    void anAmbiguousTagWithoutFullNamesCarriesAHintInsteadOfUselessNames() throws IOException {
        OciLayout layout = OciLayout.openOrCreate(root);
        Fixture.Image a = Fixture.putImage(layout, Fixture.AMD64, "a");
        Fixture.Image b = Fixture.putImage(layout, Fixture.ARM64, "b");
        layout.updateIndex(i -> i.withManifests(java.util.List.of(
                a.manifest().withAnnotation(MediaTypes.ANNOTATION_REF_NAME, "1.0"),
                b.manifest().withAnnotation(MediaTypes.ANNOTATION_REF_NAME, "1.0"))));
        LayoutException e = assertThrows(LayoutException.class, () -> layout.resolve("1.0"));
        assertTrue(e.getMessage().contains(a.manifest().digest().toString())
                && e.getMessage().contains(b.manifest().digest().toString()), e.getMessage());
        assertFalse(e.getMessage().contains("use the full name"), e.getMessage());
        assertEquals(Hint.AMBIGUOUS_TAG, e.hint());
    }
}
