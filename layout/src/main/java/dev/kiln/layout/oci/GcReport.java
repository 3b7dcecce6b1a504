package dev.kiln.layout.oci;

import dev.kiln.layout.digest.Digest;
import java.util.List;

/**
 * What {@code kiln gc} removed (or, on a dry run, would remove): unreachable blobs and the bytes they
 * held, and stale temporary files under {@code .kiln/tmp}.
 */
public record GcReport(boolean dryRun, List<Digest> removed, long bytesFreed, List<String> tempFilesRemoved,
                       long tempBytesFreed, int blobsKept) {
    public GcReport {
        if (bytesFreed < 0 || tempBytesFreed < 0 || blobsKept < 0) {
            throw new IllegalArgumentException("gc report: negative counts");
        }
        removed = List.copyOf(removed);
        tempFilesRemoved = List.copyOf(tempFilesRemoved);
    }

    /** {@code removed 3 blobs (1234 bytes) and 1 temporary file (10 bytes); kept 7 blobs}. */
    public String summary() {
        return (dryRun ? "would remove " : "removed ") + removed.size() + " blob" + (removed.size() == 1 ? "" : "s")
                + " (" + bytesFreed + " bytes) and " + tempFilesRemoved.size() + " temporary file"
                + (tempFilesRemoved.size() == 1 ? "" : "s") + " (" + tempBytesFreed + " bytes); kept " + blobsKept
                + " blob" + (blobsKept == 1 ? "" : "s");
    }
}
