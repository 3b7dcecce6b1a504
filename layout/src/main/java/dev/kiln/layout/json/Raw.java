package dev.kiln.layout.json;

import dev.kiln.layout.spec.Descriptor;
import java.util.Arrays;

/**
 * A document as stored: its exact bytes, the value parsed from them, and the descriptor that names
 * those bytes. What was digested is what is stored and sent; the value is never re-serialized to
 * compute or check a digest.
 */
public record Raw<T>(byte[] bytes, T value, Descriptor descriptor) {
    public Raw {
        bytes = bytes.clone();
        if (descriptor.size() != bytes.length || !descriptor.digest().matches(bytes)) {
            throw new IllegalArgumentException("raw document does not match its descriptor " + descriptor.digest());
        }
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Raw<?> r && Arrays.equals(bytes, r.bytes) && descriptor.equals(r.descriptor);
    }

    @Override
    public int hashCode() {
        return descriptor.hashCode();
    }

    @Override
    public String toString() {
        return "Raw[" + descriptor.mediaType() + " " + descriptor.digest() + "]";
    }
}
