package dev.kiln.registry;

import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageIndex;
import dev.kiln.layout.spec.ImageName;
import dev.kiln.layout.spec.MediaTypes;
import dev.kiln.layout.transport.ImageDestination;
import dev.kiln.layout.transport.ImageReference;
import dev.kiln.layout.transport.SeekableBlob;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.regex.Pattern;

/**
 * Pushes an image to a repository of a registry. Safe for concurrent {@link #putBlob} calls: at most
 * {@code jobs} uploads run at once, and each digest is uploaded once (a second caller for the same
 * digest waits for the first). Blobs are mounted from {@code mountFrom} repositories of the same
 * registry when it can. Manifests are PUT by digest as they come (children before parents, as the
 * Copier sends them); {@link #commit} then PUTs the root under each tag, after checking that no
 * upload is still running and, for an index, that every child is in the repository. Nothing is
 * tagged before that.
 */
public final class RegistryDestination implements ImageDestination {
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

    private final RegistryClient client;
    private final String repository;
    private final String defaultTag;
    private final Digest referenceDigest;
    private final List<String> mountFrom;
    private final Semaphore slots;
    private final ProgressListener progress;
    private final Set<Digest> present = ConcurrentHashMap.newKeySet();
    private final Set<Digest> mountsTried = ConcurrentHashMap.newKeySet();
    private final Map<Digest, BlobMount.Result> sessions = new ConcurrentHashMap<>();
    private final Map<Digest, CompletableFuture<Void>> running = new ConcurrentHashMap<>();
    private final Map<Digest, byte[]> manifests = new ConcurrentHashMap<>();
    private final boolean ownsClient;

    /**
     * @param tag        the tag of the reference, used when commit gets none; null for none
     * @param digest     the digest of a {@code @sha256:...} reference, checked at commit; null for none
     * @param mountFrom  repositories of the same registry to mount blobs from (tried in order)
     */
    public RegistryDestination(RegistryClient client, String repository, String tag, Digest digest, List<String> mountFrom) {
        this(client, repository, tag, digest, mountFrom, false);
    }

    private RegistryDestination(RegistryClient client, String repository, String tag, Digest digest, List<String> mountFrom,
                                boolean ownsClient) {
        this.ownsClient = ownsClient;
        this.client = client;
        this.repository = repository;
        this.defaultTag = tag;
        this.referenceDigest = digest;
        this.mountFrom = List.copyOf(mountFrom);
        this.slots = new Semaphore(client.options().jobs(), true);
        this.progress = client.options().progress();
        client.markPush(repository);
    }

    /** Connects to the registry of a {@code docker://HOST/REPO[:TAG|@DIGEST]} reference. */
    public static RegistryDestination open(ImageReference reference, RegistryOptions options, List<String> mountFrom) {
        ImageName name = RegistrySource.name(reference);
        RegistryClient client = RegistryClient.connect(name.registry(), options);
        return new RegistryDestination(client, name.repository(), name.tag(), name.digest(), mountFrom, true);
    }

    public static RegistryDestination open(ImageReference reference, RegistryOptions options) {
        return open(reference, options, List.of());
    }

    public RegistryClient client() {
        return client;
    }

    public String repository() {
        return repository;
    }

    /**
     * HEADs the blob (once); a blob found is reported to the listener as skipped. One the repository
     * lacks is then mounted from the {@code mountFrom} repositories when the registry can, before
     * anything opens its content (so a copy within one registry does not even download it): a mounted
     * blob is here too, and reported as mounted. A manifest or index is never "here": it is always PUT
     * (idempotent, and {@link #commit} needs its bytes), so no HEAD is spent on it (Distribution
     * answers 404 for a manifest's digest under /blobs/ anyway).
     */
    @Override
    public boolean hasBlob(Descriptor descriptor) {
        if (MediaTypes.isIndex(descriptor.mediaType()) || MediaTypes.isManifest(descriptor.mediaType())) {
            return false;
        }
        if (present.contains(descriptor.digest())) {
            return true;
        }
        if (client.hasBlob(repository, descriptor)) {
            if (present.add(descriptor.digest())) {
                progress.blobSkipped(descriptor);
            }
            return true;
        }
        if (!mountFrom.isEmpty() && mountsTried.add(descriptor.digest())) {
            BlobMount.Result m = client.mountFirst(repository, descriptor, mountFrom);
            if (m.mounted()) {
                present.add(descriptor.digest());
                return true;
            }
            if (m.session() != null) {
                sessions.put(descriptor.digest(), m); // a refused mount opened an upload: the upload uses it
            }
        }
        return false;
    }

