package dev.kiln.layout.oci;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.kiln.layout.digest.Digest;
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
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.zip.GZIPOutputStream;

/** Builds small layouts programmatically for walk, verify and gc tests, and breaks them one way at a time. */
final class Fixture {
    static final Platform AMD64 = new Platform("linux", "amd64", null);
    static final Platform ARM64 = new Platform("linux", "arm64", "v8");
    static final String CREATED = "2026-01-01T00:00:00Z";

    private Fixture() {
    }

    static FileSystem jimfs() {
        return Jimfs.newFileSystem(Configuration.unix().toBuilder().setAttributeViews("basic", "posix").build());
    }

    /** A stored image: its manifest descriptor and what it references. */
    record Image(Descriptor manifest, Descriptor config, List<Descriptor> layers, List<Digest> diffIds) {
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** An image whose layers are the given (uncompressed) contents, each stored gzip-compressed. */
    static Image putImage(OciLayout layout, Platform platform, String... layerTexts) throws IOException {
        List<byte[]> tars = new ArrayList<>();
        for (String t : layerTexts) {
            tars.add(utf8(t));
        }
        return putImage(layout, platform, tars);
    }

    static Image putImage(OciLayout layout, Platform platform, List<byte[]> tars) throws IOException {
        List<Descriptor> layers = new ArrayList<>();
        List<Digest> diffIds = new ArrayList<>();
        List<History> history = new ArrayList<>();
        for (byte[] tar : tars) {
            layers.add(layout.blobs().putBytes(MediaTypes.OCI_LAYER_GZIP, gzip(tar)));
            diffIds.add(Digest.sha256(tar));
            history.add(new History(CREATED, "COPY layer " + history.size(), false));
        }
        history.add(new History(CREATED, "CMD [\"/hello\"]", true));
        ContainerConfig.Builder b = new ContainerConfig.Builder();
        b.cmd = List.of("/hello");
        ContainerConfig cc = b.build();
        ImageConfig config = new ImageConfig(CREATED, null, platform.architecture(), platform.os(), null, null,
                platform.variant(), cc, diffIds, history, null);
        Descriptor configDescriptor = layout.blobs().putBytes(MediaTypes.OCI_CONFIG, config.toBytes());
        ImageManifest manifest = new ImageManifest(MediaTypes.OCI_MANIFEST, configDescriptor, layers);
        Descriptor m = layout.blobs().putBytes(MediaTypes.OCI_MANIFEST, manifest.toBytes());
        return new Image(m, configDescriptor, layers, diffIds);
    }

    static Descriptor putIndex(OciLayout layout, List<Descriptor> manifests) throws IOException {
        ImageIndex index = new ImageIndex(MediaTypes.OCI_INDEX, manifests);
        return layout.blobs().putBytes(MediaTypes.OCI_INDEX, index.toBytes());
    }

    /** A layout holding one linux/amd64 image with two layers, tagged {@code tag}. */
    static OciLayout singleImage(Path root, String tag) throws IOException {
        OciLayout layout = OciLayout.openOrCreate(root);
        Image image = putImage(layout, AMD64, "base layer", "app layer");
        layout.tag(LayoutTag.parse(tag), image.manifest());
        return layout;
    }

    /** A layout with a tag on an index of linux/amd64 and linux/arm64 images that share their first layer. */
    static OciLayout multiPlatform(Path root, String tag) throws IOException {
        OciLayout layout = OciLayout.openOrCreate(root);
        Image amd = putImage(layout, AMD64, "shared base", "amd64 app");
        Image arm = putImage(layout, ARM64, "shared base", "arm64 app");
        Descriptor index = putIndex(layout, List.of(amd.manifest().withPlatform(AMD64),
                arm.manifest().withPlatform(ARM64)));
        layout.tag(LayoutTag.parse(tag), index);
        return layout;
    }

    static ImageManifest manifest(OciLayout layout, Descriptor d) throws IOException {
        return ImageManifest.parse(layout.blobs().readSmall(d), d.digest().toString());
    }

    /** Stores a changed copy of the manifest {@code tag} names and moves the tag to it. */
    static Descriptor rewriteManifest(OciLayout layout, String tag, UnaryOperator<ImageManifest> change)
            throws IOException {
        Descriptor old = layout.resolve(tag);
        ImageManifest m = change.apply(manifest(layout, old));
        Descriptor d = layout.blobs().putBytes(old.mediaType(), m.toBytes());
        layout.tag(LayoutTag.parse(tag), d.withPlatform(old.platform()));
        return d;
    }

    /** Stores a changed copy of the config of the image {@code tag} names, and a manifest pointing at it. */
    static Descriptor rewriteConfig(OciLayout layout, String tag, UnaryOperator<ImageConfig> change)
            throws IOException {
        Descriptor old = manifest(layout, layout.resolve(tag)).config();
        ImageConfig c = change.apply(ImageConfig.parse(layout.blobs().readSmall(old), "config"));
        Descriptor d = layout.blobs().putBytes(old.mediaType(), c.toBytes());
        rewriteManifest(layout, tag, m -> m.withConfig(d));
        return d;
    }

    static Path blob(OciLayout layout, Digest d) {
        return layout.blobs().path(d);
    }

    /** Changes one byte of a stored blob, keeping its size. */
    static void flipByte(OciLayout layout, Digest d, int position) throws IOException {
        Path p = blob(layout, d);
        byte[] bytes = Files.readAllBytes(p);
        bytes[position] ^= 0x5a;
        Files.write(p, bytes);
    }

    static void writeIndexJson(OciLayout layout, byte[] bytes) throws IOException {
        Files.write(layout.root().resolve(OciLayout.INDEX_FILE), bytes);
    }

    static List<String> strings(List<Problem> problems) {
        return problems.stream().map(Problem::toString).toList();
    }
}
