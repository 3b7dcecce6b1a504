package dev.kiln.registry;

import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageIndex;
import dev.kiln.layout.spec.ImageManifest;
import dev.kiln.layout.spec.MediaTypes;
import dev.kiln.layout.transport.ImageDestination;
import dev.kiln.layout.transport.ImageSource;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The tests' own copy loop (the project's Copier lives elsewhere): children before parents; the
 * blobs of all manifests go through {@code putBlob} from {@code threads} threads at once, duplicates
 * included, so the destination's own bounding and de-duplication are what keep it sane.
 */
final class MiniCopy {
    private MiniCopy() {
    }

    /** Like {@link #copy}, but the blobs go through {@link RegistryDestination#putBlobs} (its own pool). */
    static Descriptor copyWithPutBlobs(ImageSource source, RegistryDestination destination, List<String> tags) throws Exception {
        Descriptor root = source.root();
        List<Descriptor> blobs = new ArrayList<>();
        List<Descriptor> order = new ArrayList<>();
        collect(source, root, blobs, order);
        destination.putBlobs(blobs, source::openBlob);
        for (Descriptor m : order) {
            destination.putManifest(m, source.readManifest(m));
        }
        destination.commit(root, tags);
        return root;
    }

    static Descriptor copy(ImageSource source, ImageDestination destination, List<String> tags, int threads) throws Exception {
        Descriptor root = source.root();
        List<Descriptor> blobs = new ArrayList<>();
        List<Descriptor> order = new ArrayList<>();
        collect(source, root, blobs, order);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Descriptor b : blobs) {
                futures.add(pool.submit(() -> {
                    if (!destination.hasBlob(b)) {
                        try (InputStream in = source.openBlob(b)) {
                            destination.putBlob(b, in);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException re) {
                        throw re;
                    }
                    throw e;
                }
            }
        } finally {
            pool.shutdownNow();
        }
        for (Descriptor m : order) {
            destination.putManifest(m, source.readManifest(m));
        }
        destination.commit(root, tags);
        return root;
    }

    /** Blobs in manifest order (duplicates kept) and manifests children first. */
    private static void collect(ImageSource source, Descriptor d, List<Descriptor> blobs, List<Descriptor> order) throws IOException {
        byte[] bytes = source.readManifest(d);
        if (MediaTypes.isIndex(d.mediaType())) {
            for (Descriptor child : ImageIndex.parse(bytes, d.digest().toString()).manifests()) {
                collect(source, child, blobs, order);
            }
        } else {
            ImageManifest m = ImageManifest.parse(bytes, d.digest().toString());
            blobs.add(m.config().bare());
            m.layers().forEach(l -> blobs.add(l.bare()));
        }
        order.add(d.bare().withPlatform(d.platform()));
    }
}