    /**
     * Uploads a blob unless this destination already sent it or is sending it. The stream is read
     * only by the upload that sends it (not at all after a mount); the caller closes it.
     */
    @Override
    public void putBlob(Descriptor descriptor, InputStream content) throws IOException {
        once(descriptor, () -> {
            BlobMount.Result tried = afterMounts(descriptor);
            if (tried == null) {
                client.pushBlob(repository, descriptor, content, mountFrom);
            } else {
                new BlobUpload(client, repository, descriptor).upload(content, tried.session(), tried.minChunk());
            }
        });
    }

    /**
     * As {@link #putBlob(Descriptor, InputStream)}, for content that can be opened at any offset: a
     * big blob goes in one streamed request that resumes (or starts over) after a dropped connection.
     */
    @Override
    public void putBlob(Descriptor descriptor, SeekableBlob content) throws IOException {
        once(descriptor, () -> {
            BlobMount.Result tried = afterMounts(descriptor);
            if (tried == null) {
                client.pushBlob(repository, descriptor, content, mountFrom);
            } else {
                new BlobUpload(client, repository, descriptor).upload(content, tried.session(), tried.minChunk());
            }
        });
    }

    /**
     * Null when {@link #hasBlob} did not try the mounts for this blob (the upload then tries them);
     * else what they left: the upload session a refused mount opened, or none.
     */
    private BlobMount.Result afterMounts(Descriptor descriptor) {
        if (!mountsTried.contains(descriptor.digest())) {
            return null;
        }
        client.markPush(repository);
        BlobMount.Result opened = sessions.remove(descriptor.digest());
        return opened != null ? opened : new BlobMount.Result(false, null, 0);
    }

    private interface Push {
        void run() throws IOException;
    }

    /** Runs {@code push} unless the digest is here already or another caller is sending it (then waits for that). */
    private void once(Descriptor descriptor, Push push) throws IOException {
        Digest digest = descriptor.digest();
        while (true) {
            if (present.contains(digest)) {
                return;
            }
            CompletableFuture<Void> mine = new CompletableFuture<>();
            CompletableFuture<Void> other = running.putIfAbsent(digest, mine);
            if (other != null) {
                try {
                    other.join();
                    return;
                } catch (CompletionException | CancellationException e) {
                    continue; // the other upload failed: try with this caller's content
                }
            }
            try {
                acquire();
                try {
                    push.run();
                } finally {
                    slots.release();
                }
                present.add(digest);
                mine.complete(null);
                return;
            } catch (RuntimeException | IOException e) {
                mine.completeExceptionally(e);
                throw e;
            } finally {
                running.remove(digest, mine);
            }
        }
    }

