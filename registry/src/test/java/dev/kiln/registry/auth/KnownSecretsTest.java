package dev.kiln.registry.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.testing.SecretForms;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Redaction of every secret the process knows, in each form a registry could quote it in. */
class KnownSecretsTest {
    @Test
    void credentialsAreKnownInEveryFormTheMomentTheyAreMade() {
        String pw = "p@ss \"w/o\"rd+" + UUID.randomUUID();
        Credentials c = new Credentials("carol", pw);
        for (String form : SecretForms.of("carol", pw)) {
            assertEquals("x " + KnownSecrets.MASK + " y", KnownSecrets.redact("x " + form + " y"), "form of " + form.length() + " chars");
        }
        String json = pw.replace("\\", "\\\\").replace("\"", "\\\"");
        assertEquals("{\"p\":\"" + KnownSecrets.MASK + "\"}", KnownSecrets.redact("{\"p\":\"" + json + "\"}"));
        assertEquals("a=" + KnownSecrets.MASK, KnownSecrets.redact("a=" + URLEncoder.encode(pw, StandardCharsets.UTF_8)));
        assertEquals("Basic " + KnownSecrets.MASK, KnownSecrets.redact(c.basicAuthorization()));
        assertTrue(KnownSecrets.leaks(pw));
        assertFalse(KnownSecrets.leaks(KnownSecrets.redact("Authorization: " + c.basicAuthorization())));
    }

    @Test
    void credentialsRedactReturnsTheTextWithTheSecretMasked() {
        Credentials c = new Credentials("dave", "dave-secret-" + UUID.randomUUID());
        assertEquals("user dave, password ****, header Basic ****", c.redact("user dave, password " + c.secret() + ", header " + c.basicAuthorization()));
        assertEquals("nothing secret", c.redact("nothing secret"));
    }

    @Test
    void aCutNeverLeavesTheStartOfASecret() {
        String token = "tok-" + UUID.randomUUID();
        KnownSecrets.add(token);
        // a whole secret is masked before the cut, so the cut cannot fall inside it
        assertEquals("x".repeat(90) + KnownSecrets.MASK + " tail", KnownSecrets.redactAndCut("x".repeat(90) + token + " tail", 100));
        // a text that ends in part of a secret (a body cut short before) loses that part when it is cut
        String partial = "x".repeat(80) + token.substring(0, 20);
        assertEquals("x".repeat(80) + "...", KnownSecrets.redactAndCut(partial, 90));
        assertEquals("short " + KnownSecrets.MASK, KnownSecrets.redactAndCut("short " + token, 100));
    }

    @Test
    void shortSecretsAreNotRedactedAndNothingElseChanges() {
        KnownSecrets.add("abc");
        assertEquals("abc is not a secret worth hiding", KnownSecrets.redact("abc is not a secret worth hiding"));
        assertEquals("", KnownSecrets.redact(""));
        assertEquals(null, KnownSecrets.redact(null));
    }
}
