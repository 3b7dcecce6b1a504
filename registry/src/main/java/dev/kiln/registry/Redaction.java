package dev.kiln.registry;

import dev.kiln.registry.auth.KnownSecrets;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/**
 * What may be shown of requests in debug output: URLs with the values of query parameters other
 * than the harmless ones replaced by {@code REDACTED} (upload states, signed storage URLs), and
 * header values of Authorization, cookies and the like replaced entirely.
 */
public final class Redaction {
    private static final Set<String> SHOWN_PARAMS = Set.of("digest", "mount", "from", "n", "last", "service", "scope");
    private static final Set<String> SECRET_HEADERS = Set.of("authorization", "proxy-authorization", "cookie", "set-cookie",
            "x-registry-auth", "x-amz-security-token");

    private Redaction() {
    }

    public static String url(URI uri) {
        if (uri == null) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        if (uri.getScheme() != null) {
            b.append(uri.getScheme()).append("://");
        }
        if (uri.getRawAuthority() != null) {
            String authority = uri.getRawAuthority();
            int at = authority.lastIndexOf('@');
            b.append(at >= 0 ? "REDACTED@" + authority.substring(at + 1) : authority);
        }
        b.append(uri.getRawPath() == null ? "" : uri.getRawPath());
        String q = uri.getRawQuery();
        if (q != null && !q.isEmpty()) {
            b.append('?');
            String[] parts = q.split("&");
            for (int i = 0; i < parts.length; i++) {
                String p = parts[i];
                int eq = p.indexOf('=');
                String name = eq < 0 ? p : p.substring(0, eq);
                if (i > 0) {
                    b.append('&');
                }
                if (eq < 0 || SHOWN_PARAMS.contains(name.toLowerCase(Locale.ROOT))) {
                    b.append(p);
                } else {
                    b.append(name).append("=REDACTED");
                }
            }
        }
        return b.toString();
    }

    /**
     * Remembers what {@link #url} hides of a URL a registry sent (a {@code Location}): the values of
     * query parameters other than the harmless ones (upload {@code _state}, storage signatures) and
     * user info, as secrets to redact from any text from now on ({@link KnownSecrets}).
     */
    public static void rememberOpaqueValues(String location) {
        if (location == null) {
            return;
        }
        int q = location.indexOf('?');
        if (q >= 0) {
            for (String p : location.substring(q + 1).split("[&#]")) {
                int eq = p.indexOf('=');
                if (eq >= 0 && !SHOWN_PARAMS.contains(p.substring(0, eq).toLowerCase(Locale.ROOT))) {
                    String raw = p.substring(eq + 1);
                    KnownSecrets.add(raw);
                    try {
                        KnownSecrets.add(URLDecoder.decode(raw, StandardCharsets.UTF_8));
                    } catch (IllegalArgumentException e) {
                        // not decodable: the raw form is remembered
                    }
                }
            }
        }
        int scheme = location.indexOf("://");
        int at = location.indexOf('@');
        int slash = scheme < 0 ? -1 : location.indexOf('/', scheme + 3);
        if (scheme >= 0 && at > scheme && (slash < 0 || at < slash)) {
            KnownSecrets.add(location.substring(scheme + 3, at));
        }
    }

    public static String header(String name, String value) {
        String n = name.toLowerCase(Locale.ROOT);
        if (SECRET_HEADERS.contains(n)) {
            int space = value == null ? -1 : value.indexOf(' ');
            return name + ": " + (space > 0 ? value.substring(0, space) + " REDACTED" : "REDACTED");
        }
        if (n.equals("location")) {
            try {
                return name + ": " + url(URI.create(value));
            } catch (IllegalArgumentException e) {
                return name + ": (unparseable)";
            }
        }
        return name + ": " + value;
    }
}
