package dev.kiln.layout.spec;

import dev.kiln.layout.Hint;
import dev.kiln.layout.json.JsonFormatException;

/**
 * Content kiln refuses on purpose rather than handle partly: a Docker schema1 manifest, a
 * manifest of a schema version or media type kiln does not know. A copy that went on would hold
 * less than its source, so nothing is read past it.
 */
public class UnsupportedContentException extends JsonFormatException {
    public UnsupportedContentException(String message) {
        super(message);
    }

    public UnsupportedContentException(String message, Hint hint) {
        super(message, hint);
    }

    /** {@code what} (a reference, a digest) is a Docker schema1 manifest. */
    public static UnsupportedContentException schema1(String what) {
        return new UnsupportedContentException(what + " is a Docker schema1 manifest (deprecated), which kiln does not read",
                Hint.CONVERT_SCHEMA1);
    }

    /**
     * {@code what} has a media type that is neither an index nor a manifest kiln knows, so kiln
     * cannot tell which blobs it references.
     */
    public static UnsupportedContentException unknownManifest(String what, String mediaType) {
        if (MediaTypes.isSchema1(mediaType)) {
            return schema1(what);
        }
        return new UnsupportedContentException(what + " has the media type " + mediaType
                + ", which is not an image index or manifest type kiln knows; kiln cannot tell what it references,"
                + " so it does not copy or read it (a copy could miss content)");
    }
}
