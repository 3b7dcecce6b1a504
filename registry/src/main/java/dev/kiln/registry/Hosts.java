package dev.kiln.registry;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Host names of registries. Loopback registries are recognised from the address as written
 * ({@code 127.0.0.0/8}, {@code ::1}, IPv4-mapped {@code ::ffff:127.x.y.z}), and from the names
 * {@code localhost} and {@code *.localhost} only when they resolve to loopback addresses only; any
 * other name that merely resolves to 127.0.0.1 does not count.
 */
public final class Hosts {
    private static final Pattern IPV4_LOOPBACK = Pattern.compile("127(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    private static final Pattern IPV6_LITERAL = Pattern.compile("[0-9a-f:.]+(%[0-9a-z]+)?");
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

    /**
     * True for a loopback registry or host: an IPv4 address in {@code 127.0.0.0/8}, the IPv6 loopback
     * {@code ::1}, an IPv4-mapped loopback ({@code ::ffff:127.0.0.1}, {@code ::ffff:7f00:1}), or
     * {@code localhost} / a {@code *.localhost} name that resolves to loopback addresses only (Docker
     * also resolves such names; one that resolves to any other address, or not at all, is not loopback).
     */
    public static boolean isLoopback(String registryOrHost) {
        return isLoopback(registryOrHost, Hosts::resolve);
    }

    /** Name lookups, for tests to stand in for DNS. */
    interface Resolver {
        InetAddress[] resolve(String name) throws UnknownHostException;
    }

    static boolean isLoopback(String registryOrHost, Resolver resolver) {
        String h = hostOnly(registryOrHost).toLowerCase(Locale.ROOT);
        if (IPV4_LOOPBACK.matcher(h).matches()) {
            return true;
        }
        if (h.indexOf(':') >= 0) {
            return isLoopbackV6(h);
        }
        if (h.equals("localhost") || h.endsWith(".localhost")) {
            try {
                InetAddress[] all = resolver.resolve(h);
                return all.length > 0 && java.util.Arrays.stream(all).allMatch(InetAddress::isLoopbackAddress);
            } catch (UnknownHostException e) {
                return false;
            }
        }
        return false;
    }

    /** An IPv6 literal (no DNS involved): {@code ::1}, or an IPv4-mapped address in {@code 127.0.0.0/8}. */
    private static boolean isLoopbackV6(String h) {
        if (!IPV6_LITERAL.matcher(h).matches()) {
            return false;
        }
        try {
            // a literal with ':' is parsed, never looked up; the JDK turns ::ffff:a.b.c.d into an IPv4 address
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static InetAddress[] resolve(String name) throws UnknownHostException {
        return InetAddress.getAllByName(name);
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
