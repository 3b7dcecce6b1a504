package dev.kiln.registry;

import dev.kiln.layout.spec.Descriptor;
import java.time.Duration;

/**
 * Hears what a push or pull does with each blob, so a command line can draw per-blob progress on
 * a terminal or print a summary. Methods may be called from several threads at once and must
 * return quickly. Every method does nothing by default.
 */
public interface ProgressListener {
    ProgressListener NONE = new ProgressListener() {
    };

    /** A blob transfer begins. */
    default void blobStarted(Descriptor blob) {
    }

    /** {@code done} of {@code blob.size()} bytes have been sent or received so far. */
    default void blobProgress(Descriptor blob, long done) {
    }

    /** The blob was transferred completely. */
    default void blobDone(Descriptor blob) {
    }

    /** The destination already had the blob; nothing was sent. */
    default void blobSkipped(Descriptor blob) {
    }

    /** The registry linked the blob from another repository of its own; nothing was sent. */
    default void blobMounted(Descriptor blob, String fromRepository) {
    }

    /** A manifest or index was stored under a digest or tag. */
    default void manifestPushed(Descriptor manifest, String reference) {
    }

    /** A request failed and will be tried again after {@code wait}. */
    default void retrying(String what, int attempt, Duration wait, String reason) {
    }

    /** Calls both listeners. */
    default ProgressListener and(ProgressListener other) {
        ProgressListener self = this;
        return new ProgressListener() {
            @Override
            public void blobStarted(Descriptor b) {
                self.blobStarted(b);
                other.blobStarted(b);
            }

            @Override
            public void blobProgress(Descriptor b, long done) {
                self.blobProgress(b, done);
                other.blobProgress(b, done);
            }

            @Override
            public void blobDone(Descriptor b) {
                self.blobDone(b);
                other.blobDone(b);
            }

            @Override
            public void blobSkipped(Descriptor b) {
                self.blobSkipped(b);
                other.blobSkipped(b);
            }

            @Override
            public void blobMounted(Descriptor b, String from) {
                self.blobMounted(b, from);
                other.blobMounted(b, from);
            }

            @Override
            public void manifestPushed(Descriptor m, String ref) {
                self.manifestPushed(m, ref);
                other.manifestPushed(m, ref);
            }

            @Override
            public void retrying(String what, int attempt, Duration wait, String reason) {
                self.retrying(what, attempt, wait, reason);
                other.retrying(what, attempt, wait, reason);
            }
        };
    }
}
