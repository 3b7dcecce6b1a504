package dev.kiln.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.registry.auth.KnownSecrets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What a registry's {@code Location} hides is remembered as a secret for any later text: every
 * query value but the harmless parameters' (also one without a parameter name, also URL-decoded,
 * also before a fragment) and the user info before the host; nothing else of the URL.
 */
class LocationSecretsTest {
    /** A value no other test uses (the set of known secrets is process-wide). */
    static String unique(String what) {
        return what + UUID.randomUUID().toString().replace("-", "");
    }

    static String shown(String text) {
        return KnownSecrets.redact(text);
    }

    @Test
    void opaqueQueryValuesAreRememberedAndHarmlessOnesNot() {
        String state = unique("STATE");
        String digest = "sha256:" + unique("d");
        Redaction.rememberOpaqueValues("https://r.example/v2/a/blobs/uploads/u?_state=" + state + "&digest=" + digest);
        assertEquals("error: **** at " + digest, shown("error: " + state + " at " + digest));
    }

    @Test
    void aValueWithoutParameterNameOrBeforeAFragmentIsRememberedToo() {
        String nameless = unique("NAMELESS");
        String signed = unique("SIG");
        String fragment = unique("frag");
        Redaction.rememberOpaqueValues("https://s.example/b?=" + nameless + "&X-Sig=" + signed + "#" + fragment);
        assertEquals("**** ****", shown(nameless + " " + signed));
        assertEquals(fragment, shown(fragment), "a fragment without '=' is no value");
    }

    @Test
    void theDecodedFormOfAValueIsRememberedToo() {
        String tail = unique("x");
        Redaction.rememberOpaqueValues("https://r.example/u?_state=AB%2BCD%3D%3D" + tail);
        assertEquals("**** and ****", shown("AB+CD==" + tail + " and AB%2BCD%3D%3D" + tail));
    }

    @Test
    void userInfoBeforeTheHostIsRememberedAnAtInThePathIsNot() {
        String user = unique("user");
        Redaction.rememberOpaqueValues("https://" + user + ":pw-" + user + "@r.example/v2/");
        assertEquals("****", shown(user + ":pw-" + user));
        String host = unique("host");
        Redaction.rememberOpaqueValues("https://" + host + "/a@b/c");
        assertEquals(host + "/a", shown(host + "/a"));
        Redaction.rememberOpaqueValues("/relative/" + host + "@x");
        assertEquals("/relative/" + host, shown("/relative/" + host));
        Redaction.rememberOpaqueValues(null);
    }
}
