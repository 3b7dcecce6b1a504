package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.kiln.layout.KilnException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import org.junit.jupiter.api.Test;

/** Disk-full errors map to one line wherever ENOSPC surfaces (DiskFullIT shows it on a real tmpfs). */
class FailuresTest {
    @Test
    void noSpaceLeftIsOneLineHoweverItIsWrapped() {
        IOException write = new IOException("No space left on device");
        FileSystemException create = new FileSystemException("/out/.kiln/tmp/blob-1.partial", null, "No space left on device");
        for (Throwable t : new Throwable[] {write, create, new KilnException("layer /a: write failed", write),
            new IOException(new UncheckedIOException(write)), new RuntimeException("boom", create)}) {
            assertEquals(Failures.DISK_FULL, Failures.message(t), t.toString());
        }
    }

    @Test
    void otherErrorsKeepTheirMessage() {
        assertEquals("/x: no such file or directory", Failures.message(new java.nio.file.NoSuchFileException("/x")));
        assertNotEquals(Failures.DISK_FULL, Failures.message(new IOException("Broken pipe")));
    }
}
