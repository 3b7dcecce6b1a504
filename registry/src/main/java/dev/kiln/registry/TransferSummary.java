package dev.kiln.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.layout.json.Json;
import dev.kiln.layout.spec.Descriptor;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link ProgressListener} that counts: blobs sent, skipped and mounted, bytes sent, manifests
 * pushed, retries. Thread-safe; {@link #toJson()} is what {@code --json} prints.
 */
public final class TransferSummary implements ProgressListener {
    private final AtomicInteger transferred = new AtomicInteger();
    private final AtomicInteger skipped = new AtomicInteger();
    private final AtomicInteger mounted = new AtomicInteger();
    private final AtomicInteger manifests = new AtomicInteger();
    private final AtomicInteger retries = new AtomicInteger();
    private final AtomicLong bytes = new AtomicLong();

    @Override
    public void blobDone(Descriptor blob) {
        transferred.incrementAndGet();
        bytes.addAndGet(blob.size());
    }

    @Override
    public void blobSkipped(Descriptor blob) {
        skipped.incrementAndGet();
    }

    @Override
    public void blobMounted(Descriptor blob, String fromRepository) {
        mounted.incrementAndGet();
    }

    @Override
    public void manifestPushed(Descriptor manifest, String reference) {
        manifests.incrementAndGet();
    }

    @Override
    public void retrying(String what, int attempt, Duration wait, String reason) {
        retries.incrementAndGet();
    }

    public int blobsTransferred() {
        return transferred.get();
    }

    public int blobsSkipped() {
        return skipped.get();
    }

    public int blobsMounted() {
        return mounted.get();
    }

    public int manifestsPushed() {
        return manifests.get();
    }

    public int retries() {
        return retries.get();
    }

    public long bytesTransferred() {
        return bytes.get();
    }

    public ObjectNode toJson() {
        ObjectNode n = Json.object();
        n.put("blobsTransferred", blobsTransferred());
        n.put("blobsSkipped", blobsSkipped());
        n.put("blobsMounted", blobsMounted());
        n.put("bytesTransferred", bytesTransferred());
        n.put("manifestsPushed", manifestsPushed());
        n.put("retries", retries());
        return n;
    }

    @Override
    public String toString() {
        return Json.toString(toJson());
    }
}
