package dev.kiln.layout.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.kiln.layout.Hint;
import dev.kiln.layout.KilnException;
import dev.kiln.layout.archive.TestArtifacts;
import dev.kiln.layout.archive.TestImages;
import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.json.JsonFormatException;
import dev.kiln.layout.oci.LayoutTag;
import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageIndex;
import dev.kiln.layout.spec.ImageManifest;
import dev.kiln.layout.spec.MediaTypes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * copy never succeeds with less than its source: artifacts are carried whole with their digests,
 * a Docker schema1 manifest or a manifest type kiln cannot read is refused in one line, and a blob
 * missing from the source is named with what needs it.
 */
class ContentCopyTest {
    private final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());

    @AfterEach
    void close() throws IOException {
        fs.close();
    }

    private CopyResult copy(OciLayout src, String tag, String dest) throws IOException {
        OciLayout dst = OciLayout.openOrCreate(fs.getPath(dest));
        try (LayoutDestination d = new LayoutDestination(dst, "t", "oci:" + dest + ":t")) {
            return new Copier().copy(new LayoutSource(src, tag, "oci:/src:" + tag), d);
        }
    }

    @Test
    void artifactsAreCopiedWholeWithTheirDigests() throws IOException {
        OciLayout src = OciLayout.openOrCreate(fs.getPath("/src"));
        Descriptor chart = TestArtifacts.helmChart(src, "chart");
        TestImages.Built image = TestImages.twoPlatforms(fs.getPath("/src"), "img");
        Descriptor sbom = TestArtifacts.sbomFor(src, image.manifests().get("amd64"), "sbom");
        for (Descriptor d : List.of(chart, sbom)) {
            String tag = d == chart ? "chart" : "sbom";
            String dest = "/dst-" + tag;
            CopyResult r = copy(src, tag, dest);
            assertEquals(d.digest(), r.root().digest());
            OciLayout dst = OciLayout.open(fs.getPath(dest));
            ImageManifest m = ImageManifest.parse(src.blobs().readSmall(d), "m");
            for (Descriptor blob : concat(d, m)) {
                assertArrayEquals(Files.readAllBytes(src.blobs().path(blob.digest())),
                        Files.readAllBytes(dst.blobs().path(blob.digest())), tag + " " + blob.digest());
            }
            assertEquals(2 + m.layers().size(), r.copied().size(), tag + ": the manifest, its config and every layer");
        }
    }

    private static List<Descriptor> concat(Descriptor manifest, ImageManifest m) {
        List<Descriptor> all = new java.util.ArrayList<>(m.layers());
        all.add(m.config());
        all.add(manifest);
        return all;
    }

    @Test
    void aSchema1ManifestIsRefusedByNameAndNothingIsTagged() throws IOException {
        OciLayout src = OciLayout.openOrCreate(fs.getPath("/src"));
        Descriptor s1 = TestArtifacts.schema1(src, "old");
        KilnException e = assertThrows(KilnException.class, () -> copy(src, "old", "/dst1"));
        assertTrue(e.getMessage().contains(s1.digest() + " is a Docker schema1 manifest (deprecated)"), e.getMessage());
        assertEquals(Hint.CONVERT_SCHEMA1, e.hint());
        assertTrue(OciLayout.open(fs.getPath("/dst1")).index().manifests().isEmpty(), "no tag for a refused copy");

        // listed in a manifest list: the same refusal, naming the list
        Descriptor list = src.blobs().putBytes(MediaTypes.DOCKER_MANIFEST_LIST, new ImageIndex(MediaTypes.DOCKER_MANIFEST_LIST,
                List.of(s1.withPlatform(TestImages.AMD64))).toBytes());
        src.tag(LayoutTag.parse("list"), list);
        e = assertThrows(KilnException.class, () -> copy(src, "list", "/dst2"));
        assertTrue(e.getMessage().contains(s1.digest() + " listed in index " + list.digest()), e.getMessage());
        assertTrue(e.getMessage().contains("Docker schema1 manifest (deprecated)"), e.getMessage());
        // and reading its platforms says so too, rather than listing none
        e = assertThrows(KilnException.class, () -> new ImageReader(new LayoutSource(src, "list", "oci:/src:list")).platformEntries());
        assertTrue(e.getMessage().contains("Docker schema1 manifest"), e.getMessage());
    }

    @Test
    void aManifestTypeKilnCannotReadIsNeverCopiedAsAPlainBlob() throws IOException {
        OciLayout src = OciLayout.openOrCreate(fs.getPath("/src"));
        Descriptor blob = src.blobs().putBytes("text/plain", "content".getBytes(StandardCharsets.UTF_8));
        String doc = "{\"mediaType\":\"application/vnd.oci.artifact.manifest.v1+json\",\"blobs\":[{\"mediaType\":\"text/plain\","
                + "\"digest\":\"" + blob.digest() + "\",\"size\":" + blob.size() + "}]}";
        Descriptor m = src.blobs().putBytes("application/vnd.oci.artifact.manifest.v1+json", doc.getBytes(StandardCharsets.UTF_8));
        src.tag(LayoutTag.parse("a"), m);
        KilnException e = assertThrows(KilnException.class, () -> copy(src, "a", "/dst"));
        assertTrue(e.getMessage().contains("application/vnd.oci.artifact.manifest.v1+json")
                && e.getMessage().contains("cannot tell what it references"), e.getMessage());
    }

    @Test
    void anIndexOfArtifactsListsNoPlatformImageAndIsCopiedWhole() throws IOException {
        OciLayout src = OciLayout.openOrCreate(fs.getPath("/src"));
        Descriptor chart = TestArtifacts.helmChart(src, null);
        Descriptor index = src.blobs().putBytes(MediaTypes.OCI_INDEX,
                new ImageIndex(MediaTypes.OCI_INDEX, List.of(chart)).toBytes());
        src.tag(LayoutTag.parse("charts"), index);
        ImageReader reader = new ImageReader(new LayoutSource(src, "charts", "oci:/src:charts"));
        assertEquals(List.of(), reader.platformEntries(), "a chart is no platform's image");
        assertEquals(index.digest(), copy(src, "charts", "/dst").root().digest());
        KilnException e = assertThrows(KilnException.class, () -> reader.image(chart));
        assertTrue(e.getMessage().contains("is an artifact (" + TestArtifacts.HELM_CONFIG + "), not an image"), e.getMessage());
    }

    @Test
    void aMissingBlobIsNamedWithWhatNeedsIt() throws IOException {
        TestImages.Built src = TestImages.twoPlatforms(fs.getPath("/src"), "1.0");
        Descriptor arm = src.manifests().get("arm64");
        ImageManifest m = ImageManifest.parse(src.layout().blobs().readSmall(arm), "m");
        Digest own = m.layers().get(1).digest();
        Files.delete(src.layout().blobs().path(own));
        KilnException e = assertThrows(KilnException.class, () -> copy(src.layout(), "1.0", "/dst"));
        assertTrue(e.getMessage().startsWith("oci:/src:1.0: layer 2 " + own + " of manifest " + arm.digest()
                + " is missing from the layout"), e.getMessage());
    }

    @Test
    void anUnknownSchemaVersionIsSaid() {
        byte[] doc = "{\"schemaVersion\":99999,\"layers\":[]}".getBytes(StandardCharsets.UTF_8);
        JsonFormatException e = assertThrows(JsonFormatException.class, () -> ImageManifest.parse(doc, "m.json"));
        assertEquals("m.json: schemaVersion 99999 is not supported (kiln reads schemaVersion 2: OCI and Docker schema2)",
                e.getMessage());
        e = assertThrows(JsonFormatException.class, () -> ImageIndex.parse(doc, "i.json"));
        assertTrue(e.getMessage().contains("schemaVersion 99999"), e.getMessage());
        e = assertThrows(JsonFormatException.class, () -> ImageManifest.parse(
                "{\"schemaVersion\":1,\"fsLayers\":[]}".getBytes(StandardCharsets.UTF_8), "s1.json"));
        assertTrue(e.getMessage().contains("s1.json has schemaVersion 1: it is a Docker schema1 manifest"), e.getMessage());
        assertFalse(e.getMessage().contains("config"), e.getMessage());
    }
}
