package dev.kiln.builder.layer;

/**
 * Chooses which files of a directory tree go into a layer (the hook for .dockerignore). Paths are
 * relative to the collected root, '/'-separated.
 */
@FunctionalInterface
public interface PathFilter {
    /** Everything. */
    PathFilter ALL = (path, directory) -> true;

    boolean include(String path, boolean directory);

    /**
     * Whether an excluded directory may still hold included entries (a .dockerignore exception
     * such as {@code !dir/keep}); if so the collector looks inside it, and keeps the directory
     * itself only when something under it is kept. Default: no, the subtree is skipped.
     */
    default boolean mayIncludeUnder(String directory) {
        return false;
    }
}
