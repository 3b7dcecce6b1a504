package dev.kiln.layout.transport;

import dev.kiln.layout.spec.Platform;
import java.util.List;

/**
 * How a {@link Copier} copies.
 *
 * @param platforms               when not empty, copy only these platforms of an index: a new index
 *                                with only the matching entries (and their attestations) is written
 * @param defaultPlatform         for destinations that list one image per platform (docker-archive):
 *                                the platform that gets the plain tags; null for the host platform
 * @param includeNondistributable copy foreign / non-distributable layers too (when the source has them)
 * @param tags                    extra tags to commit under, besides the destination's own (from its reference)
 * @param listener                progress events
 * @param parallelism             blobs copied at once (1: one after the other, in the calling thread)
 */
public record CopyOptions(List<Platform> platforms, Platform defaultPlatform, boolean includeNondistributable,
                          List<String> tags, CopyListener listener, int parallelism) {
    public CopyOptions {
        platforms = platforms == null ? List.of() : List.copyOf(platforms);
        tags = tags == null ? List.of() : List.copyOf(tags);
        listener = listener == null ? CopyListener.NONE : listener;
        if (parallelism < 1 || parallelism > 64) {
            throw new IllegalArgumentException("parallelism must be between 1 and 64, not " + parallelism);
        }
    }

    public static CopyOptions defaults() {
        return new CopyOptions(List.of(), null, false, List.of(), CopyListener.NONE, 1);
    }

    public CopyOptions withPlatforms(List<Platform> p) {
        return new CopyOptions(p, defaultPlatform, includeNondistributable, tags, listener, parallelism);
    }

    public CopyOptions withDefaultPlatform(Platform p) {
        return new CopyOptions(platforms, p, includeNondistributable, tags, listener, parallelism);
    }

    public CopyOptions withIncludeNondistributable(boolean include) {
        return new CopyOptions(platforms, defaultPlatform, include, tags, listener, parallelism);
    }

    public CopyOptions withTags(List<String> t) {
        return new CopyOptions(platforms, defaultPlatform, includeNondistributable, t, listener, parallelism);
    }

    public CopyOptions withListener(CopyListener l) {
        return new CopyOptions(platforms, defaultPlatform, includeNondistributable, tags, l, parallelism);
    }

    public CopyOptions withParallelism(int n) {
        return new CopyOptions(platforms, defaultPlatform, includeNondistributable, tags, listener, n);
    }
}
