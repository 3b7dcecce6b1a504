package dev.kiln.layout.spec;

import dev.kiln.layout.digest.Digest;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A Docker image name, normalized as Docker does: {@code hello:1.0} is
 * {@code docker.io/library/hello:1.0}; a first component with a dot, a colon or {@code localhost}
 * is a registry host. Without tag or digest the tag is {@code latest}.
 */
public record ImageName(String registry, String repository, String tag, Digest digest) {
    public static final String DOCKER_HUB = "docker.io";
    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern HOST = Pattern.compile(
            "(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\\[[0-9A-Fa-f:]+\\])(?::[0-9]+)?");

    public ImageName {
        if (registry == null || !HOST.matcher(registry).matches()) {
            throw new IllegalArgumentException("invalid registry host '" + registry + "'");
        }
        if (repository == null || repository.isEmpty() || repository.length() > 255) {
            throw new IllegalArgumentException("invalid repository name '" + repository + "'");
        }
        for (String part : repository.split("/", -1)) {
            if (!COMPONENT.matcher(part).matches()) {
                throw new IllegalArgumentException("invalid repository name '" + repository
                        + "' (lower-case letters, digits and separators . _ - only)");
            }
        }
        if (tag != null && !TAG.matcher(tag).matches()) {
            throw new IllegalArgumentException("invalid tag '" + tag + "'");
        }
    }

    /** Parses {@code [host[:port]/]repo[:tag][@digest]}. */
    public static ImageName parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty image name");
        }
        String rest = text;
        Digest digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = Digest.parse(rest.substring(at + 1));
            rest = rest.substring(0, at);
        }
        String tag = null;
        int slash = rest.lastIndexOf('/');
        int colon = rest.lastIndexOf(':');
        if (colon > slash) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
        }
        String registry = DOCKER_HUB;
        int first = rest.indexOf('/');
        if (first > 0) {
            String head = rest.substring(0, first);
            if (head.contains(".") || head.contains(":") || head.equals("localhost") || head.startsWith("[")) {
                registry = head;
                rest = rest.substring(first + 1);
            }
        }
        if (registry.equals("index.docker.io") || registry.equals("registry-1.docker.io")) {
            registry = DOCKER_HUB;
        }
        if (registry.equals(DOCKER_HUB) && !rest.contains("/")) {
            rest = "library/" + rest;
        }
        if (!rest.equals(rest.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("invalid image name '" + text + "': repository names must be lower-case");
        }
        if (tag == null && digest == null) {
            tag = "latest";
        }
        return new ImageName(registry, rest, tag, digest);
    }

    public ImageName withTag(String newTag) {
        return new ImageName(registry, repository, newTag, null);
    }

    /** {@code registry/repository}. */
    public String fullRepository() {
        return registry + "/" + repository;
    }

    /** The fully-qualified name, as containerd stores it: {@code docker.io/library/hello:1.0}. */
    @Override
    public String toString() {
        return fullRepository() + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
    }

    /** The short form Docker prints: {@code hello:1.0} for Docker Hub library images. */
    public String familiar() {
        String repo = repository;
        String prefix = "";
        if (registry.equals(DOCKER_HUB)) {
            if (repo.startsWith("library/")) {
                repo = repo.substring("library/".length());
            }
        } else {
            prefix = registry + "/";
        }
        return prefix + repo + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
    }
}