    /**
     * Uploads blobs on a pool of {@code jobs} threads, skipping those the repository has; the first
     * failure cancels the others and is thrown.
     */
    public void putBlobs(List<Descriptor> blobs, BlobOpener opener) throws IOException {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(client.options().jobs(), blobs.size())), r -> {
            Thread th = new Thread(r, "kiln-push");
            th.setDaemon(true);
            return th;
        });
        try {
            List<CompletableFuture<Void>> futures = new ArrayList<>();
            for (Descriptor d : blobs) {
                futures.add(CompletableFuture.runAsync(() -> {
                    try {
                        if (hasBlob(d)) {
                            return;
                        }
                        try (InputStream in = opener.open(d)) {
                            putBlob(d, in);
                        }
                    } catch (IOException e) {
                        throw new CompletionException(e);
                    }
                }, pool));
            }
            CompletableFuture<Void> all = CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]));
            futures.forEach(f -> f.whenComplete((v, e) -> {
                if (e != null) {
                    all.completeExceptionally(e); // fail fast
                }
            }));
            try {
                all.join();
            } catch (CompletionException e) {
                Throwable cause = e.getCause() instanceof CompletionException ce && ce.getCause() != null ? ce.getCause() : e.getCause();
                if (cause instanceof IOException io) {
                    throw io;
                }
                if (cause instanceof RuntimeException re) {
                    throw re;
                }
                throw new RegistryException("pushing blobs to " + describe() + " failed: " + cause, cause);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Override
    public void putManifest(Descriptor descriptor, byte[] bytes) throws IOException {
        String type = descriptor.mediaType();
        if (!MediaTypes.isIndex(type) && !MediaTypes.isManifest(type)) {
            putBlob(descriptor, new ByteArrayInputStream(bytes)); // a config or other small blob
            return;
        }
        client.putManifest(repository, descriptor.digest().toString(), descriptor, bytes);
        manifests.put(descriptor.digest(), bytes.clone());
    }

    @Override
    public void commit(Descriptor root, List<String> tags) throws IOException {
        if (!running.isEmpty()) {
            throw new RegistryException(prefix() + "commit while " + running.size() + " blob uploads are still running; nothing was tagged");
        }
        byte[] bytes = manifests.get(root.digest());
        if (bytes == null) {
            throw new RegistryException(prefix() + "commit of " + root.digest() + ", which was not pushed with putManifest; nothing was tagged");
        }
        if (MediaTypes.isIndex(root.mediaType())) {
            for (Descriptor child : ImageIndex.parse(bytes, "index " + root.digest()).manifests()) {
                if (!manifests.containsKey(child.digest()) && !ManifestGet.exists(client, repository, child.digest())) {
                    throw new RegistryException(prefix() + "index " + root.digest() + " lists " + child.digest()
                            + ", which is not in the repository; nothing was tagged");
                }
            }
        }
        List<String> names = ImageDestination.ownAndExtra(defaultTag, tags);
        if (names.isEmpty()) {
            if (referenceDigest != null && !referenceDigest.equals(root.digest())) {
                throw new RegistryException(prefix() + "the reference names digest " + referenceDigest + " but the image is "
                        + root.digest());
            }
            return; // pushed by digest only
        }
        // a full name given as an extra tag (-t hello-world:latest) tags this repository with its tag
        names = names.stream().map(n -> TAG.matcher(n).matches() ? n : tagOf(n)).distinct().toList();
        for (String tag : names) {
            if (!TAG.matcher(tag).matches()) {
                throw new RegistryException(prefix() + "invalid tag '" + tag + "'");
            }
        }
        for (String tag : names) {
            client.putManifest(repository, tag, root, bytes);
        }
    }

    private static String tagOf(String name) {
        if (name.lastIndexOf(':') < name.lastIndexOf('/') || name.indexOf('@') >= 0) {
            return name; // no explicit tag: reported as an invalid tag below
        }
        try {
            String tag = dev.kiln.layout.spec.ImageName.parse(name).tag();
            return tag == null ? name : tag;
        } catch (IllegalArgumentException e) {
            return name; // reported as an invalid tag below
        }
    }

    private void acquire() throws InterruptedIOException {
        try {
            slots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for an upload slot");
        }
    }

    private String prefix() {
        return "registry " + client.registry() + ", repository " + repository + ": ";
    }

    /** Closes the client when this destination opened it ({@link #open}); one passed in is the caller's. */
    @Override
    public void close() {
        if (ownsClient) {
            client.close();
        }
    }

    @Override
    public String describe() {
        return "docker://" + client.registry() + "/" + repository + (defaultTag == null ? "" : ":" + defaultTag)
                + (referenceDigest == null ? "" : "@" + referenceDigest);
    }

    @Override
    public String toString() {
        return "RegistryDestination[" + describe() + "]";
    }
}
