package dev.kiln.cli;

import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.transport.CopyListener;
import java.io.PrintWriter;

/** Progress lines on stderr, only when it is a terminal (and never with --json). */
final class Progress {
    private Progress() {
    }

    static boolean interactive() {
        return System.console() != null && System.getenv("CI") == null;
    }

    static CopyListener forCopy(PrintWriter err, boolean json) {
        if (json || !interactive()) {
            return CopyListener.NONE;
        }
        return new CopyListener() {
            @Override
            public synchronized void blobDone(Descriptor blob, long bytes) {
                err.println("  " + blob.digest().algorithm() + ":" + blob.digest().shortHex() + "  " + human(bytes) + "  done");
            }

            @Override
            public synchronized void blobSkipped(Descriptor blob, SkipReason reason) {
                err.println("  " + blob.digest().algorithm() + ":" + blob.digest().shortHex() + "  "
                        + (reason == SkipReason.PRESENT ? "exists" : "skipped (" + reason.name().toLowerCase() + ")"));
            }
        };
    }

    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        if (bytes < 1024 * 1024) {
            return String.format("%.1f KiB", bytes / 1024.0);
        }
        return String.format("%.1f MiB", bytes / (1024.0 * 1024));
    }
}
