package dev.kiln.layout.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageIndex;
import dev.kiln.layout.spec.MediaTypes;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WalkerTest {
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

    @Test
    void walksSingleImageParentsFirst() throws IOException {
        OciLayout layout = Fixture.singleImage(root, "latest");
        Walk walk = Walker.of(layout).walk();
        assertTrue(walk.complete(), () -> walk.problems().toString());
        List<WalkNode> nodes = walk.nodes();
        assertEquals(List.of(WalkNode.Kind.MANIFEST, WalkNode.Kind.CONFIG, WalkNode.Kind.LAYER, WalkNode.Kind.LAYER),
                nodes.stream().map(WalkNode::kind).toList());
        assertEquals(4, walk.reachable().size());
        assertEquals(1, walk.documentsRead());
        WalkNode manifest = nodes.get(0);
        assertTrue(manifest.read());
        assertEquals(MediaTypes.OCI_MANIFEST, manifest.documentMediaType());
        assertEquals(3, walk.children(manifest).size());
        WalkNode layer2 = nodes.get(3);
        assertEquals(1, layer2.position());
        assertEquals("index.json > latest (" + BlobFiles.shortDigest(manifest.digest()) + ") > layer 2 "
                + BlobFiles.shortDigest(layer2.digest()), layer2.where());
        assertEquals(List.of(manifest, layer2), layer2.path());
    }

    @Test
    void visitsSharedLayerOnceAndRecordsPlatformInPath() throws IOException {
        OciLayout layout = Fixture.multiPlatform(root, "latest");
        Walk walk = Walker.of(layout).walk();
        assertTrue(walk.complete(), () -> walk.problems().toString());
        // index, 2 manifests, 2 configs, shared base + 2 app layers
        assertEquals(8, walk.reachable().size());
        assertEquals(9, walk.nodes().size());
        List<WalkNode> repeats = walk.nodes().stream().filter(n -> !n.first()).toList();
        assertEquals(1, repeats.size());
        WalkNode repeat = repeats.get(0);
        assertEquals(WalkNode.Kind.LAYER, repeat.kind());
        assertTrue(walk.children(repeat).isEmpty());
        assertTrue(repeat.where().matches("index\\.json > latest \\(sha256:[0-9a-f]{12}\\.\\.\\) > "
                + "linux/arm64/v8 manifest sha256:[0-9a-f]{12}\\.\\. > layer 1 sha256:[0-9a-f]{12}\\.\\."), repeat.where());
        assertTrue(walk.first(repeat.digest()).where().contains("linux/amd64 manifest"));
    }

    @Test
    void reportsAnIndexThatListsItselfInsteadOfLoopingForever() throws IOException {
        OciLayout layout = OciLayout.openOrCreate(root);
        // no content can hash to a digest it contains, so a cycle always involves a blob stored under a wrong name
        Digest self = Digest.sha256("the index that lists itself");
        byte[] loop = new ImageIndex(MediaTypes.OCI_INDEX, List.of(new Descriptor(MediaTypes.OCI_INDEX, self, 300)))
                .toBytes();
        Files.createDirectories(Fixture.blob(layout, self).getParent());
        Files.write(Fixture.blob(layout, self), loop);
        layout.tag(LayoutTag.parse("loop"), new Descriptor(MediaTypes.OCI_INDEX, self, loop.length));
        Walk walk = Walker.of(layout).walk();
        assertFalse(walk.complete());
        assertTrue(walk.problems().stream().anyMatch(p -> p.message().contains("index cycle")), walk.problems()::toString);
        assertTrue(walk.problems().stream().anyMatch(p -> p.message().contains("content hashes to")));
        assertEquals(2, walk.nodes().size());
    }

    @Test
    void reportsATwoIndexCycle() throws IOException {
        OciLayout layout = OciLayout.openOrCreate(root);
        Digest a = Digest.sha256("index a");
        byte[] bBytes = new ImageIndex(MediaTypes.OCI_INDEX, List.of(new Descriptor(MediaTypes.OCI_INDEX, a, 10))).toBytes();
        Descriptor b = layout.blobs().putBytes(MediaTypes.OCI_INDEX, bBytes);
        byte[] aBytes = new ImageIndex(MediaTypes.OCI_INDEX, List.of(b)).toBytes();
        Files.write(Fixture.blob(layout, a), aBytes);
        layout.tag(LayoutTag.parse("a"), new Descriptor(MediaTypes.OCI_INDEX, a, aBytes.length));
        Walk walk = Walker.of(layout).walk();
        assertTrue(walk.problems().stream().anyMatch(p -> p.message().contains("index cycle")
                && p.where().contains("> index " + BlobFiles.shortDigest(b.digest()) + " > index "
                + BlobFiles.shortDigest(a))), walk.problems()::toString);
    }

    @Test
    void deepNestingDoesNotOverflowTheStack() throws IOException {
        OciLayout layout = OciLayout.openOrCreate(root);
        Fixture.Image image = Fixture.putImage(layout, Fixture.AMD64, "x");
        Descriptor d = image.manifest();
        for (int i = 0; i < 3000; i++) {
            d = Fixture.putIndex(layout, List.of(d));
        }
        layout.tag(LayoutTag.parse("deep"), d);
        Walk walk = Walker.of(layout).walk();
        assertTrue(walk.complete(), () -> walk.problems().toString());
        assertEquals(3000 + 3, walk.reachable().size());
    }

    @Test
    void missingAndUnparseableManifestsMakeTheWalkIncomplete() throws IOException {
        OciLayout layout = Fixture.multiPlatform(root, "latest");
        Descriptor index = layout.resolve("latest");
        ImageIndex parsed = ImageIndex.parse(layout.blobs().readSmall(index), "index");
        Digest amd = parsed.manifests().get(0).digest();
        Digest arm = parsed.manifests().get(1).digest();
        Files.delete(Fixture.blob(layout, amd));
        Files.write(Fixture.blob(layout, arm), Fixture.utf8("{not json"));
        Walk walk = Walker.of(layout).walk();
        assertFalse(walk.complete());
        // missing; then wrong size, wrong digest and not JSON
        assertEquals(4, walk.problems().size(), walk.problems()::toString);
        assertTrue(walk.problems().get(0).message().contains("blob is missing (blobs/sha256/" + amd.hex() + ")"));
        assertEquals(amd, walk.problems().get(0).digest());
        assertTrue(walk.problems().get(3).message().contains("invalid JSON"), walk.problems()::toString);
        assertEquals(arm, walk.problems().get(3).digest());
        assertTrue(walk.reachable().contains(amd), "a missing manifest is still referenced");
    }

    @Test
    void followsAnEntryWithAnUnknownMediaTypeWhenItIsAManifest() throws IOException {
        OciLayout layout = OciLayout.openOrCreate(root);
        Fixture.Image image = Fixture.putImage(layout, Fixture.AMD64, "x");
        layout.tag(LayoutTag.parse("odd"), image.manifest().withMediaType("application/vnd.example.odd+json"));
        Walk walk = Walker.of(layout).walk();
        assertTrue(walk.complete(), () -> walk.problems().toString());
        assertTrue(walk.reachable().containsAll(List.of(image.config().digest(), image.layers().get(0).digest())));
        assertEquals(WalkNode.Kind.MANIFEST, walk.nodes().get(0).kind());
    }

    @Test
    void aBigBlobOfUnknownTypeInIndexJsonIsALeafNotAProblem() throws IOException {
        OciLayout layout = OciLayout.openOrCreate(root);
        Descriptor big = layout.blobs().putBytes("application/vnd.example.big",
                new byte[dev.kiln.layout.json.Json.MAX_DOCUMENT_BYTES + 10]);
        layout.tag(LayoutTag.parse("big"), big);
        Walk walk = Walker.of(layout).walk();
        assertTrue(walk.complete(), () -> walk.problems().toString());
        assertFalse(walk.nodes().get(0).read());
        assertEquals(WalkNode.Kind.BLOB, walk.nodes().get(0).kind());
        VerifyReport r = new Verifier(root, true).verify();
        assertEquals(List.of("index.json > big (" + BlobFiles.shortDigest(big.digest())
                + "): unknown media type application/vnd.example.big"), Fixture.strings(r.problems()));
        assertEquals(1, r.blobsChecked(), "streamed by the verifier");
    }

    @Test
    void reportsMissingEmptyAndBrokenIndexJson() throws IOException {
        OciLayout layout = OciLayout.openOrCreate(root);
        Path indexJson = root.resolve("index.json");
        Fixture.writeIndexJson(layout, new byte[0]);
        Walk empty = Walker.of(layout).walk();
        assertNull(empty.index());
        assertEquals("index.json: index.json is empty (want an image index)", empty.problems().get(0).toString());
        Fixture.writeIndexJson(layout, Fixture.utf8("{\"schemaVersion\":2}"));
        assertTrue(Walker.of(layout).walk().problems().get(0).message().contains("manifests"));
        Files.delete(indexJson);
        assertEquals("index.json is missing", Walker.of(layout).walk().problems().get(0).message());
    }

    @Test
    void readsADigestListedByAnIndexEvenWhenFirstMetAsALayer() throws IOException {
        OciLayout layout = OciLayout.openOrCreate(root);
        Fixture.Image inner = Fixture.putImage(layout, Fixture.AMD64, "inner");
        Fixture.Image outer = Fixture.putImage(layout, Fixture.AMD64, "outer");
        // a hostile manifest that names the inner manifest as a layer, listed before the real reference
        Descriptor odd = layout.blobs().putBytes(MediaTypes.OCI_MANIFEST,
                Fixture.manifest(layout, outer.manifest()).withLayers(List.of(inner.manifest())).toBytes());
        Descriptor index = Fixture.putIndex(layout, List.of(odd, inner.manifest()));
        layout.tag(LayoutTag.parse("t"), index);
        Walk walk = Walker.of(layout).walk();
        assertTrue(walk.reachable().contains(inner.layers().get(0).digest()), walk.nodes()::toString);
    }
}
