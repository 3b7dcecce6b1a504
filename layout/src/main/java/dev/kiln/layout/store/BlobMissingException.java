package dev.kiln.layout.store;

import dev.kiln.layout.digest.Digest;

/** A blob the store does not hold; readers that know what references it say so in their own message. */
public class BlobMissingException extends BlobStoreException {
    private final transient Digest digest;

    public BlobMissingException(Digest digest) {
        super("blob " + digest + " is missing from the layout");
        this.digest = digest;
    }

    public Digest digest() {
        return digest;
    }
}
