package dev.kiln.layout.transport;

import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.spec.Descriptor;
import java.util.List;

/**
 * What a copy did.
 *
 * @param sourceRoot    the root the source named
 * @param root          the root written: the source's, or a new index when a platform subset was asked for
 * @param copied        digests sent to the destination (blobs and documents), in the order sent
 * @param skipped       digests not sent: present already, or non-distributable layers left out
 * @param bytesCopied   bytes sent
 * @param bytesSkipped  bytes not sent because the destination had them
 */
public record CopyResult(Descriptor sourceRoot, Descriptor root, List<Digest> copied, List<Digest> skipped,
                         long bytesCopied, long bytesSkipped) {
    public CopyResult {
        copied = List.copyOf(copied);
        skipped = List.copyOf(skipped);
    }

    /** True when the written root is not the source's (its digest changed). */
    public boolean rootChanged() {
        return !sourceRoot.digest().equals(root.digest());
    }
}
