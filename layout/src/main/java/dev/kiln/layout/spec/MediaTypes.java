package dev.kiln.layout.spec;

import java.util.Set;

/** Media types of the OCI image spec v1.1 and of Docker's image manifest schema 2. */
public final class MediaTypes {
    private MediaTypes() {
    }

    public static final String OCI_LAYOUT_VERSION = "1.0.0";

    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String OCI_EMPTY = "application/vnd.oci.empty.v1+json";
    public static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
    public static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    public static final String OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
    public static final String OCI_LAYER_NONDISTRIBUTABLE = "application/vnd.oci.image.layer.nondistributable.v1.tar";
    public static final String OCI_LAYER_NONDISTRIBUTABLE_GZIP = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
    public static final String OCI_LAYER_NONDISTRIBUTABLE_ZSTD = "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";

    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    public static final String DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    public static final String DOCKER_LAYER_TAR = "application/vnd.docker.image.rootfs.diff.tar";
    public static final String DOCKER_LAYER_FOREIGN_GZIP = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
    public static final String DOCKER_LAYER_FOREIGN_TAR = "application/vnd.docker.image.rootfs.foreign.diff.tar";
    /** Docker's image manifest schema 1 (deprecated), unsigned and signed: refused, never read. */
    public static final String DOCKER_SCHEMA1 = "application/vnd.docker.distribution.manifest.v1+json";
    public static final String DOCKER_SCHEMA1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws";

    /** Annotation holding a tag in index.json (OCI image layout). */
    public static final String ANNOTATION_REF_NAME = "org.opencontainers.image.ref.name";
    /** Annotation holding the full image name in index.json, as containerd and Docker 25+ write it. */
    public static final String ANNOTATION_CONTAINERD_NAME = "io.containerd.image.name";
    public static final String ANNOTATION_CREATED = "org.opencontainers.image.created";

    public static final Set<String> INDEXES = Set.of(OCI_INDEX, DOCKER_MANIFEST_LIST);
    public static final Set<String> MANIFESTS = Set.of(OCI_MANIFEST, DOCKER_MANIFEST);
    public static final Set<String> CONFIGS = Set.of(OCI_CONFIG, DOCKER_CONFIG);
    public static final Set<String> LAYERS = Set.of(OCI_LAYER, OCI_LAYER_GZIP, OCI_LAYER_ZSTD,
            OCI_LAYER_NONDISTRIBUTABLE, OCI_LAYER_NONDISTRIBUTABLE_GZIP, OCI_LAYER_NONDISTRIBUTABLE_ZSTD,
            DOCKER_LAYER_GZIP, DOCKER_LAYER_TAR, DOCKER_LAYER_FOREIGN_GZIP, DOCKER_LAYER_FOREIGN_TAR);
    public static final Set<String> FOREIGN_LAYERS = Set.of(OCI_LAYER_NONDISTRIBUTABLE, OCI_LAYER_NONDISTRIBUTABLE_GZIP,
            OCI_LAYER_NONDISTRIBUTABLE_ZSTD, DOCKER_LAYER_FOREIGN_GZIP, DOCKER_LAYER_FOREIGN_TAR);

    /** Docker schema1 manifests ({@code ...manifest.v1+json}, {@code +prettyjws}): deprecated, refused. */
    public static boolean isSchema1(String mediaType) {
        return DOCKER_SCHEMA1.equals(mediaType) || DOCKER_SCHEMA1_SIGNED.equals(mediaType);
    }

    public static boolean isIndex(String mediaType) {
        return INDEXES.contains(mediaType);
    }

    public static boolean isManifest(String mediaType) {
        return MANIFESTS.contains(mediaType);
    }

    public static boolean isConfig(String mediaType) {
        return CONFIGS.contains(mediaType);
    }

    public static boolean isLayer(String mediaType) {
        return LAYERS.contains(mediaType);
    }

    /** Foreign (Docker) or non-distributable (OCI) layers: referenced by URL, not always copied. */
    public static boolean isForeignLayer(String mediaType) {
        return FOREIGN_LAYERS.contains(mediaType);
    }

    public static boolean isDocker(String mediaType) {
        return mediaType != null && mediaType.startsWith("application/vnd.docker.");
    }

    public static boolean isGzipLayer(String mediaType) {
        return mediaType != null && (mediaType.endsWith("+gzip") || mediaType.endsWith(".tar.gzip"));
    }

    public static boolean isZstdLayer(String mediaType) {
        return mediaType != null && mediaType.endsWith("+zstd");
    }

    /** Every media type kiln knows how to handle. */
    public static boolean isKnown(String mediaType) {
        return isIndex(mediaType) || isManifest(mediaType) || isConfig(mediaType) || isLayer(mediaType)
                || OCI_EMPTY.equals(mediaType);
    }

    /** The Docker schema2 equivalent of an OCI media type, for {@code --format docker}. */
    public static String toDocker(String mediaType) {
        return switch (mediaType) {
            case OCI_INDEX -> DOCKER_MANIFEST_LIST;
            case OCI_MANIFEST -> DOCKER_MANIFEST;
            case OCI_CONFIG -> DOCKER_CONFIG;
            case OCI_LAYER_GZIP -> DOCKER_LAYER_GZIP;
            case OCI_LAYER -> DOCKER_LAYER_TAR;
            case OCI_LAYER_NONDISTRIBUTABLE_GZIP -> DOCKER_LAYER_FOREIGN_GZIP;
            case OCI_LAYER_NONDISTRIBUTABLE -> DOCKER_LAYER_FOREIGN_TAR;
            case OCI_LAYER_ZSTD, OCI_LAYER_NONDISTRIBUTABLE_ZSTD ->
                    throw new IllegalArgumentException("zstd layers have no Docker schema2 media type; use --format oci");
            default -> mediaType;
        };
    }

    /** The OCI equivalent of a Docker schema2 media type. */
    public static String toOci(String mediaType) {
        return switch (mediaType) {
            case DOCKER_MANIFEST_LIST -> OCI_INDEX;
            case DOCKER_MANIFEST -> OCI_MANIFEST;
            case DOCKER_CONFIG -> OCI_CONFIG;
            case DOCKER_LAYER_GZIP -> OCI_LAYER_GZIP;
            case DOCKER_LAYER_TAR -> OCI_LAYER;
            case DOCKER_LAYER_FOREIGN_GZIP -> OCI_LAYER_NONDISTRIBUTABLE_GZIP;
            case DOCKER_LAYER_FOREIGN_TAR -> OCI_LAYER_NONDISTRIBUTABLE;
            default -> mediaType;
        };
    }
}
