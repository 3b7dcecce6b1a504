package dev.kiln.registry.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A challenge from a sloppy or hostile registry is parsed without failing: an unterminated quoted
 * value takes what there is, a trailing backslash is kept, control characters and DEL end a token,
 * and a lone token68 is kept as such (not also taken for the scheme of a second challenge, which
 * a token68 of {@code Bearer} would turn into a Bearer challenge without realm).
 */
class ChallengeQuotingTest {
    static Challenge one(String header) {
        List<Challenge> cs = Challenge.parse(header);
        assertEquals(1, cs.size(), cs.toString());
        return cs.get(0);
    }

    @Test
    void anUnterminatedQuotedValueTakesWhatThereIs() {
        assertEquals("https://t.example/token", one("Bearer realm=\"https://t.example/token").realm());
        assertEquals("abc\\", one("Bearer realm=\"abc\\").realm());
        assertEquals("", one("Bearer realm=\"").realm());
    }

    @Test
    void controlCharactersAndDelEndAToken() {
        assertEquals(Map.of("realm", "abc"), one("Bearer realm=abc\u007f").params());
        assertEquals("abc", one("Bearer realm=abc\u0001").realm());
        assertEquals("x~", one("Bearer realm=x~").realm(), "~ (0x7e) is a token character");
    }

    @Test
    void aLoneToken68IsKept() {
        assertEquals(Map.of("token68", "abcdef"), one("Negotiate abcdef").params());
        assertEquals("Negotiate", one("Negotiate Bearer").scheme());
    }
}
