package dev.kiln.layout.oci;

import dev.kiln.layout.digest.Digest;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * {@code kiln gc}: deletes the blobs that nothing in index.json reaches, and temporary files in
 * {@code .kiln/tmp} older than a given age (a crashed writer's leftovers). It runs under the
 * layout's exclusive gc lock, which writers hold shared while their blobs are not yet in
 * index.json, and under the index lock, so no tag can change while it decides. When the walk
 * cannot read index.json or any index or manifest it reaches, gc refuses and deletes nothing: it
 * cannot prove what such a manifest references is garbage.
 */
public final class GarbageCollector {
    /** Temporary files younger than this may belong to a writer still at work. */
    public static final Duration DEFAULT_TEMP_AGE = Duration.ofMinutes(60);

    private final OciLayout layout;
    private final Duration tempAge;
    private final Clock clock;

    public GarbageCollector(OciLayout layout) {
        this(layout, DEFAULT_TEMP_AGE, Clock.systemUTC());
    }

    /**
     * @param tempAge temporary files last modified longer ago than this are removed
     * @param clock   the time to measure their age against
     */
    public GarbageCollector(OciLayout layout, Duration tempAge, Clock clock) {
        this.layout = Objects.requireNonNull(layout, "layout");
        this.tempAge = Objects.requireNonNull(tempAge, "tempAge");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (tempAge.isNegative()) {
            throw new IllegalArgumentException("gc: negative temporary file age " + tempAge);
        }
    }

    /**
     * Collects garbage; with {@code dryRun} only reports what would go.
     *
     * @throws LayoutException when the walk found a problem that leaves reachability unproven
     */
    public GcReport collect(boolean dryRun) throws IOException {
        if (dryRun) {
            // a dry run writes nothing, not even a lock file, so it also works on a read-only layout;
            // it waits for writers through the lock files that exist
            try (LayoutLock.Held gc = LayoutLock.exclusiveIfPresent(layout.gcLockFile());
                 LayoutLock.Held index = LayoutLock.exclusiveIfPresent(layout.indexLockFile())) {
                return collectLocked(true);
            }
        }
        return layout.exclusively(() -> {
            try (LayoutLock.Held ignored = LayoutLock.exclusive(layout.indexLockFile())) {
                return collectLocked(dryRun);
            }
        });
    }

    private GcReport collectLocked(boolean dryRun) throws IOException {
        Walk walk = Walker.of(layout).walk();
        if (!walk.complete()) {
            List<Problem> problems = walk.problems();
            throw new LayoutException("gc refused for " + layout.root() + ": cannot prove which blobs are unreachable: "
                    + problems.get(0) + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : "")
                    + "; nothing was deleted (run kiln verify)");
        }
        Set<Digest> reachable = walk.reachable();
        List<Digest> removed = new ArrayList<>();
        long freed = 0;
        int kept = 0;
        for (Digest d : layout.blobs().list()) {
            if (reachable.contains(d)) {
                kept++;
                continue;
            }
            Path file = layout.blobs().path(d);
            if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
                continue; // not a blob; verify reports it, and gc deletes only files
            }
            long size = Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) ? Files.size(file) : 0;
            if (!dryRun) {
                try {
                    Files.delete(file);
                } catch (NoSuchFileException e) {
                    continue;
                }
            }
            removed.add(d);
            freed += size;
        }
        List<String> temps = new ArrayList<>();
        long tempFreed = 0;
        Path tmp = layout.root().resolve(OciLayout.KILN_DIR).resolve("tmp");
        if (Files.isDirectory(tmp, LinkOption.NOFOLLOW_LINKS)) {
            Instant cutoff = clock.instant().minus(tempAge);
            List<Path> entries = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(tmp)) {
                ds.forEach(entries::add);
            }
            entries.sort(null);
            for (Path p : entries) {
                BasicFileAttributes a;
                try {
                    a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException e) {
                    continue;
                }
                if (a.isDirectory() || !a.lastModifiedTime().toInstant().isBefore(cutoff)) {
                    continue;
                }
                if (!dryRun) {
                    try {
                        Files.delete(p);
                    } catch (NoSuchFileException e) {
                        continue;
                    }
                }
                temps.add(OciLayout.KILN_DIR + "/tmp/" + p.getFileName());
                tempFreed += a.isRegularFile() ? a.size() : 0;
            }
        }
        return new GcReport(dryRun, removed, freed, temps, tempFreed, kept);
    }
}
