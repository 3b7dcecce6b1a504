package dev.kiln.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The repositories a run reads from and pushes to, per registry: a destination on the same registry
 * asks it to mount blobs from them (the sources first, then repositories pushed to earlier) before
 * uploading anything, so {@code copy docker://R/a:1 docker://R/b:1} sends no blob twice. A mount
 * uses the destination's credentials: a registry that does not let them read the other repository
 * refuses it, and the blob is uploaded. Thread-safe.
 */
public final class MountCandidates {
    private final Map<String, Set<String>> read = new HashMap<>();
    private final Map<String, Set<String>> pushed = new HashMap<>();

    /** A source repository was opened. */
    public synchronized void read(String registry, String repository) {
        read.computeIfAbsent(key(registry), k -> new LinkedHashSet<>()).add(repository);
    }

    /** A destination repository was opened. */
    public synchronized void pushed(String registry, String repository) {
        pushed.computeIfAbsent(key(registry), k -> new LinkedHashSet<>()).add(repository);
    }

    /** The repositories of the registry to mount from when pushing to {@code repository}, in the order to try. */
    public synchronized List<String> forDestination(String registry, String repository) {
        LinkedHashSet<String> out = new LinkedHashSet<>(read.getOrDefault(key(registry), Set.of()));
        out.addAll(pushed.getOrDefault(key(registry), Set.of()));
        out.remove(repository);
        return new ArrayList<>(out);
    }

    private static String key(String registry) {
        return Hosts.apiHost(registry.toLowerCase(Locale.ROOT));
    }

    @Override
    public synchronized String toString() {
        return "MountCandidates[read=" + read + ", pushed=" + pushed + "]";
    }
}
