package dev.kiln.layout.transport;

import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.digest.SelfVerifyingStream;
import dev.kiln.layout.json.Raw;
import dev.kiln.layout.json.Json;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageIndex;
import dev.kiln.layout.spec.MediaTypes;
import dev.kiln.layout.spec.Platform;
import dev.kiln.layout.store.BlobMissingException;
import dev.kiln.layout.transport.CopyListener.SkipReason;
import dev.kiln.layout.transport.ImageClosure.Kind;
import dev.kiln.layout.transport.ImageClosure.Node;
import dev.kiln.layout.transport.ImageReader.PlatformEntry;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Copies the image a source names into a destination: blobs first (layers and configs, each digest
 * once, skipping those the destination has), then manifests and indexes children before parents
 * with their exact bytes, then {@code commit}. A plain copy keeps every digest; a platform subset
 * writes a new index made of the original entries' descriptors.
 */
public final class Copier {
    private final CopyOptions options;

    public Copier(CopyOptions options) {
        this.options = options;
    }

    public Copier() {
        this(CopyOptions.defaults());
    }

    public CopyResult copy(ImageSource source, ImageDestination destination) throws IOException {
        ImageReader reader = new ImageReader(source);
        Descriptor sourceRoot = reader.root();
        Descriptor root = sourceRoot;
        Raw<ImageIndex> index = null;
        if (MediaTypes.isIndex(root.mediaType())) {
            index = reader.readIndex(root);
            if (!options.platforms().isEmpty()) {
                index = PlatformSubset.of(reader, index, options.platforms());
                root = index.descriptor();
                if (!root.digest().equals(sourceRoot.digest())) {
                    options.listener().rootChanged(sourceRoot, root);
                }
            }
        } else if (!options.platforms().isEmpty()) {
            checkSinglePlatform(reader, root);
        }

        List<Node> closure = ImageClosure.of(root, index == null ? null : index.bytes(), source::readManifest,
                source.describe());
        Tally tally = new Tally();
        List<Node> blobs = closure.stream().filter(n -> !n.isDocument()).toList();
        transferAll(source, destination, blobs, tally);
        for (Node doc : ImageClosure.documents(closure)) {
            putDocument(destination, doc, tally);
        }

        if (index != null && !destination.acceptsIndex()) {
            List<Descriptor> manifests = orderForDefault(reader.platformEntries(index));
            if (manifests.isEmpty()) {
                throw new TransportException(source.describe() + ": index " + root.digest() + " lists no image manifest");
            }
            destination.commitPlatforms(root, manifests, options.tags());
        } else {
            destination.commit(root, options.tags());
        }
        return new CopyResult(sourceRoot, root, tally.copied, tally.skipped, tally.bytesCopied, tally.bytesSkipped);
    }

    private void checkSinglePlatform(ImageReader reader, Descriptor root) throws IOException {
        if (!MediaTypes.isManifest(root.mediaType())) {
            return;
        }
        Platform actual = reader.image(root).platform();
        if (options.platforms().stream().noneMatch(p -> p.matches(actual))) {
            throw new TransportException(reader.source().describe() + ": the image is for " + actual.toLongString()
                    + " only; it has no " + String.join(", ", options.platforms().stream().map(Platform::toLongString).toList()));
        }
    }

    /** The platform manifests with the default platform (or the host's) first. */
    private List<Descriptor> orderForDefault(List<PlatformEntry> entries) {
        Platform wanted = options.defaultPlatform() != null ? options.defaultPlatform()
                : options.platforms().size() == 1 ? options.platforms().get(0) : ImageReader.hostPlatform();
        List<Descriptor> out = new ArrayList<>();
        PlatformEntry first = entries.stream().filter(e -> e.platform().toLongString().equals(wanted.toLongString()))
                .findFirst().orElse(entries.stream().filter(e -> wanted.matches(e.platform())).findFirst().orElse(null));
        if (first != null) {
            out.add(withPlatform(first));
        }
        for (PlatformEntry e : entries) {
            if (e != first) {
                out.add(withPlatform(e));
            }
        }
        return out;
    }

    private static Descriptor withPlatform(PlatformEntry e) {
        return e.descriptor().platform() != null ? e.descriptor() : e.descriptor().withPlatform(e.platform());
    }

