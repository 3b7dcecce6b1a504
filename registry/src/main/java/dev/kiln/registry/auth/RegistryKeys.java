package dev.kiln.registry.auth;

import java.util.Locale;

/** How registries are named in credential files and for credential helpers. */
final class RegistryKeys {
    static final String DOCKER_HUB = "docker.io";
    /** The key Docker uses for Docker Hub in config files and with credential helpers. */
    static final String DOCKER_HUB_SERVER = "https://index.docker.io/v1/";

    private RegistryKeys() {
    }

    /**
     * A config key ({@code https://index.docker.io/v1/}, {@code http://host:5000},
     * {@code host:5000/ns/repo}) reduced to {@code host[:port][/path]} without scheme or API suffix,
     * with Docker Hub's many names mapped to {@code docker.io}.
     */
    static String normalize(String key) {
        String k = key.trim();
        int scheme = k.indexOf("://");
        if (scheme >= 0) {
            k = k.substring(scheme + 3);
        }
        while (k.endsWith("/")) {
            k = k.substring(0, k.length() - 1);
        }
        if (k.endsWith("/v1") || k.endsWith("/v2")) {
            k = k.substring(0, k.length() - 3);
        }
        int slash = k.indexOf('/');
        String host = (slash < 0 ? k : k.substring(0, slash)).toLowerCase(Locale.ROOT);
        String path = slash < 0 ? "" : k.substring(slash);
        if (host.equals("index.docker.io") || host.equals("registry-1.docker.io") || host.equals("registry.hub.docker.com")) {
            host = DOCKER_HUB;
        }
        return host + path;
    }

    /** The server URL given to credential helpers and used as the key when storing. */
    static String serverUrl(String registry) {
        String r = normalize(registry);
        return r.equals(DOCKER_HUB) ? DOCKER_HUB_SERVER : r;
    }
}
