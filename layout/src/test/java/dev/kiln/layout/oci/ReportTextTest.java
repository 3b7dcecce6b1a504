package dev.kiln.layout.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.layout.digest.Digest;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The lines {@code verify} and {@code gc} print: counts with the right plural, problems on one
 * line whatever their message held, external blobs with their URLs, and ok only without problems.
 */
class ReportTextTest {
    static final Digest D = Digest.sha256("x");

    static Problem problem(String message) {
        return new Problem(D, "index.json > latest", message);
    }

    @Test
    void summariesCountWithTheRightPlural() {
        try (FileSystem fs = Fixture.jimfs()) {
            Path root = fs.getPath("/layout");
            VerifyReport one = new VerifyReport(root, false, List.of(problem("a")), List.of(problem("w")),
                    List.of(new VerifyReport.External(D, "w", "application/x", null)), 1, 5);
            assertEquals("1 problem, 1 warning, 1 external blob; 1 blob checked, 5 bytes read", one.summary());
            VerifyReport none = new VerifyReport(root, true, List.of(), List.of(), List.of(), 0, 0);
            assertEquals("0 problems, 0 warnings, 0 external blobs; 0 blobs checked, 0 bytes read (deep: layers decompressed)",
                    none.summary());
            assertFalse(one.ok());
            assertTrue(none.ok());
            assertThrows(IllegalArgumentException.class, () -> new VerifyReport(root, false, List.of(), List.of(), List.of(), -1, 0));
            assertThrows(IllegalArgumentException.class, () -> new VerifyReport(root, false, List.of(), List.of(), List.of(), 0, -1));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void gcSummariesCountWithTheRightPlural() {
        assertEquals("removed 1 blob (10 bytes) and 1 temporary file (3 bytes); kept 1 blob",
                new GcReport(false, List.of(D), 10, List.of("t"), 3, 1).summary());
        assertEquals("would remove 0 blobs (0 bytes) and 0 temporary files (0 bytes); kept 0 blobs",
                new GcReport(true, List.of(), 0, List.of(), 0, 0).summary());
        assertEquals("removed 2 blobs (0 bytes) and 2 temporary files (0 bytes); kept 2 blobs",
                new GcReport(false, List.of(D, Digest.sha256("y")), 0, List.of("a", "b"), 0, 2).summary());
        assertThrows(IllegalArgumentException.class, () -> new GcReport(false, List.of(), -1, List.of(), 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new GcReport(false, List.of(), 0, List.of(), -1, 0));
        assertThrows(IllegalArgumentException.class, () -> new GcReport(false, List.of(), 0, List.of(), 0, -1));
    }

    @Test
    void externalBlobsNameTheirUrls() {
        assertEquals("w: external application/x", new VerifyReport.External(D, "w", "application/x", List.of()).toString());
        assertEquals("w: external application/x from https://a/1, https://b/2",
                new VerifyReport.External(D, "w", "application/x", List.of("https://a/1", "https://b/2")).toString());
    }

    @Test
    void aProblemIsOneLineWhateverItsMessageHeld() {
        assertEquals("index.json > latest: a b", problem("a\nb").toString());
        assertEquals(" lead", problem("\nlead").message());
        assertEquals("cr only", problem("cr\ronly").message());
        assertEquals("a b", problem("a\r\n\nb").message());
        assertThrows(IllegalArgumentException.class, () -> problem(" "));
        assertThrows(IllegalArgumentException.class, () -> new Problem(D, "", "m"));
    }
}