    private void transferAll(ImageSource source, ImageDestination destination, List<Node> blobs, Tally tally)
            throws IOException {
        if (options.parallelism() == 1 || blobs.size() < 2) {
            for (Node n : blobs) {
                transfer(source, destination, n, tally);
            }
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(options.parallelism(), blobs.size()), r -> {
            Thread t = new Thread(r, "kiln-copy");
            t.setDaemon(true);
            return t;
        });
        List<Future<Void>> futures = new ArrayList<>();
        try {
            CompletionService<Void> done = new ExecutorCompletionService<>(pool);
            for (Node n : blobs) {
                futures.add(done.submit(() -> {
                    transfer(source, destination, n, tally);
                    return null;
                }));
            }
            for (int i = 0; i < futures.size(); i++) {
                try {
                    done.take().get();
                } catch (ExecutionException e) {
                    futures.forEach(f -> f.cancel(true)); // the first failure cancels the rest
                    throw rethrow(e.getCause());
                }
            }
        } catch (InterruptedException e) {
            futures.forEach(f -> f.cancel(true));
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("copy of " + source.describe() + " interrupted");
        } finally {
            pool.shutdownNow();
            try {
                pool.awaitTermination(1, TimeUnit.MINUTES); // no blob write outlives the copy
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static IOException rethrow(Throwable cause) {
        if (cause instanceof IOException io) {
            return io;
        }
        if (cause instanceof UncheckedIOException u) {
            return u.getCause();
        }
        if (cause instanceof RuntimeException r) {
            throw r;
        }
        if (cause instanceof Error err) {
            throw err;
        }
        return new IOException(cause);
    }

    private void transfer(ImageSource source, ImageDestination destination, Node node, Tally tally) throws IOException {
        try {
            transferBlob(source, destination, node, tally);
        } catch (BlobMissingException e) {
            // name what needs the blob: the store only knows its digest
            throw new TransportException(source.describe() + ": " + node.describe() + " is missing from the layout", e);
        }
    }

    private void transferBlob(ImageSource source, ImageDestination destination, Node node, Tally tally) throws IOException {
        Descriptor d = node.descriptor();
        CopyListener listener = options.listener();
        if (node.kind() == Kind.LAYER && MediaTypes.isForeignLayer(d.mediaType())) {
            if (!options.includeNondistributable()) {
                tally.skip(d, false);
                listener.blobSkipped(d, SkipReason.NONDISTRIBUTABLE);
                return;
            }
            if (!source.hasBlob(d)) {
                tally.skip(d, false);
                listener.blobSkipped(d, SkipReason.NOT_IN_SOURCE);
                return;
            }
        }
        if (destination.hasBlob(d)) {
            tally.skip(d, true);
            listener.blobSkipped(d, SkipReason.PRESENT);
            return;
        }
        listener.blobStarted(d);
        if (node.kind() == Kind.CONFIG && MediaTypes.isConfig(d.mediaType())) {
            // an image config is a JSON document: a malformed, oversized or too deeply nested one is
            // refused here, as it would be by every reader of the copy (its schema is verify's business)
            byte[] bytes = source.readManifest(d);
            Json.parseObject(bytes, source.describe() + ": config " + d.digest());
            destination.putBlob(d, new java.io.ByteArrayInputStream(bytes));
        } else {
            java.util.Optional<SeekableBlob> seekable = source.seekableBlob(d);
            if (seekable.isPresent()) {
                SeekableBlob content = seekable.get();
                destination.putBlob(d, offset -> new ProgressStream(content.openAt(offset), offset, d, listener));
            } else {
                try (InputStream in = new ProgressStream(source.openBlob(d), 0, d, listener)) {
                    destination.putBlob(d, in);
                }
            }
        }
        tally.copy(d);
        listener.blobDone(d, d.size());
    }

    private void putDocument(ImageDestination destination, Node doc, Tally tally) throws IOException {
        Descriptor d = doc.descriptor();
        CopyListener listener = options.listener();
        if (destination.hasBlob(d)) {
            tally.skip(d, true);
            listener.blobSkipped(d, SkipReason.PRESENT);
            return;
        }
        listener.blobStarted(d);
        destination.putManifest(d, doc.bytes());
        tally.copy(d);
        listener.blobDone(d, d.size());
    }

    private static final class Tally {
        final List<Digest> copied = new ArrayList<>();
        final List<Digest> skipped = new ArrayList<>();
        long bytesCopied;
        long bytesSkipped;

        synchronized void copy(Descriptor d) {
            copied.add(d.digest());
            bytesCopied += d.size();
        }

        synchronized void skip(Descriptor d, boolean present) {
            skipped.add(d.digest());
            if (present) {
                bytesSkipped += d.size();
            }
        }
    }

    /** Reports progress about every MiB. */
    private static final class ProgressStream extends FilterInputStream implements SelfVerifyingStream.PassThrough {
        private static final long STEP = 1 << 20;
        private final Descriptor blob;
        private final CopyListener listener;
        private long count;
        private long reported;

        ProgressStream(InputStream in, long start, Descriptor blob, CopyListener listener) {
            super(in);
            this.count = start;
            this.reported = start;
            this.blob = blob;
            this.listener = listener;
        }

        @Override
        public InputStream source() {
            return in;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                advance(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                advance(n);
            }
            return n;
        }

        private void advance(int n) {
            count += n;
            if (count - reported >= STEP) {
                reported = count;
                listener.blobProgress(blob, count);
            }
        }
    }
}
