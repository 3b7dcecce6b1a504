package dev.kiln.builder.image;

import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageIndex;
import dev.kiln.layout.spec.MediaTypes;
import dev.kiln.layout.spec.Platform;
import dev.kiln.layout.transport.CopyOptions;
import dev.kiln.layout.transport.Copier;
import dev.kiln.layout.transport.ImageDestination;
import dev.kiln.layout.transport.ImageReader;
import dev.kiln.layout.transport.ImageSource;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Joins images that already exist (in one layout or several, built on different machines) into one
 * image index, like {@code docker manifest create}: each source must be a single-platform image,
 * its platform (with os.version and os.features) comes from its config, and two sources for one
 * platform are refused. Blobs are copied into the destination before the index is written and tagged.
 */
public final class IndexAssembler {
    private IndexAssembler() {
    }

    /** One source image and how the user named it (for messages). */
    public record Source(ImageSource image, String name) {
    }

    public static Descriptor create(List<Source> sources, ImageDestination destination, List<String> tags,
                                    CopyOptions copyOptions) throws IOException {
        if (sources.isEmpty()) {
            throw new BuildException("index create: name at least one image");
        }
        List<Descriptor> entries = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Source s : sources) {
            ImageReader reader = new ImageReader(s.image());
            Descriptor root = reader.root();
            if (MediaTypes.isIndex(root.mediaType())) {
                List<ImageReader.PlatformEntry> platforms = reader.platformEntries();
                throw new BuildException(s.name() + " names an image index (" + platforms.size() + " platform"
                        + (platforms.size() == 1 ? "" : "s") + "), not a single image; index create joins single-platform images"
                        + " (copy one platform out first: kiln copy --platform P " + s.name() + " oci:DIR:TAG)");
            }
            ImageReader.Image image = reader.image(root);
            Platform platform = image.config().value().platform();
            for (int i = 0; i < entries.size(); i++) {
                if (entries.get(i).platform().sameAs(platform)) {
                    throw new BuildException("two images for platform " + platform.toLongString() + ": " + names.get(i)
                            + " and " + s.name() + "; an index holds one image per platform");
                }
            }
            new Copier(copyOptions).copy(s.image(), new NoCommit(destination));
            entries.add(root.withAnnotations(null).withPlatform(platform));
            names.add(s.name());
        }
        boolean allDocker = entries.stream().allMatch(e -> MediaTypes.isDocker(e.mediaType()));
        boolean anyDocker = entries.stream().anyMatch(e -> MediaTypes.isDocker(e.mediaType()));
        if (anyDocker && !allDocker) {
            throw new BuildException("index create: the images mix Docker schema2 and OCI manifests; rebuild them with one --format");
        }
        ImageIndex index = new ImageIndex(allDocker ? MediaTypes.DOCKER_MANIFEST_LIST : MediaTypes.OCI_INDEX, entries);
        byte[] bytes = index.toBytes();
        Descriptor root = new Descriptor(index.mediaType(), dev.kiln.layout.digest.Digest.sha256(bytes), bytes.length);
        destination.putManifest(root, bytes);
        destination.commit(root, tags);
        return root;
    }

    /** Passes blobs and manifests through, and leaves tagging to the index. */
    private static final class NoCommit implements ImageDestination {
        private final ImageDestination inner;

        NoCommit(ImageDestination inner) {
            this.inner = inner;
        }

        @Override
        public boolean hasBlob(Descriptor descriptor) throws IOException {
            return inner.hasBlob(descriptor);
        }

        @Override
        public void putBlob(Descriptor descriptor, InputStream content) throws IOException {
            inner.putBlob(descriptor, content);
        }

        @Override
        public void putManifest(Descriptor descriptor, byte[] bytes) throws IOException {
            inner.putManifest(descriptor, bytes);
        }

        @Override
        public void commit(Descriptor root, List<String> tags) {
            // the index is committed once all its images are in
        }

        @Override
        public String describe() {
            return inner.describe();
        }

        @Override
        public void close() {
            // the caller closes the real destination
        }
    }
}
