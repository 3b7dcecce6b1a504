package dev.kiln.registry.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/**
 * {@link Credentials#redact} keeps a quoted message readable: every occurrence of the secret and
 * of its {@code base64(user:secret)} form becomes {@code ****}, and nothing else changes.
 */
class CredentialRedactionTest {
    static final Credentials BOB = new Credentials("bob", "pa55-REDACT-ME");

    @Test
    void everyOccurrenceOfTheSecretAndItsBasicFormBecomesStars() {
        String basic = BOB.toBase64();
        assertEquals("bob:cm9i... failed: **** / Basic **** / again ****",
                BOB.redact("bob:cm9i... failed: pa55-REDACT-ME / Basic " + basic + " / again pa55-REDACT-ME"));
    }

    @Test
    void textWithoutTheSecretIsReturnedUnchanged() {
        String text = "docker-credential-x: exit 3: keychain locked (user bob)";
        assertEquals(text, BOB.redact(text));
        assertEquals("", BOB.redact(""));
        assertNull(BOB.redact(null));
    }

    @Test
    void anIdentityTokenIsRedactedToo() {
        Credentials id = new Credentials(Credentials.IDENTITY_TOKEN_USER, "idtok-XYZ");
        assertEquals("refresh **** refused", id.redact("refresh idtok-XYZ refused"));
    }
}
