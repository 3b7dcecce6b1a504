package dev.kiln.layout.archive;

import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.oci.LayoutTag;
import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.spec.ContainerConfig;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.History;
import dev.kiln.layout.spec.ImageConfig;
import dev.kiln.layout.spec.ImageIndex;
import dev.kiln.layout.spec.ImageManifest;
import dev.kiln.layout.spec.MediaTypes;
import dev.kiln.layout.spec.Platform;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Small real images for tests: gzip layers holding files, configs with Env and Cmd, indexes. */
public final class TestImages {
    public static final Platform AMD64 = new Platform("linux", "amd64", null);
    public static final Platform ARM64 = new Platform("linux", "arm64", null);

    private TestImages() {
    }

    /** A two-platform image in a layout, tagged; platform manifests by architecture. */
    public record Built(OciLayout layout, Descriptor index, Map<String, Descriptor> manifests, Descriptor sharedLayer) {
    }

    /** A tar (uncompressed) of regular files, sorted as given, mtime 0, owner 0. */
    public static byte[] tar(Map<String, String> files) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes, 512)) {
            for (Map.Entry<String, String> f : files.entrySet()) {
                byte[] content = f.getValue().getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e = new TarArchiveEntry(f.getKey());
                e.setSize(content.length);
                e.setMode(0100644);
                e.setModTime(0);
                e.setUserName("");
                e.setGroupName("");
                tar.putArchiveEntry(e);
                tar.write(content);
                tar.closeArchiveEntry();
            }
            tar.finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A gzip layer stored in the layout; the diff_id is returned through {@code diffIds}. */
    public static Descriptor gzipLayer(OciLayout layout, Map<String, String> files, List<Digest> diffIds) throws IOException {
        byte[] tar = tar(files);
        diffIds.add(Digest.sha256(tar));
        return layout.blobs().putBytes(MediaTypes.OCI_LAYER_GZIP, gzip(tar));
    }

    /** Stores a config and an OCI manifest for these layers; returns the manifest descriptor with its platform. */
    public static Descriptor manifest(OciLayout layout, Platform p, List<Descriptor> layers, List<Digest> diffIds,
                                      List<String> env, List<String> cmd) throws IOException {
        ContainerConfig.Builder b = new ContainerConfig.Builder();
        b.env = env;
        b.cmd = cmd;
        List<History> history = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            history.add(new History("1970-01-01T00:00:00Z", "kiln test layer " + i, false));
        }
        ImageConfig config = new ImageConfig("1970-01-01T00:00:00Z", null, p.architecture(), p.os(), null, null,
                p.variant(), b.build(), diffIds, history, null);
        Descriptor c = layout.blobs().putBytes(MediaTypes.OCI_CONFIG, config.toBytes());
        ImageManifest m = new ImageManifest(MediaTypes.OCI_MANIFEST, c, layers);
        return layout.blobs().putBytes(MediaTypes.OCI_MANIFEST, m.toBytes()).withPlatform(p);
    }

    public static Descriptor index(OciLayout layout, List<Descriptor> manifests) throws IOException {
        return layout.blobs().putBytes(MediaTypes.OCI_INDEX, new ImageIndex(MediaTypes.OCI_INDEX, manifests).toBytes());
    }

    /**
     * linux/amd64 and linux/arm64: a shared base layer ({@code etc/os-release}) and a per-platform layer
     * ({@code hello.txt} saying the architecture); Env with GREETING, Cmd cat /hello.txt.
     */
    public static Built twoPlatforms(Path dir, String tag) throws IOException {
        OciLayout layout = OciLayout.openOrCreate(dir);
        Map<String, Descriptor> manifests = new LinkedHashMap<>();
        Descriptor shared = null;
        for (Platform p : List.of(AMD64, ARM64)) {
            List<Digest> diffIds = new ArrayList<>();
            Descriptor base = gzipLayer(layout, Map.of("etc/os-release", "NAME=kiln-test\n"), diffIds);
            shared = base;
            Descriptor own = gzipLayer(layout, Map.of("hello.txt", "hello from " + p.architecture() + "\n"), diffIds);
            manifests.put(p.architecture(), manifest(layout, p, List.of(base, own), diffIds,
                    List.of("PATH=/usr/local/bin:/usr/bin:/bin", "GREETING=hello " + p.architecture()),
                    List.of("/bin/cat", "/hello.txt")));
        }
        Descriptor index = index(layout, List.copyOf(manifests.values()));
        if (tag != null) {
            layout.tag(LayoutTag.parse(tag), index);
        }
        return new Built(layout, index, manifests, shared);
    }
}
