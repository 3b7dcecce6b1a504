package dev.kiln.registry.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.registry.RegistryOptions;
import org.junit.jupiter.api.Test;

class CredentialsTest {
    static final String SECRET = "s3cr3t-Pa55:with-colon";

    @Test
    void parsesUserColonPasswordWithColonsInThePassword() {
        Credentials c = Credentials.parse("alice:" + SECRET);
        assertEquals("alice", c.username());
        assertEquals(SECRET, c.secret());
    }

    @Test
    void toStringNeverShowsTheSecret() {
        Credentials c = Credentials.parse("alice:" + SECRET);
        assertFalse(c.toString().contains(SECRET), c.toString());
        assertFalse(c.toString().contains(c.toBase64()));
        assertTrue(c.toString().contains("alice"));
        String options = RegistryOptions.defaults().withCredentials(c).toString();
        assertFalse(options.contains(SECRET), options);
        assertFalse(options.contains("s3cr3t"), options);
    }

    @Test
    void badInputGivesMessagesWithoutTheSecret() {
        for (String bad : new String[] {"alice", ":" + SECRET, "alice:", ""}) {
            CredentialsException e = assertThrows(CredentialsException.class, () -> Credentials.parse(bad));
            assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
        }
        CredentialsException e = assertThrows(CredentialsException.class, () -> Credentials.fromBase64("%%%" + SECRET, "config.json"));
        assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
    }

    @Test
    void redactRemovesTheSecretAndItsBase64() {
        Credentials c = new Credentials("bob", SECRET);
        String text = "failed: " + SECRET + " / Basic " + c.toBase64();
        String r = c.redact(text);
        assertFalse(r.contains(SECRET));
        assertFalse(r.contains(c.toBase64()));
    }

    @Test
    void identityTokens() {
        assertTrue(new Credentials(Credentials.IDENTITY_TOKEN_USER, "tok").isIdentityToken());
        assertFalse(new Credentials("u", "p").isIdentityToken());
    }
}
