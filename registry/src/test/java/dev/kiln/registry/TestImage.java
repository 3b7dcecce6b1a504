package dev.kiln.registry;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.digest.DigestingOutputStream;
import dev.kiln.layout.json.Json;
import dev.kiln.layout.oci.LayoutTag;
import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageIndex;
import dev.kiln.layout.spec.ImageManifest;
import dev.kiln.layout.spec.MediaTypes;
import dev.kiln.layout.spec.Platform;
import dev.kiln.layout.store.BlobWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A small 3-platform image (linux/amd64, linux/arm64, linux/arm/v7) in an OCI layout, built with
 * real gzip tar layers: one layer shared by all platforms, one per platform, and optionally a big
 * incompressible layer on amd64. index.json tags one image index, which lists the three manifests.
 */
final class TestImage {
    static final List<Platform> PLATFORMS = List.of(new Platform("linux", "amd64", null),
            new Platform("linux", "arm64", null), new Platform("linux", "arm", "v7"));

    final OciLayout layout;
    final Descriptor index;
    final List<Descriptor> manifests = new ArrayList<>();
    /** Configs and layers, each digest once. */
    final Set<Descriptor> blobs = new LinkedHashSet<>();

    private TestImage(OciLayout layout, Descriptor index) {
        this.layout = layout;
        this.index = index;
    }

    /**
     * @param bigLayerBytes size of an extra random file on amd64 (0 for none)
     * @param salt          text that makes this image's layers differ from other images' layers
     */
    static TestImage build(Path dir, String tag, long bigLayerBytes, String salt) throws IOException {
        OciLayout layout = OciLayout.openOrCreate(dir);
        Layer shared = layer(layout, List.of(new FileEntry("etc/kiln-test", ("shared " + salt + "\n").getBytes(StandardCharsets.UTF_8))), 0);
        List<Descriptor> manifests = new ArrayList<>();
        Set<Descriptor> blobs = new LinkedHashSet<>();
        blobs.add(shared.descriptor);
        for (Platform p : PLATFORMS) {
            List<FileEntry> files = List.of(new FileEntry("hello.txt", ("hello from " + p + " " + salt + "\n").getBytes(StandardCharsets.UTF_8)));
            long big = p.architecture().equals("amd64") ? bigLayerBytes : 0;
            Layer own = layer(layout, files, big);
            blobs.add(own.descriptor);
            ObjectNode config = Json.object();
            config.put("created", "2026-01-01T00:00:00Z");
            config.put("architecture", p.architecture());
            config.put("os", p.os());
            if (p.variant() != null) {
                config.put("variant", p.variant());
            }
            config.putObject("config").putArray("Cmd").add("/hello");
            ObjectNode rootfs = config.putObject("rootfs");
            rootfs.put("type", "layers");
            ArrayNode ids = rootfs.putArray("diff_ids");
            ids.add(shared.diffId.toString());
            ids.add(own.diffId.toString());
            ArrayNode history = config.putArray("history");
            history.addObject().put("created", "2026-01-01T00:00:00Z").put("created_by", "kiln test: shared");
            history.addObject().put("created", "2026-01-01T00:00:00Z").put("created_by", "kiln test: " + p);
            Descriptor configDesc = layout.blobs().putBytes(MediaTypes.OCI_CONFIG, Json.write(config));
            blobs.add(configDesc);
            ImageManifest m = new ImageManifest(MediaTypes.OCI_MANIFEST, configDesc, List.of(shared.descriptor, own.descriptor));
            Descriptor md = layout.blobs().putBytes(MediaTypes.OCI_MANIFEST, m.toBytes()).withPlatform(p);
            manifests.add(md);
        }
        ImageIndex idx = new ImageIndex(MediaTypes.OCI_INDEX, manifests);
        Descriptor indexDesc = layout.blobs().putBytes(MediaTypes.OCI_INDEX, idx.toBytes());
        layout.tag(LayoutTag.parse(tag), indexDesc);
        TestImage image = new TestImage(layout, indexDesc);
        image.manifests.addAll(manifests);
        image.blobs.addAll(blobs);
        return image;
    }

    long totalBlobBytes() {
        return blobs.stream().mapToLong(Descriptor::size).sum();
    }

    private record FileEntry(String name, byte[] content) {
    }

    private record Layer(Descriptor descriptor, Digest diffId) {
    }

    private static Layer layer(OciLayout layout, List<FileEntry> files, long bigBytes) throws IOException {
        try (BlobWriter w = layout.blobs().writer()) {
            DigestingOutputStream uncompressed;
            try (GZIPOutputStream gz = new GZIPOutputStream(nonClosing(w.stream()), 64 * 1024)) {
                uncompressed = new DigestingOutputStream(gz);
                try (TarArchiveOutputStream tar = new TarArchiveOutputStream(uncompressed)) {
                    for (FileEntry f : files) {
                        entry(tar, f.name, f.content.length);
                        tar.write(f.content);
                        tar.closeArchiveEntry();
                    }
                    if (bigBytes > 0) {
                        entry(tar, "big.bin", bigBytes);
                        Random random = new Random(bigBytes);
                        byte[] buf = new byte[64 * 1024];
                        for (long left = bigBytes; left > 0; ) {
                            random.nextBytes(buf);
                            int n = (int) Math.min(buf.length, left);
                            tar.write(buf, 0, n);
                            left -= n;
                        }
                        tar.closeArchiveEntry();
                    }
                    tar.finish();
                }
            }
            Digest digest = w.commit();
            return new Layer(new Descriptor(MediaTypes.OCI_LAYER_GZIP, digest, w.size()), uncompressed.digest());
        }
    }

    private static void entry(TarArchiveOutputStream tar, String name, long size) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(size);
        e.setMode(0644);
        e.setModTime(1767225600000L);
        e.setUserId(0);
        e.setGroupId(0);
        tar.putArchiveEntry(e);
    }

    private static OutputStream nonClosing(OutputStream out) {
        return new java.io.FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
    }
}
