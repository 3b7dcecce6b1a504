package dev.kiln.registry;

import java.net.URI;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Host names of registries. Loopback registries ({@code localhost}, {@code 127.0.0.0/8},
 * {@code ::1}) are recognised from the name as written, without a DNS lookup, so a name that merely
 * resolves to 127.0.0.1 does not count.
 */
public final class Hosts {
    private static final Pattern IPV4_LOOPBACK = Pattern.compile("127(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    private static final String DOCKER_HUB = "docker.io";
    private static final String DOCKER_HUB_API = "registry-1.docker.io";

    private Hosts() {
    }

    /** The host of {@code host[:port]} or {@code [v6][:port]}, without brackets or port. */
    public static String hostOnly(String registry) {
        String r = registry;
        if (r.startsWith("[")) {
            int end = r.indexOf(']');
            return end < 0 ? r.substring(1) : r.substring(1, end);
        }
        int colon = r.lastIndexOf(':');
        if (colon >= 0 && r.indexOf(':') == colon) {
            return r.substring(0, colon);
        }
        return r;
    }

    public static boolean isLoopback(String registryOrHost) {
        String h = hostOnly(registryOrHost).toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.endsWith(".localhost") || IPV4_LOOPBACK.matcher(h).matches()
                || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1");
    }

    public static boolean isLoopback(URI uri) {
        return uri.getHost() != null && isLoopback(uri.getHost());
    }

    /** Where the API of a registry answers: Docker Hub's {@code docker.io} is {@code registry-1.docker.io}. */
    public static String apiHost(String registry) {
        return DOCKER_HUB.equals(registry) || "index.docker.io".equals(registry) ? DOCKER_HUB_API : registry;
    }

    /** Same scheme, host and port (default ports filled in). */
    public static boolean sameOrigin(URI a, URI b) {
        if (a == null || b == null || a.getScheme() == null || b.getScheme() == null || a.getHost() == null || b.getHost() == null) {
            return false;
        }
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    static int port(URI u) {
        if (u.getPort() >= 0) {
            return u.getPort();
        }
        return "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    /** True when credentials may travel to this address: over HTTPS, or plain HTTP to loopback only. */
    public static boolean mayCarryCredentials(URI uri) {
        return "https".equalsIgnoreCase(uri.getScheme()) || isLoopback(uri);
    }
}
