package dev.kiln.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class BlobUploadTest {
    @Test
    void rangeHeadersOfUploadStatus() {
        assertEquals(0, BlobUpload.parseRange(Optional.empty()));
        assertEquals(0, BlobUpload.parseRange(Optional.of("0-0")), "Distribution's answer for an empty upload");
        assertEquals(100, BlobUpload.parseRange(Optional.of("0-99")));
        assertEquals(8388608, BlobUpload.parseRange(Optional.of("bytes=0-8388607")));
        assertThrows(RegistryException.class, () -> BlobUpload.parseRange(Optional.of("5-99")));
        assertThrows(RegistryException.class, () -> BlobUpload.parseRange(Optional.of("nonsense")));
    }
}
