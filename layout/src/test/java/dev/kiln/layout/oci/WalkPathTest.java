package dev.kiln.layout.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.MediaTypes;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A walk tells where each blob was reached from ({@code index.json > tag (digest) > platform
 * manifest digest > layer N digest}) and how deep, reads every document once, counts the bytes it
 * read, and takes a document without {@code manifests} or {@code config} for what its media type says.
 */
class WalkPathTest {
    FileSystem fs;
    Path root;

    @BeforeEach
    void setUp() {
        fs = Fixture.jimfs();
        root = fs.getPath("/layout");
    }

    @AfterEach
    void tearDown() throws IOException {
        fs.close();
    }

    static String shortDigest(Descriptor d) {
        return BlobFiles.shortDigest(d.digest());
    }

    @Test
    void eachNodeSaysWhereItWasReachedFromAndHowDeep() throws IOException {
        OciLayout layout = Fixture.multiPlatform(root, "latest");
        Walk walk = new Walker(root).walk();
        assertEquals(root, walk.root());
        Descriptor index = layout.resolve("latest");
        WalkNode top = walk.nodes().get(0);
        assertEquals(0, top.depth());
        assertNotNull(top.index(), "the top index was read and parsed");
        assertNull(top.manifest());
        assertEquals("index.json > latest (" + shortDigest(index) + ")", top.where());
        assertEquals(top.where(), top.toString());
        WalkNode layer = walk.nodes().stream().filter(n -> n.kind() == WalkNode.Kind.LAYER).findFirst().orElseThrow();
        assertEquals(2, layer.depth());
        String d = "sha256:[0-9a-f]{12}\\.\\.";
        assertTrue(layer.where().matches("index\\.json > latest \\(" + d + "\\) > linux/amd64 manifest " + d + " > layer 1 " + d),
                layer.where());
        assertEquals(List.of(top, layer.parent(), layer), layer.path());
    }

    @Test
    void sharedBlobsAreVisitedFirstOnceAndTheBytesReadCounted() throws IOException {
        Fixture.multiPlatform(root, "latest");
        Walk walk = new Walker(root).walk();
        long documents = 0;
        for (WalkNode n : walk.firstVisits()) {
            assertTrue(n.first());
            if (n.read()) {
                documents += Files.size(BlobFiles.path(root, n.digest()));
            }
        }
        documents += Files.size(root.resolve(OciLayout.INDEX_FILE));
        assertEquals(documents, walk.bytesRead(), "index.json and every document read once: the index and two manifests");
        assertTrue(walk.firstVisits().size() < walk.nodes().size(), "the shared base layer is visited twice, first once");
        assertEquals(3, walk.documentsRead());
    }

    @Test
    void aDocumentWithNeitherManifestsNorConfigIsWhatItsMediaTypeSays() throws IOException {
        OciLayout layout = OciLayout.openOrCreate(root);
        Descriptor bareIndex = layout.blobs().putBytes(MediaTypes.OCI_INDEX,
                Fixture.utf8("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\"}"));
        // the document's own mediaType wins over its descriptor's
        Descriptor ownSaysIndex = layout.blobs().putBytes(MediaTypes.OCI_MANIFEST,
                Fixture.utf8("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"x\":1}"));
        Descriptor untyped = layout.blobs().putBytes(MediaTypes.OCI_MANIFEST, Fixture.utf8("{\"schemaVersion\":2}"));
        layout.tag(LayoutTag.parse("a"), bareIndex);
        layout.tag(LayoutTag.parse("b"), ownSaysIndex);
        layout.tag(LayoutTag.parse("c"), untyped);
        Walk walk = new Walker(root).walk();
        assertEquals(WalkNode.Kind.INDEX, kindOf(walk, bareIndex));
        assertEquals(WalkNode.Kind.INDEX, kindOf(walk, ownSaysIndex));
        assertEquals(WalkNode.Kind.MANIFEST, kindOf(walk, untyped));
    }

    static WalkNode.Kind kindOf(Walk walk, Descriptor d) {
        return walk.nodes().stream().filter(n -> n.digest().equals(d.digest())).findFirst().orElseThrow().kind();
    }
}
