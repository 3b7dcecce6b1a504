package dev.kiln.registry;

/**
 * The error codes of the OCI distribution spec (and Docker Distribution's extras) that a registry
 * puts in {@code {"errors":[{"code":...}]}}. Codes kiln does not know map to {@link #UNRECOGNIZED}.
 */
public enum ErrorCode {
    BLOB_UNKNOWN, BLOB_UPLOAD_INVALID, BLOB_UPLOAD_UNKNOWN, DIGEST_INVALID, MANIFEST_BLOB_UNKNOWN,
    MANIFEST_INVALID, MANIFEST_UNKNOWN, MANIFEST_UNVERIFIED, NAME_INVALID, NAME_UNKNOWN, SIZE_INVALID,
    TAG_INVALID, PAGINATION_NUMBER_INVALID, RANGE_INVALID, UNAUTHORIZED, DENIED, UNSUPPORTED,
    TOOMANYREQUESTS, UNAVAILABLE, UNKNOWN,
    /** A code this client does not know (the raw text is kept in {@link RegistryError#rawCode()}). */
    UNRECOGNIZED;

    public static ErrorCode parse(String code) {
        if (code == null || code.isEmpty()) {
            return UNRECOGNIZED;
        }
        try {
            return valueOf(code.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return UNRECOGNIZED;
        }
    }

    /** The code to assume for a status when the body says nothing useful. */
    public static ErrorCode forStatus(int status) {
        return switch (status) {
            case 401 -> UNAUTHORIZED;
            case 403 -> DENIED;
            case 416 -> RANGE_INVALID;
            case 429 -> TOOMANYREQUESTS;
            case 503 -> UNAVAILABLE;
            default -> UNKNOWN;
        };
    }
}
