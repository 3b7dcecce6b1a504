package dev.kiln.layout.oci;

import dev.kiln.layout.digest.Digest;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@code kiln verify} found in a layout: every problem (the layout is broken), warnings (it
 * works but something is odd), the external blobs (foreign or non-distributable layers that are
 * referenced but, as allowed, not stored), and how much was checked.
 */
public record VerifyReport(Path root, boolean deep, List<Problem> problems, List<Problem> warnings,
                           List<External> externalBlobs, int blobsChecked, long bytesRead) {
    public VerifyReport {
        if (root == null) {
            throw new IllegalArgumentException("verify report: root is missing");
        }
        if (blobsChecked < 0 || bytesRead < 0) {
            throw new IllegalArgumentException("verify report: negative counts");
        }
        problems = List.copyOf(problems);
        warnings = List.copyOf(warnings);
        externalBlobs = List.copyOf(externalBlobs);
    }

    /** A foreign or non-distributable layer that the layout references but does not hold. */
    public record External(Digest digest, String where, String mediaType, List<String> urls) {
        public External {
            if (digest == null || where == null || mediaType == null) {
                throw new IllegalArgumentException("external blob: digest, where and mediaType are required");
            }
            urls = urls == null ? List.of() : List.copyOf(urls);
        }

        @Override
        public String toString() {
            return where + ": external " + mediaType + (urls.isEmpty() ? "" : " from " + String.join(", ", urls));
        }
    }

    /** True when no problem was found (warnings allowed). */
    public boolean ok() {
        return problems.isEmpty();
    }

    /** One line: {@code 2 problems, 1 warning, 1 external blob; 7 blobs checked, 5120 bytes read (deep)}. */
    public String summary() {
        return count(problems.size(), "problem") + ", " + count(warnings.size(), "warning") + ", "
                + count(externalBlobs.size(), "external blob") + "; " + count(blobsChecked, "blob") + " checked, "
                + bytesRead + " bytes read" + (deep ? " (deep: layers decompressed)" : "");
    }

    private static String count(long n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }
}
