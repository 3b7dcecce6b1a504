package dev.kiln.testing;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The forms a secret can appear in when a registry quotes a request back: as is, base64 of
 * {@code user:secret} and of the secret alone (standard, URL-safe, unpadded), URL-encoded. Computed
 * here, independently of the code under test, for assertions that output holds none of them.
 */
public final class SecretForms {
    private SecretForms() {
    }

    /** Every form of a password (with its user, for the Basic header). */
    public static List<String> of(String user, String password) {
        Set<String> out = new LinkedHashSet<>(ofToken(password));
        for (String plain : new String[] {user + ":" + password, password}) {
            byte[] b = plain.getBytes(StandardCharsets.UTF_8);
            String std = Base64.getEncoder().encodeToString(b);
            String url = Base64.getUrlEncoder().encodeToString(b);
            out.add(std);
            out.add(url);
            out.add(std.replace("=", ""));
            out.add(url.replace("=", ""));
        }
        return new ArrayList<>(out);
    }

    /** A token as is and URL-encoded. */
    public static List<String> ofToken(String token) {
        Set<String> out = new LinkedHashSet<>();
        out.add(token);
        out.add(URLEncoder.encode(token, StandardCharsets.UTF_8));
        return new ArrayList<>(out);
    }

    /** The first of the secrets found in the text, or null. */
    public static String found(String text, Collection<String> secrets) {
        for (String s : secrets) {
            if (text != null && text.contains(s)) {
                return s;
            }
        }
        return null;
    }

    /** Fails when the text holds any of the secrets (the message names which, never the text around it). */
    public static void assertNone(String what, String text, Collection<String> secrets) {
        String leak = found(text, secrets);
        if (leak != null) {
            int at = text.indexOf(leak);
            String context = text.substring(Math.max(0, at - 120), at).replaceAll("\\s+", " ");
            throw new AssertionError(what + " holds a secret (" + leak.length() + " chars, after: ..." + context + ")");
        }
    }
}
