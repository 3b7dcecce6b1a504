package dev.kiln.registry.auth;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every secret this process has learned, for redaction of any text before it is shown: passwords and
 * identity tokens (registered when their {@link Credentials} are made), the base64 forms of
 * {@code user:secret} and of the secret alone (standard, URL-safe, unpadded), bearer and refresh
 * tokens from token servers, and opaque values of upload locations ({@code _state}, signatures). Each
 * is also known URL-encoded and JSON-escaped, the ways a registry that quotes a request would write it.
 *
 * <p>A text that came from a registry (an error message, its {@code detail}, a header, a body shown by
 * {@code --debug}) and every line kiln prints about a failure goes through {@link #redact}. Secrets
 * shorter than {@value #MIN_LENGTH} characters are not redacted: they would turn every message into
 * asterisks and protect nothing. The set only grows; it is process-wide because an error can be
 * raised far from the client that knew the secret.
 */
public final class KnownSecrets {
    /** What a secret is replaced by. */
    public static final String MASK = "****";
    static final int MIN_LENGTH = 6;
    private static final int MAX_FORMS = 100_000;
    private static final Set<String> FORMS = ConcurrentHashMap.newKeySet();
    private static volatile List<String> longestFirst = List.of();

    private KnownSecrets() {
    }

    /** Remembers the secret of credentials and the base64 forms a request carries it in. */
    public static void addCredentials(String username, String secret) {
        add(secret);
        if (username != null && secret != null) {
            addBase64(username + ":" + secret);
        }
        if (secret != null) {
            addBase64(secret);
        }
    }

    /** Remembers a secret (a token, an opaque upload state) and its URL-encoded and JSON-escaped forms. */
    public static void add(String secret) {
        if (secret == null || secret.length() < MIN_LENGTH) {
            return;
        }
        boolean changed = FORMS.add(secret);
        changed |= FORMS.add(URLEncoder.encode(secret, StandardCharsets.UTF_8));
        changed |= FORMS.add(URLEncoder.encode(secret, StandardCharsets.UTF_8).replace("+", "%20"));
        changed |= FORMS.add(jsonEscaped(secret));
        if (changed) {
            rebuild();
        }
    }

    private static void addBase64(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        String standard = Base64.getEncoder().encodeToString(bytes);
        String url = Base64.getUrlEncoder().encodeToString(bytes);
        boolean changed = false;
        for (String form : new String[] {standard, url, strip(standard), strip(url)}) {
            if (form.length() >= MIN_LENGTH) {
                changed |= FORMS.add(form);
            }
        }
        if (changed) {
            rebuild();
        }
    }

    private static String strip(String base64) {
        int end = base64.length();
        while (end > 0 && base64.charAt(end - 1) == '=') {
            end--;
        }
        return base64.substring(0, end);
    }

    private static String jsonEscaped(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '/' -> b.append('/');
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    private static synchronized void rebuild() {
        if (FORMS.size() > MAX_FORMS) {
            // a process that learns this many secrets is broken; keep redacting what it has
            return;
        }
        List<String> sorted = new ArrayList<>(FORMS);
        sorted.sort(Comparator.comparingInt(String::length).reversed().thenComparing(Comparator.naturalOrder()));
        longestFirst = List.copyOf(sorted);
    }

    /** The text with every known secret (in each of its forms) replaced by {@value #MASK}. */
    public static String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = text;
        for (String form : longestFirst) {
            if (out.contains(form)) {
                out = out.replace(form, MASK);
            }
        }
        return out;
    }

    /**
     * Redacts, then cuts the text to at most {@code max} characters (adding {@code ...}). A cut that
     * falls inside a secret would leave its beginning: a tail that is the start of a known secret is
     * cut off as well.
     */
    public static String redactAndCut(String text, int max) {
        String r = redact(text);
        if (r == null || r.length() <= max) {
            return r;
        }
        String cut = r.substring(0, max);
        for (String form : longestFirst) {
            for (int n = Math.min(form.length() - 1, cut.length()); n >= MIN_LENGTH; n--) {
                if (cut.regionMatches(cut.length() - n, form, 0, n)) {
                    cut = cut.substring(0, cut.length() - n);
                    break;
                }
            }
        }
        return cut + "...";
    }

    /** True when the text holds a known secret in any of its forms (for tests and assertions). */
    public static boolean leaks(String text) {
        if (text == null) {
            return false;
        }
        for (String form : longestFirst) {
            if (text.contains(form)) {
                return true;
            }
        }
        return false;
    }
}
