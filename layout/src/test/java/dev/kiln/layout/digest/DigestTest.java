package dev.kiln.layout.digest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DigestTest {
    // sha256("") and sha512("")
    static final String EMPTY256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    static final String EMPTY512 = "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
            + "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e";

    @Test
    void parsesSha256AndSha512() {
        Digest d = Digest.parse("sha256:" + EMPTY256);
        assertEquals("sha256", d.algorithm());
        assertEquals(EMPTY256, d.hex());
        assertEquals("sha256:" + EMPTY256, d.toString());
        assertEquals("e3b0c44298fc", d.shortHex());
        Digest e = Digest.parse("sha512:" + EMPTY512);
        assertEquals("sha512", e.algorithm());
        assertEquals(e, Digest.of("sha512", new byte[0]));
    }

    @Test
    void computesDigestsOfBytesStringsAndStreams() throws IOException {
        assertEquals(Digest.parse("sha256:" + EMPTY256), Digest.sha256(new byte[0]));
        Digest abc = Digest.sha256("abc");
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", abc.hex());
        assertEquals(abc, Digest.sha256(new ByteArrayInputStream("abc".getBytes(StandardCharsets.UTF_8))));
        assertTrue(abc.matches("abc".getBytes(StandardCharsets.UTF_8)));
        assertFalse(abc.matches("abd".getBytes(StandardCharsets.UTF_8)));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85g", // bad hex
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",  // too short
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555", // too long
        "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", // upper-case hex
        "sha512:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", // sha256 length
        "SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", // upper-case algorithm
        "md5:d41d8cd98f00b204e9800998ecf8427e",                                    // unknown algorithm
        "sha384:38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",        // no algorithm
        ":e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "sha256:",
        "",
        "sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",
    })
    void refusesMalformedDigests(String text) {
        assertThrows(InvalidDigestException.class, () -> Digest.parse(text));
    }

    @Test
    void messagesSayWhatIsWrong() {
        assertEquals("unsupported digest algorithm 'md5' (sha256 and sha512 are supported)",
                assertThrows(InvalidDigestException.class, () -> Digest.parse("md5:abc")).getMessage());
        assertEquals("invalid sha256 digest 'ABC': want 64 lower-case hex characters",
                assertThrows(InvalidDigestException.class, () -> Digest.parse("sha256:ABC")).getMessage());
        assertEquals("invalid digest 'nocolon': want algorithm:hex",
                assertThrows(InvalidDigestException.class, () -> Digest.parse("nocolon")).getMessage());
        assertEquals("missing digest", assertThrows(InvalidDigestException.class, () -> Digest.parse(null)).getMessage());
        assertTrue(assertThrows(InvalidDigestException.class, () -> Digest.parse("sha256:\u0001\n"))
                .getMessage().contains("'??'"), "control characters are not echoed");
    }

    @Test
    void ordersByText() {
        Digest a = Digest.sha256("a");
        Digest b = Digest.sha256("b");
        assertEquals(Integer.signum(a.toString().compareTo(b.toString())), Integer.signum(a.compareTo(b)));
        assertEquals(0, a.compareTo(Digest.parse(a.toString())));
    }

    @Test
    void digestingOutputStreamCountsAndHashes() throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        DigestingOutputStream out = new DigestingOutputStream(sink);
        out.write('a');
        out.write("bc".getBytes(StandardCharsets.UTF_8));
        assertEquals(3, out.size());
        assertEquals(Digest.sha256("abc"), out.digest());
        assertEquals("abc", sink.toString(StandardCharsets.UTF_8));
    }

    @Test
    void verifyingInputStreamFailsAtEndOnMismatch() throws IOException {
        byte[] abc = "abc".getBytes(StandardCharsets.UTF_8);
        try (InputStream in = new VerifyingInputStream(new ByteArrayInputStream(abc), Digest.sha256("abc"), 3, "blob")) {
            assertEquals("abc", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        InputStream wrong = new VerifyingInputStream(new ByteArrayInputStream(abc), Digest.sha256("abd"), 3, "blob");
        assertEquals('a', wrong.read());
        DigestMismatchException e = assertThrows(DigestMismatchException.class, wrong::readAllBytes);
        assertEquals("blob " + Digest.sha256("abd") + ": content hashes to " + Digest.sha256("abc"), e.getMessage());
        InputStream longer = new VerifyingInputStream(new ByteArrayInputStream(abc), Digest.sha256("abc"), 2, "blob");
        assertTrue(assertThrows(DigestMismatchException.class, longer::readAllBytes).getMessage()
                .endsWith("more than the expected 2 bytes"));
        InputStream shorter = new VerifyingInputStream(new ByteArrayInputStream(abc), Digest.sha256("abc"), 4, "blob");
        assertTrue(assertThrows(DigestMismatchException.class, shorter::readAllBytes).getMessage()
                .endsWith("size is 3 bytes, expected 4"));
    }
}
