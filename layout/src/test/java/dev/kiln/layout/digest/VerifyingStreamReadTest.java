package dev.kiln.layout.digest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/**
 * However a verifying stream is read (a byte at a time, with empty reads, by skipping), every byte
 * counts toward the check: only the end of the content is its end, a zero byte is content, skipped
 * bytes are hashed, and a stream longer than promised fails at once instead of being read on.
 */
class VerifyingStreamReadTest {
    static final byte[] WITH_ZEROS = {0, 1, 0, 0, 2, 0};

    static VerifyingInputStream verifying(byte[] content, long size) {
        return new VerifyingInputStream(new ByteArrayInputStream(content), Digest.sha256(content), size, "blob");
    }

    @Test
    void zeroBytesReadOneAtATimeAreContentNotTheEnd() throws IOException {
        VerifyingInputStream in = verifying(WITH_ZEROS, WITH_ZEROS.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != -1; ) {
            out.write(b);
        }
        assertArrayEquals(WITH_ZEROS, out.toByteArray());
        assertEquals(WITH_ZEROS.length, in.count());
    }

    @Test
    void anEmptyReadIsNotTheEnd() throws IOException {
        VerifyingInputStream in = verifying(WITH_ZEROS, WITH_ZEROS.length);
        byte[] buf = new byte[4];
        assertEquals(0, in.read(buf, 0, 0));
        assertEquals(2, in.read(buf, 0, 2));
        assertEquals(0, in.read(buf, 2, 0));
        assertArrayEquals(new byte[] {0, 0, 2, 0}, in.readAllBytes());
        assertEquals(-1, in.read());
    }

    @Test
    void skippedBytesAreHashedSoTheCheckStillCoversThem() throws IOException {
        byte[] big = new byte[20_000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 7);
        }
        VerifyingInputStream in = verifying(big, big.length);
        assertEquals(10_000, in.skip(10_000), "more than one buffer's worth");
        assertEquals(10_000, in.count());
        assertEquals(big[10_000], (byte) in.read());
        assertEquals(9_999, in.skip(50_000), "skipping past the end stops at it");
        assertEquals(-1, in.read());
        assertEquals(0, in.skip(5));

        byte[] corrupt = big.clone();
        corrupt[3] ^= 1;
        VerifyingInputStream bad = new VerifyingInputStream(new ByteArrayInputStream(corrupt), Digest.sha256(big), big.length, "blob");
        bad.skip(100);
        assertThrows(DigestMismatchException.class, bad::readAllBytes, "a corruption in skipped bytes is still found");
    }

    @Test
    void aStreamLongerThanPromisedFailsAtOnceNotAtItsEnd() throws IOException {
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 'x';
            }
        };
        VerifyingInputStream none = new VerifyingInputStream(endless, Digest.sha256(""), 0, "blob");
        DigestMismatchException e = assertThrows(DigestMismatchException.class, none::read);
        assertTrue(e.getMessage().contains("more than the expected 0 bytes"), e.getMessage());
        VerifyingInputStream three = new VerifyingInputStream(endless, Digest.sha256("xxx"), 3, "blob");
        for (int i = 0; i < 3; i++) {
            assertEquals('x', three.read());
        }
        assertThrows(DigestMismatchException.class, three::read, "the first byte too many");
    }

    @Test
    void contentOfExactlyThePromisedSizeIsNotTooLong() throws IOException {
        VerifyingInputStream in = verifying(WITH_ZEROS, WITH_ZEROS.length);
        for (int i = 0; i < WITH_ZEROS.length; i++) {
            assertEquals(WITH_ZEROS[i], (byte) in.read());
        }
        assertEquals(-1, in.read());
    }

    @Test
    void itCannotBeRewound() {
        assertFalse(verifying(WITH_ZEROS, WITH_ZEROS.length).markSupported(), "a reset would hash bytes twice");
    }
}
