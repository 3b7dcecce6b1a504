package dev.kiln.layout.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.layout.KilnException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

/**
 * A tar read strictly pays for every byte it consumes, however the reader gets past an entry
 * (reading it whole, a byte at a time, or skipping it), so a decompression bomb meets its budget;
 * file content of any size is content, but a header (with its PAX records or long name) over
 * {@value StrictTarInput#MAX_HEADER_BYTES} bytes is refused, and so is a tar cut inside a header.
 */
class TarHeaderBudgetTest {
    static final byte[] BIG = new byte[2 * StrictTarInput.MAX_HEADER_BYTES];

    static byte[] tar() {
        Arrays.fill(BIG, (byte) 'b');
        return new Tars.Builder().file("small", "hello").file("big", BIG).file("last", "bye").bytes();
    }

    static StrictTarInput open(byte[] tar, AtomicLong spent) {
        return StrictTarInput.open(new ByteArrayInputStream(tar), spent::addAndGet, "layer 1");
    }

    @Test
    void contentReadWholeOrByteByByteIsPaidForAndLargeContentIsNoHeader() throws IOException {
        byte[] tar = tar();
        AtomicLong spent = new AtomicLong();
        try (TarArchiveInputStream in = open(tar, spent)) {
            assertEquals("small", in.getNextEntry().getName());
            ByteArrayOutputStream small = new ByteArrayOutputStream();
            for (int b; (b = in.read()) != -1; ) {
                small.write(b);
            }
            assertEquals("hello", small.toString());
            assertEquals("big", in.getNextEntry().getName());
            assertArrayEquals(BIG, in.readAllBytes());
            assertEquals("last", in.getNextEntry().getName());
            assertNull(in.getNextEntry());
        }
        assertTrue(spent.get() >= tar.length - 2 * 512 && spent.get() <= tar.length, spent + " of " + tar.length);
    }

    @Test
    void contentLeftUnreadIsPaidForAndIsNoPartOfTheNextHeader() throws IOException {
        // before the fix, the 2 MiB a reader left unread were counted into the next header: "a header is over 1048576 bytes"
        byte[] tar = tar();
        AtomicLong spent = new AtomicLong();
        try (TarArchiveInputStream in = open(tar, spent)) {
            while (in.getNextEntry() != null) {
                // content not read: the reader skips it
            }
        }
        assertTrue(spent.get() >= BIG.length, spent + " for a tar with " + BIG.length + " bytes of content");
    }

    @Test
    void aBudgetThatRunsOutStopsTheRead() {
        byte[] tar = tar();
        long[] left = {100_000};
        TarArchiveInputStream in = StrictTarInput.open(new ByteArrayInputStream(tar), n -> {
            left[0] -= n;
            if (left[0] < 0) {
                throw new KilnException("layer 1: over the budget");
            }
        }, "layer 1");
        KilnException e = assertThrows(KilnException.class, () -> {
            while (in.getNextEntry() != null) {
                in.readAllBytes();
            }
        });
        assertEquals("layer 1: over the budget", e.getMessage());
    }

    @Test
    void aHeaderOverTheLimitIsRefused() throws IOException {
        TarArchiveEntry e = new TarArchiveEntry("x", true);
        e.addPaxHeader("comment", "c".repeat(StrictTarInput.MAX_HEADER_BYTES + 1));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (var out = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(bytes, 512)) {
            out.putArchiveEntry(e);
            out.closeArchiveEntry();
        }
        AtomicLong spent = new AtomicLong();
        try (TarArchiveInputStream in = open(bytes.toByteArray(), spent)) {
            KilnException x = assertThrows(KilnException.class, in::getNextEntry);
            assertEquals("layer 1: invalid tar: a header (with its PAX records or GNU long name) is over 1048576 bytes", x.getMessage());
        }
    }

    @Test
    void aTarCutInsideAHeaderIsRefused() throws IOException {
        byte[] tar = new Tars.Builder().file("a", "x").file("b", "y").bytes();
        byte[] cut = Arrays.copyOf(tar, 1024 + 300); // a's header and content, then part of b's header
        try (TarArchiveInputStream in = open(cut, new AtomicLong())) {
            assertEquals("a", in.getNextEntry().getName());
            IOException e = assertThrows(IOException.class, in::getNextEntry);
            assertEquals("the tar ends inside a header (truncated)", e.getMessage());
        }
    }
}
