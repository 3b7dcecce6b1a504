package dev.kiln.builder.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What kiln unpacks to disk never carries setuid bits or the tar's owners; the metadata keeps them for the layer. */
class RootfsExtractorTest {
    @TempDir
    Path tmp;

    @Test
    void modesAndOwnersGoToTheMetadataNotToTheDisk() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(bytes)) {
            TarArchiveEntry d = new TarArchiveEntry("bin/");
            d.setMode(040750);
            d.setUserId(7);
            d.setGroupId(8);
            t.putArchiveEntry(d);
            t.closeArchiveEntry();
            TarArchiveEntry f = new TarArchiveEntry("bin/su");
            f.setMode(0106755);
            f.setUserId(7);
            f.setGroupId(8);
            f.setSize(3);
            t.putArchiveEntry(f);
            t.write("su\n".getBytes());
            t.closeArchiveEntry();
            TarArchiveEntry gone = new TarArchiveEntry("old/.wh.x");
            t.putArchiveEntry(gone);
            t.closeArchiveEntry();
        }
        RootfsExtractor x = new RootfsExtractor(tmp, 1 << 20);
        x.apply(new ByteArrayInputStream(bytes.toByteArray()), "test tar");
        assertEquals(new RootfsExtractor.Meta(06755, 7, 8), x.metadata("bin/su"));
        assertEquals(new RootfsExtractor.Meta(0750, 7, 8), x.metadata("bin"));
        assertNull(x.metadata("old"), "a folder no entry named has no metadata");
        int onDisk = (Integer) Files.getAttribute(tmp.resolve("bin/su"), "unix:mode") & 07777;
        assertEquals(0, onDisk & 07000, "no setuid, setgid or sticky bit on the host's disk");
        assertFalse(Files.getPosixFilePermissions(tmp.resolve("bin/su")).contains(PosixFilePermission.OTHERS_WRITE));
    }
}
