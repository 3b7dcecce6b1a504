package dev.kiln.layout.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.transport.TransportOptions;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A Docker 25+ save is also an OCI layout: read as an oci-archive it works when its index.json
 * lists the image, and when it says {@code "manifests": null} (an image saved by ID) the error
 * says to read it as a docker-archive.
 */
class DockerSaveAsOciArchiveTest {
    private final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());
    private final TransportOptions options = TransportOptions.defaults().withTempDir(fs.getPath("/tmp"));

    @AfterEach
    void close() throws IOException {
        fs.close();
    }

    @Test
    void aSaveWhoseIndexListsTheImageIsReadAsAnOciArchive() throws IOException {
        TestImages.Built a = TestImages.twoPlatforms(fs.getPath("/a"), null);
        Descriptor amd = a.manifests().get("amd64");
        Path t = fs.getPath("/saved.tar");
        new DockerArchiveWriter().write(a.layout(), amd, List.of("hello:1.0"), t); // manifest.json beside index.json
        try (ArchiveSource s = OciArchiveReader.open(t, null, options, "oci-archive:/saved.tar")) {
            assertEquals(amd.digest(), s.root().digest());
        }
        OciArchiveTest.assertEmpty(fs.getPath("/tmp"));
    }

    @Test
    void aSaveByIdWithManifestsNullPointsAtDockerArchive() throws IOException {
        Path t = fs.getPath("/byid.tar");
        new Tars.Builder().file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}")
                .file("index.json", "{\"schemaVersion\":2,\"manifests\":null}")
                .file("manifest.json", "[]").writeTo(t);
        ArchiveException e = assertThrows(ArchiveException.class, () -> OciArchiveReader.open(t, null, options, "oci-archive:/byid.tar"));
        assertTrue(e.getMessage().startsWith("oci-archive:/byid.tar: index.json lists no image (\"manifests\": null"), e.getMessage());
        assertTrue(e.getMessage().endsWith("read the file as docker-archive:/byid.tar"), e.getMessage());
    }
}
