package dev.kiln.registry;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Resolves {@code Location} headers: absolute URLs (possibly on another host, such as a storage
 * service), absolute paths, and relative references, all against the URL of the request answered.
 * Only {@code http} and {@code https} URLs with a host are followed; anything else is refused with an
 * {@link IllegalArgumentException} that callers turn into the registry's failure.
 */
public final class Locations {
    private Locations() {
    }

    public static URI resolve(URI requestUri, String location) {
        if (location == null || location.isBlank()) {
            throw new IllegalArgumentException("Location header that is empty");
        }
        String l = location.trim();
        URI ref;
        try {
            ref = new URI(l);
        } catch (URISyntaxException e) {
            // registries put unescaped characters in query strings now and then
            try {
                ref = new URI(l.replace(" ", "%20").replace("|", "%7C").replace("^", "%5E"));
            } catch (URISyntaxException e2) {
                throw new IllegalArgumentException("Location header that is not a URL (" + e.getReason() + ")");
            }
        }
        if (ref.isAbsolute()) {
            String scheme = ref.getScheme().toLowerCase(java.util.Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new IllegalArgumentException("Location header with the unsupported scheme '" + scheme + "'");
            }
            return withHost(ref);
        }
        return withHost(requestUri.resolve(ref));
    }

    private static URI withHost(URI uri) {
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("Location header without a host name the HTTP client accepts");
        }
        return uri;
    }

    /** The URI with one more query parameter (value already URL-encoded). */
    public static URI withQuery(URI uri, String name, String encodedValue) {
        String s = uri.toString();
        int hash = s.indexOf('#');
        if (hash >= 0) {
            s = s.substring(0, hash);
        }
        String sep = uri.getRawQuery() == null || uri.getRawQuery().isEmpty() ? (s.endsWith("?") ? "" : "?") : "&";
        return URI.create(s + sep + name + "=" + encodedValue);
    }
}
