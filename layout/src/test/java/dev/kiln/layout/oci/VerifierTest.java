package dev.kiln.layout.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.json.Json;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.History;
import dev.kiln.layout.spec.ImageConfig;
import dev.kiln.layout.spec.ImageIndex;
import dev.kiln.layout.spec.ImageManifest;
import dev.kiln.layout.spec.MediaTypes;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VerifierTest {
    private FileSystem fs;
    private Path root;

    @BeforeEach
    void setUp() {
        fs = Fixture.jimfs();
        root = fs.getPath("/layout");
    }

    @AfterEach
    void tearDown() throws IOException {
        fs.close();
    }

    private VerifyReport verify(boolean deep) throws IOException {
        return new Verifier(root, deep).verify();
    }

    private static Problem assertProblem(VerifyReport r, Digest digest, String fragment) {
        return r.problems().stream()
                .filter(p -> (digest == null || digest.equals(p.digest())) && p.message().contains(fragment))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no problem '" + fragment + "' for " + digest + " in "
                        + String.join("\n  ", Fixture.strings(r.problems()))));
    }

    private static Problem assertWarning(VerifyReport r, String fragment) {
        return r.warnings().stream().filter(p -> p.toString().contains(fragment)).findFirst()
                .orElseThrow(() -> new AssertionError("no warning '" + fragment + "' in " + r.warnings()));
    }

    private static void assertClean(VerifyReport r) {
        assertEquals(List.of(), Fixture.strings(r.problems()));
        assertEquals(List.of(), Fixture.strings(r.warnings()));
        assertTrue(r.ok());
    }

    private ImageManifest onlyManifest(OciLayout layout) throws IOException {
        return Fixture.manifest(layout, layout.resolve("latest"));
    }

    @Test
    void validLayoutsHaveNoProblem() throws IOException {
        Fixture.singleImage(root, "latest");
        VerifyReport shallow = verify(false);
        assertClean(shallow);
        assertEquals(4, shallow.blobsChecked());
        VerifyReport deep = verify(true);
        assertClean(deep);
        assertTrue(deep.bytesRead() > 0);
        assertTrue(deep.summary().startsWith("0 problems, 0 warnings, 0 external blobs; 4 blobs checked"), deep.summary());

        Fixture.multiPlatform(fs.getPath("/multi"), "latest");
        VerifyReport multi = new Verifier(fs.getPath("/multi"), true).verify();
        assertClean(multi);
        assertEquals(8, multi.blobsChecked());
    }

    @Test
    void wrongDigest() throws IOException {
        OciLayout layout = Fixture.singleImage(root, "latest");
        Descriptor layer = onlyManifest(layout).layers().get(0);
        Fixture.flipByte(layout, layer.digest(), 20);
        Problem p = assertProblem(verify(false), layer.digest(), "content hashes to");
        assertTrue(p.where().endsWith("> layer 1 " + BlobFiles.shortDigest(layer.digest())), p.where());
        assertTrue(p.message().contains("blobs/sha256/" + layer.digest().hex()), p.message());
    }

    @Test
    void wrongDigestOfAManifestOrConfig() throws IOException {
        OciLayout layout = Fixture.singleImage(root, "latest");
        Descriptor manifest = layout.resolve("latest");
        Descriptor config = onlyManifest(layout).config();
        Fixture.flipByte(layout, config.digest(), 3);
        VerifyReport r = verify(false);
        assertProblem(r, config.digest(), "content hashes to");
        Fixture.flipByte(layout, manifest.digest(), 1);
        r = verify(false);
        assertProblem(r, manifest.digest(), "content hashes to");
        assertProblem(r, manifest.digest(), "invalid JSON");
    }

    @Test
    void wrongSize() throws IOException {
        OciLayout layout = Fixture.singleImage(root, "latest");
        Descriptor layer = onlyManifest(layout).layers().get(1);
        Fixture.rewriteManifest(layout, "latest", m -> {
            List<Descriptor> layers = new ArrayList<>(m.layers());
            layers.set(1, new Descriptor(layer.mediaType(), layer.digest(), layer.size() + 1));
            return m.withLayers(layers);
        });
        VerifyReport r = verify(false);
        assertProblem(r, layer.digest(), "size is " + layer.size() + " bytes, the descriptor says " + (layer.size() + 1));
        assertFalse(r.problems().stream().anyMatch(p -> p.message().contains("hashes to")), r.problems()::toString);
    }

    @Test
    void missingBlob() throws IOException {
        OciLayout layout = Fixture.singleImage(root, "latest");
        Descriptor layer = onlyManifest(layout).layers().get(1);
        Files.delete(Fixture.blob(layout, layer.digest()));
        Problem p = assertProblem(verify(true), layer.digest(), "blob is missing (blobs/sha256/" + layer.digest().hex() + ")");
        assertTrue(p.where().contains("> layer 2 "), p.where());
    }

    @Test
    void blobThatIsADirectoryOrASymbolicLink() throws IOException {
        OciLayout layout = Fixture.singleImage(root, "latest");
        ImageManifest m = onlyManifest(layout);
        Path layer = Fixture.blob(layout, m.layers().get(0).digest());
        Files.delete(layer);
        Files.createDirectory(layer);
        Path config = Fixture.blob(layout, m.config().digest());
        Path elsewhere = fs.getPath("/elsewhere");
        Files.move(config, elsewhere);
        Files.createSymbolicLink(config, elsewhere);
        VerifyReport r = verify(false);
        assertProblem(r, m.layers().get(0).digest(), "blob is a directory, not a regular file");
        assertProblem(r, m.config().digest(), "blob is a symbolic link, not a regular file");
    }

    @Test
    void wrongDiffIdIsFoundByADeepCheckOnly() throws IOException {
        OciLayout layout = Fixture.singleImage(root, "latest");
        Descriptor layer = onlyManifest(layout).layers().get(1);
        Digest bogus = Digest.sha256("not the layer");
        Fixture.rewriteConfig(layout, "latest", c -> c.withLayers(List.of(c.diffIds().get(0), bogus), c.history()));
        assertClean(verifyIgnoringUnreachable(false));
        Problem p = assertProblem(verify(true), layer.digest(), "but the config's diff_id 2 is " + bogus);
        assertTrue(p.where().contains("> layer 2 "), p.where());
    }

    /** Rewriting a manifest leaves the old one behind; that is a warning, not what these tests are about. */
    private VerifyReport verifyIgnoringUnreachable(boolean deep) throws IOException {
        VerifyReport r = verify(deep);
        List<Problem> warnings = r.warnings().stream().filter(w -> !w.message().contains("not reachable")).toList();
        return new VerifyReport(r.root(), deep, r.problems(), warnings, r.externalBlobs(), r.blobsChecked(), r.bytesRead());
    }

    @Test
    void diffIdCountAndHistoryCount() throws IOException {
        OciLayout layout = Fixture.singleImage(root, "latest");
        Fixture.rewriteConfig(layout, "latest", c -> {
            List<History> h = new ArrayList<>(c.history());
            h.add(new History(Fixture.CREATED, "RUN forgot empty_layer", false));
            return c.withLayers(c.diffIds().subList(0, 1), h);
        });
        VerifyReport r = verify(true);
        assertProblem(r, null, "lists 1 diff_ids but the manifest has 2 layers");
        assertProblem(r, null, "has 3 history entries without empty_layer but the manifest has 2 layers");
    }

    @Test
    void missingOrWrongOciLayoutFile() throws IOException {
        Fixture.singleImage(root, "latest");
        Files.delete(root.resolve("oci-layout"));
        VerifyReport r = verify(true);
        assertEquals(1, r.problems().size(), r.problems()::toString);
        assertTrue(r.problems().get(0).toString().startsWith("oci-layout: oci-layout is missing"));
        Files.writeString(root.resolve("oci-layout"), "{\"imageLayoutVersion\":\"2.0.0\"}");
        assertProblem(verify(false), null, "unsupported imageLayoutVersion '2.0.0'");
        Files.writeString(root.resolve("oci-layout"), "{}");
        assertProblem(verify(false), null, "no imageLayoutVersion");
    }

    @Test
    void unknownAndMisplacedMediaTypes() throws IOException {
        OciLayout layout = Fixture.singleImage(root, "latest");
        Descriptor layer = onlyManifest(layout).layers().get(0);
        Fixture.rewriteManifest(layout, "latest", m -> {
            List<Descriptor> layers = new ArrayList<>(m.layers());
            layers.set(0, layer.withMediaType("application/vnd.example.bogus"));
            layers.set(1, m.layers().get(1).withMediaType(MediaTypes.OCI_CONFIG));
            return m.withLayers(layers);
        });
        VerifyReport r = verify(false);
        assertProblem(r, layer.digest(), "unknown layer media type application/vnd.example.bogus");
        assertProblem(r, null, "media type " + MediaTypes.OCI_CONFIG + " is not a layer type");
    }

    @Test
    void documentMediaTypeMustEqualItsDescriptors() throws IOException {
        OciLayout layout = Fixture.singleImage(root, "latest");
        Descriptor m = layout.resolve("latest");
        layout.tag(LayoutTag.parse("latest"), m.withMediaType(MediaTypes.DOCKER_MANIFEST));
        assertProblem(verify(false), m.digest(), "the document's mediaType is " + MediaTypes.OCI_MANIFEST
                + " but its descriptor says " + MediaTypes.DOCKER_MANIFEST);
    }

    @Test
    void indexEntryThatIsALayer() throws IOException {
        OciLayout layout = Fixture.singleImage(root, "latest");
        Descriptor layer = onlyManifest(layout).layers().get(0);
        layout.tag(LayoutTag.parse("layer"), layer);
        assertProblem(verify(false), layer.digest(), "is not an index or manifest type");
    }

    @Test
    void cycle() throws IOException {
        OciLayout layout = Fixture.singleImage(root, "latest");
        Digest self = Digest.sha256("loop");
        byte[] loop = new ImageIndex(MediaTypes.OCI_INDEX, List.of(new Descriptor(MediaTypes.OCI_INDEX, self, 123))).toBytes();
        Files.write(Fixture.blob(layout, self), loop);
        layout.tag(LayoutTag.parse("loop"), new Descriptor(MediaTypes.OCI_INDEX, self, loop.length));
        VerifyReport r = verify(true);
        assertProblem(r, self, "index cycle");
        assertProblem(r, self, "content hashes to");
        assertProblem(r, self, "size is " + loop.length + " bytes, this descriptor says 123");
    }

    @Test
    void emptyMissingAndBrokenIndexJson() throws IOException {
        OciLayout layout = Fixture.singleImage(root, "latest");
        Fixture.writeIndexJson(layout, new byte[0]);
        VerifyReport r = verify(true);
        assertProblem(r, null, "index.json is empty");
        assertTrue(r.warnings().isEmpty(), "no claim that blobs are unreachable when index.json is unreadable");
        Fixture.writeIndexJson(layout, Fixture.utf8("[]"));
        assertProblem(verify(true), null, "expected a JSON object");
        Files.delete(root.resolve("index.json"));
        assertProblem(verify(true), null, "index.json is missing");
    }

    @Test
    void emptyIndexIsOnlyAWarning() throws IOException {
        OciLayout.openOrCreate(root);
        VerifyReport r = verify(true);
        assertTrue(r.ok());
        assertWarning(r, "the layout holds no image");
    }

    @Test
    void ambiguousTag() throws IOException {
        OciLayout layout = OciLayout.openOrCreate(root);
        Fixture.Image a = Fixture.putImage(layout, Fixture.AMD64, "a");
        Fixture.Image b = Fixture.putImage(layout, Fixture.ARM64, "b");
        Descriptor ta = a.manifest().withAnnotation(MediaTypes.ANNOTATION_REF_NAME, "latest");
        Descriptor tb = b.manifest().withAnnotation(MediaTypes.ANNOTATION_REF_NAME, "latest");
        Fixture.writeIndexJson(layout, new ImageIndex(MediaTypes.OCI_INDEX, List.of(ta, tb)).toBytes());
        assertProblem(verify(false), null, "ambiguous tag 'latest': 2 top-level entries carry it");
        // different full names (as Docker 25+ save writes them) are told apart by kiln: a warning only
        Fixture.writeIndexJson(layout, new ImageIndex(MediaTypes.OCI_INDEX, List.of(
                ta.withAnnotation(MediaTypes.ANNOTATION_CONTAINERD_NAME, "docker.io/library/a:latest"),
                tb.withAnnotation(MediaTypes.ANNOTATION_CONTAINERD_NAME, "docker.io/library/b:latest"))).toBytes());
        VerifyReport r = verify(false);
        assertTrue(r.ok(), r.problems()::toString);
        assertWarning(r, "tag 'latest' is on 2 images with different full names");
    }

    @Test
    void strayFilesAndUnreachableBlobsAreWarnings() throws IOException {
        OciLayout layout = Fixture.singleImage(root, "latest");
        Files.writeString(root.resolve("blobs/README"), "hi");
        Files.writeString(root.resolve("blobs/sha256/blob-1.partial"), "partial");
        Files.createDirectories(root.resolve("blobs/md5"));
        Descriptor orphan = layout.blobs().putBytes(MediaTypes.OCI_LAYER, Fixture.utf8("orphan"));
        VerifyReport r = verify(false);
        assertTrue(r.ok(), r.problems()::toString);
        assertWarning(r, "blobs/README: stray file in blobs/");
        assertWarning(r, "blobs/sha256/blob-1.partial: stray file in blobs/: its name is not a sha256 digest");
        assertWarning(r, "blobs/md5/: stray directory in blobs/");
        assertWarning(r, "blobs/sha256/" + orphan.digest().hex() + ": blob is not reachable from index.json (6 bytes");
        assertEquals(4, r.warnings().size(), r.warnings()::toString);
    }

    @Test
    void absentForeignLayersAreExternalNotProblems() throws IOException {
        OciLayout layout = Fixture.singleImage(root, "latest");
        Descriptor layer = onlyManifest(layout).layers().get(0);
        Descriptor foreign = layer.withMediaType(MediaTypes.OCI_LAYER_NONDISTRIBUTABLE_GZIP)
                .withUrls(List.of("https://example.com/base.tar.gz"));
        Fixture.rewriteManifest(layout, "latest", m -> {
            List<Descriptor> layers = new ArrayList<>(m.layers());
            layers.set(0, foreign);
            return m.withLayers(layers);
        });
        VerifyReport present = verifyIgnoringUnreachable(true);
        assertClean(present);
        assertTrue(present.externalBlobs().isEmpty());
        Files.delete(Fixture.blob(layout, layer.digest()));
        VerifyReport r = verify(true);
        assertTrue(r.ok(), r.problems()::toString);
        assertEquals(1, r.externalBlobs().size());
        VerifyReport.External e = r.externalBlobs().get(0);
        assertEquals(layer.digest(), e.digest());
        assertEquals(List.of("https://example.com/base.tar.gz"), e.urls());
        assertTrue(e.toString().contains("> layer 1 "), e.toString());
    }

    @Test
    void zstdAndUncompressedLayersAreCheckedAgainstDiffIds() throws IOException {
        OciLayout layout = OciLayout.openOrCreate(root);
        byte[] tar1 = Fixture.utf8("zstd layer content ".repeat(100));
        byte[] tar2 = Fixture.utf8("plain layer content");
        Descriptor zstd = layout.blobs().putBytes(MediaTypes.OCI_LAYER_ZSTD, Zstd.compress(tar1));
        Descriptor plain = layout.blobs().putBytes(MediaTypes.OCI_LAYER, tar2);
        ImageConfig config = new ImageConfig(null, null, "amd64", "linux", null, null, null, null,
                List.of(Digest.sha256(tar1), Digest.sha256(tar2)), null, null);
        Descriptor c = layout.blobs().putBytes(MediaTypes.OCI_CONFIG, config.toBytes());
        Descriptor m = layout.blobs().putBytes(MediaTypes.OCI_MANIFEST,
                new ImageManifest(MediaTypes.OCI_MANIFEST, c, List.of(zstd, plain)).toBytes());
        layout.tag(LayoutTag.parse("latest"), m);
        assertClean(verify(true));
        Fixture.rewriteConfig(layout, "latest", cfg -> cfg.withLayers(List.of(Digest.sha256(tar2), Digest.sha256(tar1)), null));
        VerifyReport r = verify(true);
        assertProblem(r, zstd.digest(), "diff_id 1 is " + Digest.sha256(tar2));
        assertProblem(r, plain.digest(), "diff_id 2 is " + Digest.sha256(tar1));
    }

    @Test
    void layerThatDoesNotDecompress() throws IOException {
        OciLayout layout = OciLayout.openOrCreate(root);
        byte[] notGzip = Fixture.utf8("this is not gzip");
        Descriptor layer = layout.blobs().putBytes(MediaTypes.OCI_LAYER_GZIP, notGzip);
        ImageConfig config = new ImageConfig(null, null, "amd64", "linux", null, null, null, null,
                List.of(Digest.sha256(notGzip)), null, null);
        Descriptor c = layout.blobs().putBytes(MediaTypes.OCI_CONFIG, config.toBytes());
        Descriptor m = layout.blobs().putBytes(MediaTypes.OCI_MANIFEST,
                new ImageManifest(MediaTypes.OCI_MANIFEST, c, List.of(layer)).toBytes());
        layout.tag(LayoutTag.parse("latest"), m);
        assertTrue(verify(false).ok());
        assertProblem(verify(true), layer.digest(), "layer cannot decompress as gzip");
    }

    @Test
    void platformMismatchAndMissingMediaTypeAreWarnings() throws IOException {
        OciLayout layout = OciLayout.openOrCreate(root);
        Fixture.Image amd = Fixture.putImage(layout, Fixture.AMD64, "x");
        ImageManifest bare = new ImageManifest(2, null, null, amd.config(), amd.layers(), null, null, null);
        Descriptor m = layout.blobs().putBytes(MediaTypes.OCI_MANIFEST, bare.toBytes());
        Descriptor index = Fixture.putIndex(layout, List.of(m.withPlatform(Fixture.ARM64)));
        layout.tag(LayoutTag.parse("latest"), index);
        VerifyReport r = verify(true);
        assertTrue(r.ok(), r.problems()::toString);
        assertWarning(r, "image manifest has no mediaType field");
        assertWarning(r, "the descriptor's platform is linux/arm64/v8 but config");
    }

    @Test
    void everyCorruptionIsReportedAtOnce() throws IOException {
        OciLayout layout = Fixture.multiPlatform(root, "latest");
        ImageIndex index = ImageIndex.parse(layout.blobs().readSmall(layout.resolve("latest")), "index");
        ImageManifest amd = Fixture.manifest(layout, index.manifests().get(0));
        ImageManifest arm = Fixture.manifest(layout, index.manifests().get(1));
        Descriptor amdApp = amd.layers().get(1);
        Descriptor armApp = arm.layers().get(1);
        Fixture.flipByte(layout, amdApp.digest(), 15);                       // wrong digest
        Files.delete(Fixture.blob(layout, arm.config().digest()));             // missing config
        Files.delete(Fixture.blob(layout, armApp.digest()));                   // missing layer
        Files.delete(root.resolve("oci-layout"));                              // missing oci-layout
        Files.writeString(root.resolve("blobs/stray.txt"), "x");                // stray file
        Fixture.Image extra = Fixture.putImage(layout, Fixture.AMD64, "extra"); // a second tag ...
        layout.tag(LayoutTag.parse("extra"), extra.manifest());
        Files.write(Fixture.blob(layout, extra.config().digest()),              // ... whose config is not JSON,
                Fixture.utf8("x".repeat((int) extra.config().size())));        // same size
        VerifyReport r = verify(true);
        assertProblem(r, amdApp.digest(), "content hashes to");
        assertProblem(r, arm.config().digest(), "blob is missing");
        assertProblem(r, armApp.digest(), "blob is missing");
        assertProblem(r, null, "oci-layout is missing");
        assertProblem(r, extra.config().digest(), "content hashes to");
        assertProblem(r, extra.config().digest(), "invalid JSON");
        assertProblem(r, amdApp.digest(), "layer cannot decompress as gzip"); // the byte hit the gzip trailer
        assertWarning(r, "blobs/stray.txt");
        assertEquals(7, r.problems().size(), () -> String.join("\n", Fixture.strings(r.problems())));
        // in layout order: the layout's files first, then as the walk met them
        assertTrue(r.problems().get(0).toString().startsWith("oci-layout: "));
        assertTrue(r.problems().get(1).where().contains("linux/amd64 manifest"), r.problems()::toString);
        assertTrue(r.problems().get(6).where().startsWith("index.json > extra"), r.problems()::toString);
    }

    @Test
    void jsonOverFourMebibytesIsNotRead() throws IOException {
        OciLayout layout = OciLayout.openOrCreate(root);
        byte[] big = new byte[Json.MAX_DOCUMENT_BYTES + 1];
        Arrays.fill(big, (byte) ' ');
        big[0] = '{';
        big[big.length - 1] = '}';
        Descriptor config = layout.blobs().putBytes(MediaTypes.OCI_CONFIG, big);
        Descriptor m = layout.blobs().putBytes(MediaTypes.OCI_MANIFEST,
                new ImageManifest(MediaTypes.OCI_MANIFEST, config, List.of()).toBytes());
        layout.tag(LayoutTag.parse("latest"), m);
        assertProblem(verify(false), config.digest(), "blob is over the 4194304-byte limit for a JSON document");
    }

    @Test
    void refusesAFolderThatDoesNotExist() {
        LayoutException e = assertThrows(LayoutException.class, () -> new Verifier(fs.getPath("/nowhere"), false).verify());
        assertEquals("/nowhere: no such OCI layout directory", e.getMessage());
    }

    @Test
    void problemsAreOneLine() {
        Problem p = new Problem(null, "index.json", "two\nlines");
        assertEquals("index.json: two lines", p.toString());
        assertThrows(IllegalArgumentException.class, () -> new Problem(null, "", "x"));
        assertThrows(IllegalArgumentException.class, () -> new Problem(null, "x", " "));
    }
}
