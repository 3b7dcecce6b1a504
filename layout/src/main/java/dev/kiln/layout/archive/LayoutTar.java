package dev.kiln.layout.archive;

import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.MediaTypes;
import dev.kiln.layout.store.DirectoryBlobStore;
import dev.kiln.layout.transport.ImageClosure;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes an OCI layout as one reproducible tar: the metadata files first in the order given
 * ({@code oci-layout}, {@code index.json}, ...), then {@code blobs/}, each {@code blobs/<alg>/} and
 * its blobs sorted by digest. Foreign layers the store lacks are left out; any other missing blob is
 * an error. Blobs are hashed again as they are copied, unless the store is trusted: one whose every
 * blob this process wrote and hashed itself (a staging layout); sizes are checked either way.
 */
final class LayoutTar {
    private LayoutTar() {
    }

    static void write(Path target, long mtimeSeconds, Map<String, byte[]> metadata, List<ImageClosure.Node> closure,
                      DirectoryBlobStore store, boolean trusted, String what) throws IOException {
        TreeMap<String, TreeMap<String, Descriptor>> blobs = new TreeMap<>();
        for (ImageClosure.Node n : closure) {
            Descriptor d = n.descriptor();
            if (!store.exists(d.digest())) {
                if (n.kind() == ImageClosure.Kind.LAYER && MediaTypes.isForeignLayer(d.mediaType())) {
                    continue;
                }
                throw new ArchiveException(what + ": " + n.describe() + " (" + d.mediaType() + ") is missing from the layout");
            }
            Digest g = d.digest();
            blobs.computeIfAbsent(g.algorithm(), k -> new TreeMap<>()).putIfAbsent(g.hex(), d.bare());
        }
        ArchiveFiles.writeAtomically(target, (out, channel) -> {
            TarWriter tar = new TarWriter(out, channel, mtimeSeconds);
            for (Map.Entry<String, byte[]> m : metadata.entrySet()) {
                tar.file(m.getKey(), m.getValue());
            }
            tar.directory("blobs/");
            for (Map.Entry<String, TreeMap<String, Descriptor>> alg : blobs.entrySet()) {
                tar.directory("blobs/" + alg.getKey() + "/");
                for (Descriptor d : alg.getValue().values()) {
                    String name = "blobs/" + alg.getKey() + "/" + d.digest().hex();
                    if (trusted) {
                        tar.file(name, d.size(), store.path(d.digest())); // kernel copy, no second hash
                    } else {
                        try (InputStream in = store.openVerified(d)) {
                            tar.file(name, d.size(), in);
                        }
                    }
                }
            }
            tar.finish();
        });
    }
}
