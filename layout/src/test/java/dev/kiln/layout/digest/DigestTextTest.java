package dev.kiln.layout.digest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Errors about digests quote what was given on one readable, bounded line (control characters as
 * {@code ?}, at most 80 characters then {@code ...}); digests work as map keys; a running hash can
 * be copied to finish one copy while the other goes on.
 */
class DigestTextTest {
    static String message(String text) {
        return assertThrows(InvalidDigestException.class, () -> Digest.parse(text)).getMessage();
    }

    @Test
    void aDigestWithoutAlgorithmSaysWhatFormIsWanted() {
        assertEquals("invalid digest ':abc': want algorithm:hex", message(":abc"));
        assertEquals("invalid digest 'abc': want algorithm:hex", message("abc"));
    }

    @Test
    void controlCharactersAreShownAsQuestionMarksAndSpacesKept() {
        assertEquals("invalid sha256 digest 'a b?c?d?': want 64 lower-case hex characters", message("sha256:a b\nc\u007fd\u001f"));
    }

    @Test
    void longInputIsCutAtEightyCharacters() {
        String eighty = "a".repeat(80);
        assertEquals("invalid sha256 digest '" + eighty + "': want 64 lower-case hex characters", message("sha256:" + eighty));
        assertEquals("invalid sha256 digest '" + eighty + "...': want 64 lower-case hex characters", message("sha256:" + eighty + "b"));
        String m = message("md5:" + "z".repeat(500));
        assertTrue(m.length() < 200, m);
    }

    @Test
    void distinctDigestsHashDistinctly() {
        Set<Integer> hashes = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            Digest d = Digest.sha256("blob " + i);
            hashes.add(d.hashCode());
            assertEquals(d.hashCode(), Digest.parse(d.toString()).hashCode());
        }
        assertTrue(hashes.size() > 990, hashes.size() + " distinct hash codes of 1000");
    }

    @Test
    void aCopiedHashFinishesIndependently() {
        MessageDigest md = Digest.messageDigest("sha256");
        md.update("abc".getBytes());
        MessageDigest copy = Digest.copyOf(md);
        md.update("def".getBytes());
        assertEquals(Digest.sha256("abc"), Digest.of("sha256", copy));
        assertEquals(Digest.sha256("abcdef"), Digest.of("sha256", md));
        assertNotEquals(copy, md);
    }
}
