package dev.kiln.layout.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.kiln.layout.transport.ImageReference;
import dev.kiln.layout.transport.TransportException;
import dev.kiln.layout.transport.TransportOptions;
import dev.kiln.layout.transport.Transports;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An archive kiln refuses leaves nothing behind: an oci-archive of an image-layout version kiln
 * does not know is refused before it is used, and a docker-archive destination with a name it
 * cannot hold is refused with its temporary folder removed.
 */
class ArchiveLeftoverTest {
    private final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());
    private final Path tmp = fs.getPath("/tmp");
    private final TransportOptions options = TransportOptions.defaults().withTempDir(tmp);

    @AfterEach
    void close() throws IOException {
        fs.close();
    }

    @Test
    void aStagedDockerArchiveDestinationWithADigestNameIsRefused() throws IOException {
        dev.kiln.layout.oci.OciLayout staged = dev.kiln.layout.oci.OciLayout.openOrCreate(fs.getPath("/staged"));
        ImageReference ref = ImageReference.parse("docker-archive:/y.tar:hello@sha256:" + "b".repeat(64));
        TransportException e = assertThrows(TransportException.class, () -> ArchiveTransports.fromStaged(ref, fs, options, staged));
        assertTrue(e.getMessage().contains("a docker-archive needs NAME:TAG, not a digest"), e.getMessage());
    }

    @Test
    void anArchiveSourceSaysWhatItHoldsAndWhatItIs() throws IOException {
        TestImages.Built a = TestImages.twoPlatforms(fs.getPath("/a"), "1.0");
        Path t = fs.getPath("/s.tar");
        new DockerArchiveWriter().write(a.layout(), a.manifests().get("amd64"), java.util.List.of("hello:1.0"), t);
        try (ArchiveSource s = DockerArchiveReader.open(t, "hello:1.0", options, "docker-archive:/s.tar:hello:1.0")) {
            assertEquals("docker-archive:/s.tar:hello:1.0", s.describe());
            assertTrue(s.hasBlob(s.root()));
            assertTrue(!s.hasBlob(new dev.kiln.layout.spec.Descriptor(dev.kiln.layout.spec.MediaTypes.OCI_LAYER,
                    dev.kiln.layout.digest.Digest.sha256("not in it"), 9)));
        }
        OciArchiveTest.assertEmpty(tmp);
    }

    @Test
    void anOciArchiveOfAnotherLayoutVersionIsRefused() throws IOException {
        Path a = fs.getPath("/v2.tar");
        new Tars.Builder().file("oci-layout", "{\"imageLayoutVersion\":\"2.0.0\"}")
                .file("index.json", "{\"schemaVersion\":2,\"manifests\":[]}").writeTo(a);
        ArchiveException e = assertThrows(ArchiveException.class, () -> OciArchiveReader.open(a, null, options, "oci-archive:/v2.tar"));
        assertEquals("oci-archive:/v2.tar: oci-layout: unsupported imageLayoutVersion '2.0.0' (want 1.0.0)", e.getMessage());
        OciArchiveTest.assertEmpty(tmp);
    }

    @Test
    void aDockerArchiveDestinationWithADigestNameIsRefusedWithoutLeftovers() throws IOException {
        String ref = "docker-archive:/x.tar:hello@sha256:" + "a".repeat(64);
        TransportException e = assertThrows(TransportException.class,
                () -> Transports.standard().openDestination(ImageReference.parse(ref), fs, options));
        assertTrue(e.getMessage().contains("a docker-archive needs NAME:TAG, not a digest"), e.getMessage());
        OciArchiveTest.assertEmpty(tmp);
    }
}
