package dev.kiln.layout;

/**
 * What the user can do about a failure, carried by a {@link KilnException} so that the library
 * never names a command or flag: the command line words each hint for its own commands.
 */
public enum Hint {
    /** The content is a Docker schema1 manifest: another tool must convert it to schema2 or OCI first. */
    CONVERT_SCHEMA1,
    /** The registry refuses OCI manifests or indexes: the image needs Docker schema2 media types. */
    DOCKER_MEDIA_TYPES,
    /** A tag names several top-level entries of a layout that no full name tells apart. */
    AMBIGUOUS_TAG
}
