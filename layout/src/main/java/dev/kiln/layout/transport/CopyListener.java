package dev.kiln.layout.transport;

import dev.kiln.layout.spec.Descriptor;

/**
 * Events of a copy, for progress output. With parallel blob copies the methods are called from
 * several threads at once; implementations must be thread-safe.
 */
public interface CopyListener {
    CopyListener NONE = new CopyListener() {
    };

    /** Why a blob was not sent. */
    enum SkipReason {
        /** The destination has it already. */
        PRESENT,
        /** A foreign / non-distributable layer, left out unless asked for. */
        NONDISTRIBUTABLE,
        /** A foreign layer that was asked for but that the source does not hold. */
        NOT_IN_SOURCE
    }

    default void blobStarted(Descriptor blob) {
    }

    /** Bytes of {@code blob} sent so far (called now and then while it streams). */
    default void blobProgress(Descriptor blob, long bytesSoFar) {
    }

    default void blobDone(Descriptor blob, long bytes) {
    }

    default void blobSkipped(Descriptor blob, SkipReason reason) {
    }

    /** The copy writes a new root (a platform subset makes a new index): its digest differs from the source's. */
    default void rootChanged(Descriptor sourceRoot, Descriptor newRoot) {
    }
}
