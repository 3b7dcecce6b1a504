package dev.kiln.layout.archive;

import static dev.kiln.layout.archive.SavedImage.descriptor;
import static dev.kiln.layout.archive.SavedImage.nameAnnotations;
import static dev.kiln.layout.archive.SavedImage.utf8;

import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.spec.MediaTypes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Archives written by hand from the formats of the tools that cannot run here: Docker 25+ {@code
 * docker save} (the classic graphdriver store and the containerd store, tagged, by ID, several
 * platforms, the 25.0.0 defects), go-containerregistry's {@code tarball} (crane), the engines before
 * Docker 1.10 and containers/image, and archives with files beyond the format. Each comes with what
 * kiln must make of it. The facts each shape follows (file names, field order, what is null) are
 * from moby's {@code image/tarexport/save.go}, containerd's {@code core/images/archive/exporter.go},
 * go-containerregistry's {@code pkg/v1/tarball/write.go} and the issues named beside each shape.
 * The real tools that run here (skopeo, podman, buildah, umoci, Docker 20.10) write their own shapes
 * in the integration tests.
 */
public final class ArchiveShapes {
    static final String DOCKER_LAYOUT = "{\"imageLayoutVersion\": \"1.0.0\"}"; // moby's ociLayoutContent, with its space
    static final String OCI_LAYOUT = "{\"imageLayoutVersion\":\"1.0.0\"}";
    static final String INTOTO = "application/vnd.in-toto+json";

    private ArchiveShapes() {
    }

    /**
     * What kiln must make of a shape. For an archive it reads: the platforms of its root (one for a
     * single image), the config and layer count of {@code platform}'s image, whether a plain copy
     * takes everything ({@code whole}: false when the archive holds only some of the platforms its
     * index lists, then only a copy of {@code platform} works), and {@code root}, the digest the
     * copy keeps (null when kiln makes the manifest from manifest.json). For an archive it refuses:
     * the words of the one-line error.
     */
    public record Expect(boolean ok, List<String> platforms, String platform, Digest config, int layers, Digest root,
                         boolean whole, List<String> mentions) {
        static Expect read(SavedImage img, Digest root) {
            return new Expect(true, List.of(img.platform()), img.platform(), img.configDigest(), 2, root, true, List.of());
        }

        static Expect refused(String... mentions) {
            return new Expect(false, List.of(), null, null, 0, null, false, List.of(mentions));
        }

        Expect withPlatforms(List<String> all, boolean wholeCopy) {
            return new Expect(ok, all, platform, config, layers, root, wholeCopy, mentions);
        }
    }

    /** One archive: who writes it this way, the file, the reference kiln reads it by, and the outcome. */
    public record Shape(String id, String producer, Path file, String transport, String name, Expect expect) {
        public String reference() {
            return transport + ":" + file + (name == null ? "" : ":" + name);
        }

        @Override
        public String toString() {
            return id;
        }
    }

    /** Writes every shape under {@code dir}. */
    public static List<Shape> writeAll(Path dir) throws IOException {
        Files.createDirectories(dir);
        SavedImage amd = new SavedImage("linux", "amd64");
        SavedImage arm = new SavedImage("linux", "arm64");
        List<Shape> out = new ArrayList<>();
        DockerSaves docker = new DockerSaves(dir, amd, arm);
        out.addAll(docker.graphdriver());
        out.addAll(docker.containerd());
        out.addAll(OtherSaves.all(dir, amd));
        return out;
    }

    /** The shape with this id. */
    public static Shape byId(List<Shape> shapes, String id) {
        return shapes.stream().filter(s -> s.id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no shape " + id));
    }

    /** An index.json as Docker 25+ writes it ({@code mediaType} set) around these entries (JSON text, or "null"). */
    static String indexJson(String entries, boolean withMediaType) {
        return "{\"schemaVersion\":2" + (withMediaType ? ",\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\"" : "")
                + ",\"manifests\":" + entries + "}";
    }

    /** An image index blob (OCI) listing these descriptors. */
    static byte[] indexBlob(List<String> descriptors) {
        return utf8("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":["
                + String.join(",", descriptors) + "]}");
    }

    /** A BuildKit attestation manifest for {@code image} (its in-toto statement as the one layer). */
    static byte[][] attestation(byte[] imageManifest) {
        byte[] statement = utf8("{\"_type\":\"https://in-toto.io/Statement/v0.1\",\"predicateType\":\"https://slsa.dev/provenance/v0.2\"}");
        byte[] config = utf8("{\"architecture\":\"unknown\",\"os\":\"unknown\",\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
                + Digest.sha256(statement) + "\"]}}");
        byte[] manifest = utf8("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
                + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + Digest.sha256(config) + "\",\"size\":" + config.length
                + "},\"layers\":[{\"mediaType\":\"" + INTOTO + "\",\"digest\":\"" + Digest.sha256(statement) + "\",\"size\":"
                + statement.length + ",\"annotations\":{\"in-toto.io/predicate-type\":\"https://slsa.dev/provenance/v0.2\"}}]}");
        return new byte[][] {manifest, config, statement};
    }

    static String attestationDescriptor(byte[] attestationManifest, byte[] imageManifest) {
        return descriptor(MediaTypes.OCI_MANIFEST, attestationManifest, "{\"architecture\":\"unknown\",\"os\":\"unknown\"}",
                "{\"vnd.docker.reference.digest\":\"" + Digest.sha256(imageManifest) + "\",\"vnd.docker.reference.type\":\"attestation-manifest\"}");
    }

    static String name(String tag) {
        return nameAnnotations("docker.io/library/hello:" + tag, tag);
    }

    /** Adds {@code blobs/}, {@code blobs/sha256/} and a {@code blobs/sha256/<digest>} entry per content, sorted, each once. */
    static void blobs(Tars.Builder b, List<byte[]> contents) {
        java.util.TreeMap<String, byte[]> sorted = new java.util.TreeMap<>();
        for (byte[] c : contents) {
            sorted.put(Digest.sha256(c).hex(), c);
        }
        b.dir("blobs").dir("blobs/sha256");
        sorted.forEach((hex, c) -> b.file("blobs/sha256/" + hex, c));
    }

    static Path write(Path dir, String id, Tars.Builder b) throws IOException {
        Path file = dir.resolve(id + ".tar");
        b.writeTo(file);
        return file;
    }
}
