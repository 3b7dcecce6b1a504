package dev.kiln.layout.oci;

import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.json.Json;
import dev.kiln.layout.spec.Descriptor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Where a blob lives in a layout and whether it is a readable regular file; shared by walk, verify and gc. */
final class BlobFiles {
    static final String BLOBS = "blobs";

    private BlobFiles() {
    }

    static Path path(Path root, Digest digest) {
        return root.resolve(BLOBS).resolve(digest.algorithm()).resolve(digest.hex());
    }

    /** The path as a user sees it inside the layout: {@code blobs/sha256/<hex>}. */
    static String relative(Digest digest) {
        return BLOBS + "/" + digest.algorithm() + "/" + digest.hex();
    }

    /** Null when {@code file} is a regular file; otherwise what it is instead, for a message. */
    static String unusable(Path file) {
        if (Files.isSymbolicLink(file)) {
            return "is a symbolic link, not a regular file";
        }
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return "is missing";
        }
        if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
            return "is a directory, not a regular file";
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return "is not a regular file";
        }
        return null;
    }

    /** {@code sha256:0123456789ab..}: enough of a digest to tell blobs apart in a path. */
    static String shortDigest(Digest digest) {
        return digest.algorithm() + ":" + digest.shortHex() + "..";
    }

    /**
     * A small JSON blob read whole (at most {@link Json#MAX_DOCUMENT_BYTES}) and checked against its
     * descriptor. {@code bytes} is null when the blob could not be read; {@code unreadable} then says
     * why, and {@code tooBig} whether it was for its size. {@code sizeProblem} and {@code digestProblem} are null when size and digest are right.
     */
    record Document(byte[] bytes, String unreadable, boolean tooBig, String sizeProblem, String digestProblem) {
    }

    static Document readDocument(Path root, Descriptor descriptor) {
        Digest digest = descriptor.digest();
        Path file = path(root, digest);
        String why = unusable(file);
        if (why != null) {
            return new Document(null, "blob " + why + " (" + relative(digest) + ")", false, null, null);
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(Json.MAX_DOCUMENT_BYTES + 1);
        } catch (IOException e) {
            return new Document(null, "cannot read " + relative(digest) + ": " + e, false, null, null);
        }
        if (bytes.length > Json.MAX_DOCUMENT_BYTES) {
            return new Document(null, "blob is over the " + Json.MAX_DOCUMENT_BYTES
                    + "-byte limit for a JSON document (" + relative(digest) + ")", true, null, null);
        }
        String sizeProblem = bytes.length == descriptor.size() ? null
                : "size is " + bytes.length + " bytes, the descriptor says " + descriptor.size();
        Digest actual = Digest.of(digest.algorithm(), bytes);
        String digestProblem = actual.equals(digest) ? null
                : "content hashes to " + actual + ", not to the descriptor's digest (" + relative(digest) + ")";
        return new Document(bytes, null, false, sizeProblem, digestProblem);
    }
}
