package dev.kiln.builder.layer;

import dev.kiln.layout.spec.MediaTypes;
import java.util.Optional;

/**
 * How a layer blob is compressed, with the media types that name it. (The design puts a
 * {@code Compression} in the layout module's {@code compress} package; this one lives with the
 * layer writer until that package exists, and can move there unchanged.)
 */
public enum Compression {
    /** A plain tar: blob digest == diff_id. */
    NONE("", MediaTypes.OCI_LAYER, MediaTypes.DOCKER_LAYER_TAR, 0, 0, 0),
    /** gzip (RFC 1952), deflate levels 0..9, default 6 (zlib's and Go's default). */
    GZIP("+gzip", MediaTypes.OCI_LAYER_GZIP, MediaTypes.DOCKER_LAYER_GZIP, 6, 0, 9),
    /** zstd (RFC 8878), levels 1..19 accepted, default 3 (zstd's default); OCI media type only. */
    ZSTD("+zstd", MediaTypes.OCI_LAYER_ZSTD, null, 3, 1, 19);

    private final String suffix;
    private final String ociMediaType;
    private final String dockerMediaType;
    private final int defaultLevel;
    private final int minLevel;
    private final int maxLevel;

    Compression(String suffix, String ociMediaType, String dockerMediaType, int defaultLevel, int minLevel,
                int maxLevel) {
        this.suffix = suffix;
        this.ociMediaType = ociMediaType;
        this.dockerMediaType = dockerMediaType;
        this.defaultLevel = defaultLevel;
        this.minLevel = minLevel;
        this.maxLevel = maxLevel;
    }

    /** "" , "+gzip" or "+zstd": what follows {@code application/vnd.oci.image.layer.v1.tar}. */
    public String mediaTypeSuffix() {
        return suffix;
    }

    public String ociMediaType() {
        return ociMediaType;
    }

    /** The Docker schema2 layer media type; empty for zstd, which Docker schema2 does not define. */
    public Optional<String> dockerMediaType() {
        return Optional.ofNullable(dockerMediaType);
    }

    public int defaultLevel() {
        return defaultLevel;
    }

    /** Checks a level for this compression; -1 means the default. */
    public int checkLevel(int level) {
        if (level == -1) {
            return defaultLevel;
        }
        if (level < minLevel || level > maxLevel) {
            throw new IllegalArgumentException(name().toLowerCase() + " level " + level + " is outside "
                    + minLevel + ".." + maxLevel);
        }
        return level;
    }

    /** The compression a layer media type (OCI or Docker, distributable or not) names. */
    public static Compression fromMediaType(String mediaType) {
        if (!MediaTypes.isLayer(mediaType)) {
            throw new IllegalArgumentException("'" + mediaType + "' is not a layer media type");
        }
        if (MediaTypes.isGzipLayer(mediaType)) {
            return GZIP;
        }
        return MediaTypes.isZstdLayer(mediaType) ? ZSTD : NONE;
    }
}
