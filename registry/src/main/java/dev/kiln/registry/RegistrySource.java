package dev.kiln.registry;

import dev.kiln.layout.digest.DigestMismatchException;
import dev.kiln.layout.digest.SelfVerifyingStream;
import dev.kiln.layout.json.Json;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageName;
import dev.kiln.layout.spec.MediaTypes;
import dev.kiln.layout.transport.ImageReference;
import dev.kiln.layout.transport.ImageSource;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads an image from a repository of a registry: {@link #root()} GETs the manifest or index the
 * tag or digest names (with the registry's media type), {@link #readManifest} GETs children by
 * digest (configs come from the blob endpoint), {@link #openBlob} streams and verifies.
 */
public final class RegistrySource implements ImageSource {
    private final RegistryClient client;
    private final String repository;
    private final String reference;
    private final String description;
    private final ProgressListener progress;
    private final Map<String, RemoteManifest> fetched = new ConcurrentHashMap<>();
    private final boolean ownsClient;

    /** @param reference a tag or a digest ({@code sha256:...}); the client stays the caller's to close */
    public RegistrySource(RegistryClient client, String repository, String reference) {
        this(client, repository, reference, false);
    }

    private RegistrySource(RegistryClient client, String repository, String reference, boolean ownsClient) {
        this.ownsClient = ownsClient;
        this.client = client;
        this.repository = repository;
        this.reference = reference;
        this.description = "docker://" + client.registry() + "/" + repository + (reference.contains(":") ? "@" : ":") + reference;
        this.progress = client.options().progress();
    }

    /** Connects to the registry of a {@code docker://HOST/REPO[:TAG|@DIGEST]} reference. */
    public static RegistrySource open(ImageReference reference, RegistryOptions options) {
        ImageName name = name(reference);
        RegistryClient client = RegistryClient.connect(name.registry(), options);
        return new RegistrySource(client, name.repository(), name.digest() != null ? name.digest().toString() : name.tag(), true);
    }

    /** Closes the client when this source opened it ({@link #open}); one passed in is the caller's. */
    @Override
    public void close() {
        if (ownsClient) {
            client.close();
        }
    }

    static ImageName name(ImageReference reference) {
        if (reference.transport() != ImageReference.Transport.DOCKER) {
            throw new RegistryException("'" + reference + "' is not a registry reference (want docker://HOST/REPO[:TAG])");
        }
        try {
            return ImageName.parse(reference.location());
        } catch (IllegalArgumentException e) {
            throw new RegistryException("invalid registry reference '" + reference + "': " + e.getMessage());
        }
    }

    public RegistryClient client() {
        return client;
    }

    public String repository() {
        return repository;
    }

    @Override
    public Descriptor root() {
        RemoteManifest m = fetched.computeIfAbsent(reference, r -> client.getManifest(repository, r));
        fetched.putIfAbsent(m.descriptor().digest().toString(), m);
        return m.descriptor();
    }

    @Override
    public byte[] readManifest(Descriptor descriptor) throws IOException {
        String key = descriptor.digest().toString();
        if (MediaTypes.isIndex(descriptor.mediaType()) || MediaTypes.isManifest(descriptor.mediaType())) {
            RemoteManifest m = fetched.computeIfAbsent(key, k -> client.getManifest(repository, k));
            byte[] bytes = m.bytes();
            if (bytes.length != descriptor.size()) {
                throw new DigestMismatchException(description + ": manifest " + descriptor.digest() + " is " + bytes.length
                        + " bytes, its descriptor says " + descriptor.size());
            }
            return bytes;
        }
        if (descriptor.size() > Json.MAX_DOCUMENT_BYTES) {
            throw new RegistryException(description + ": " + descriptor.mediaType() + " " + descriptor.digest()
                    + " is over the " + Json.MAX_DOCUMENT_BYTES + "-byte limit for a document");
        }
        try (InputStream in = client.openBlob(repository, descriptor)) {
            byte[] bytes = in.readNBytes((int) descriptor.size());
            if (in.read() != -1) {
                throw new DigestMismatchException(description + ": blob " + descriptor.digest() + " is longer than its descriptor says");
            }
            return bytes;
        }
    }

    /** The blob's bytes, verified at the end of the stream; progress is reported as it is read. */
    @Override
    public InputStream openBlob(Descriptor descriptor) {
        InputStream in = client.openBlob(repository, descriptor);
        progress.blobStarted(descriptor);
        return new ProgressBlobStream(in, descriptor, progress);
    }

    @Override
    public boolean hasBlob(Descriptor descriptor) {
        return client.hasBlob(repository, descriptor);
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public String toString() {
        return "RegistrySource[" + description + "]";
    }

    /** Reports the progress of a blob's download; hands the bytes on unchanged. */
    private static final class ProgressBlobStream extends FilterInputStream implements SelfVerifyingStream.PassThrough {
        private final Descriptor descriptor;
        private final ProgressListener progress;
        private long count;
        private boolean done;

        ProgressBlobStream(InputStream in, Descriptor descriptor, ProgressListener progress) {
            super(in);
            this.descriptor = descriptor;
            this.progress = progress;
        }

        @Override
        public InputStream source() {
            return in;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            advance(b < 0 ? -1 : 1);
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            advance(n);
            return n;
        }

        private void advance(int n) {
            if (n < 0) {
                if (!done) {
                    done = true;
                    progress.blobDone(descriptor);
                }
            } else if (n > 0) {
                count += n;
                progress.blobProgress(descriptor, count);
            }
        }
    }
}
