package dev.kiln.layout.archive;

import static dev.kiln.layout.archive.ArchiveShapes.attestation;
import static dev.kiln.layout.archive.ArchiveShapes.attestationDescriptor;
import static dev.kiln.layout.archive.ArchiveShapes.blobs;
import static dev.kiln.layout.archive.ArchiveShapes.indexBlob;
import static dev.kiln.layout.archive.ArchiveShapes.indexJson;
import static dev.kiln.layout.archive.ArchiveShapes.name;
import static dev.kiln.layout.archive.ArchiveShapes.write;
import static dev.kiln.layout.archive.SavedImage.descriptor;
import static dev.kiln.layout.archive.SavedImage.utf8;

import dev.kiln.layout.archive.ArchiveShapes.Expect;
import dev.kiln.layout.archive.ArchiveShapes.Shape;
import dev.kiln.layout.archive.SavedImage.Blob;
import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.spec.MediaTypes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code docker save} of Docker 25 and later, written by hand. The classic (graphdriver) store
 * (moby {@code image/tarexport/save.go}): the OCI layout with uncompressed layers named by diff_id,
 * one small v1 JSON blob per layer, a manifest.json whose {@code LayerSources} lists every layer
 * (go-containerregistry#1870), {@code repositories}; 25.0.0 wrote manifests without their layers
 * (moby#47065), 25.0.0 and 25.0.1 wrote {@code "manifests": null} for an image saved by ID
 * (moby#47210). The containerd store (containerd's archive exporter): the image as pulled or built
 * (an index with attestation manifests, gzip layers), only the blobs the store has (a pulled image
 * has one platform), a manifest.json for one platform, no {@code repositories}.
 */
final class DockerSaves {
    private final Path dir;
    private final SavedImage amd;
    private final SavedImage arm;

    DockerSaves(Path dir, SavedImage amd, SavedImage arm) {
        this.dir = dir;
        this.amd = amd;
        this.arm = arm;
    }

    // ---- the classic store

    List<Shape> graphdriver() throws IOException {
        List<Shape> out = new ArrayList<>();
        List<Blob> layers = amd.tarLayers(MediaTypes.OCI_LAYER);
        byte[] manifest = amd.manifest(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_CONFIG, layers, true);
        byte[] manifest2500 = amd.manifest(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_CONFIG, List.of(), true);
        String tagged = descriptor(MediaTypes.OCI_MANIFEST, manifest, amd.platformJson(), name("1.0"));

        out.add(new Shape("docker25-graphdriver", "docker save hello:1.0 (Docker 25.0.2+, classic store)",
                write(dir, "docker25-graphdriver", graphdriverTar(manifest, "[" + tagged + "]", "[\"hello:1.0\"]", null)),
                "docker-archive", "hello:1.0", Expect.read(amd, Digest.sha256(manifest))));
        out.add(new Shape("docker25.0.0-graphdriver", "docker save hello:1.0 (Docker 25.0.0: the OCI manifest lacks the layers, moby#47065)",
                write(dir, "docker25.0.0-graphdriver", graphdriverTar(manifest2500,
                        "[" + descriptor(MediaTypes.OCI_MANIFEST, manifest2500, amd.platformJson(), name("1.0")) + "]",
                        "[\"hello:1.0\"]", null)),
                "docker-archive", null, Expect.read(amd, null)));
        out.add(new Shape("docker25.0-graphdriver-by-id", "docker save IMAGE-ID (Docker 25.0.0/25.0.1: \"manifests\": null, moby#47210)",
                write(dir, "docker25.0-graphdriver-by-id", graphdriverTar(manifest2500, "null", "null", null)),
                "docker-archive", null, Expect.read(amd, null)));
        out.add(new Shape("docker25-graphdriver-by-id", "docker save IMAGE-ID (Docker 25.0.2+: an entry without names)",
                write(dir, "docker25-graphdriver-by-id", graphdriverTar(manifest,
                        "[" + descriptor(MediaTypes.OCI_MANIFEST, manifest, amd.platformJson(), null) + "]", "null", null)),
                "docker-archive", null, Expect.read(amd, Digest.sha256(manifest))));
        Path gz = dir.resolve("docker25-graphdriver-gzipped.tar.gz");
        Files.write(gz, TestImages.gzip(Files.readAllBytes(dir.resolve("docker25-graphdriver.tar"))));
        out.add(new Shape("docker25-graphdriver-gzipped", "docker save hello:1.0 | gzip", gz, "docker-archive", null,
                Expect.read(amd, Digest.sha256(manifest))));

        // a Windows-style base layer: shipped uncompressed under its diff_id, its descriptor (with urls) in LayerSources
        Blob foreign = new Blob(MediaTypes.DOCKER_LAYER_FOREIGN_GZIP, amd.gzips.get(0));
        String foreignDescriptor = "{\"mediaType\":\"" + foreign.mediaType() + "\",\"size\":" + foreign.bytes().length
                + ",\"digest\":\"" + foreign.digest() + "\",\"urls\":[\"https://mcr.microsoft.com/v2/windows/nanoserver/blobs/"
                + foreign.digest() + "\"]}";
        String foreignLayer = foreignDescriptor.replace(",\"size\":" + foreign.bytes().length + ",\"digest\":\"" + foreign.digest() + "\"",
                ",\"digest\":\"" + foreign.digest() + "\",\"size\":" + foreign.bytes().length);
        byte[] withForeign = utf8(new String(amd.manifest(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_CONFIG, layers, true))
                .replace(layers.get(0).descriptor(), foreignLayer));
        out.add(new Shape("docker25-graphdriver-foreign", "docker save of an image with a foreign layer (Docker 25+, classic store)",
                write(dir, "docker25-graphdriver-foreign", graphdriverTar(withForeign,
                        "[" + descriptor(MediaTypes.OCI_MANIFEST, withForeign, amd.platformJson(), name("1.0")) + "]",
                        "[\"hello:1.0\"]", foreignDescriptor)),
                "docker-archive", "hello:1.0", Expect.read(amd, Digest.sha256(withForeign))));

        // LayerSources with the descriptors of the compressed layers the image was pulled as (no urls):
        // ordinary layers, shipped as the uncompressed tars manifest.json names
        List<Blob> pulled = amd.gzipLayers(MediaTypes.OCI_LAYER_GZIP);
        byte[] pulledManifest = amd.manifest(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_CONFIG, pulled, true);
        Tars.Builder compressed = graphdriverTar(pulledManifest,
                "[" + descriptor(MediaTypes.OCI_MANIFEST, pulledManifest, amd.platformJson(), name("1.0")) + "]", "[\"hello:1.0\"]", null,
                pulled);
        out.add(new Shape("layer-sources-of-compressed-layers", "a save whose LayerSources and OCI manifest name the pulled"
                + " gzip layers it does not ship", write(dir, "layer-sources-of-compressed-layers", compressed),
                "docker-archive", "hello:1.0", Expect.read(amd, null)));
        return out;
    }

    /**
     * A classic-store save of {@code amd}: {@code indexEntries} and {@code repoTags} are JSON text
     * ({@code null} for an image saved by ID, which also has no {@code repositories});
     * {@code foreignSource}, when set, is layer 0's LayerSources descriptor.
     */
    private Tars.Builder graphdriverTar(byte[] manifest, String indexEntries, String repoTags, String foreignSource) {
        return graphdriverTar(manifest, indexEntries, repoTags, foreignSource, null);
    }

    /** As above; {@code kept}, when set, are the LayerSources descriptors of every layer. */
    private Tars.Builder graphdriverTar(byte[] manifest, String indexEntries, String repoTags, String foreignSource,
                                        List<Blob> kept) {
        List<byte[]> content = new ArrayList<>(List.of(amd.config, manifest));
        content.addAll(amd.tars);
        StringBuilder layerPaths = new StringBuilder();
        StringBuilder sources = new StringBuilder();
        for (int i = 0; i < amd.tars.size(); i++) {
            Digest diffId = amd.diffId(i);
            // the v1 image JSON docker save writes for every layer, named by its digest
            content.add(utf8("{\"id\":\"" + Digest.sha256("v1 " + i).hex() + "\",\"created\":\"1970-01-01T00:00:00Z\","
                    + "\"container_config\":{\"Cmd\":null},\"os\":\"linux\"}"));
            layerPaths.append(i == 0 ? "" : ",").append("\"blobs/sha256/").append(diffId.hex()).append('"');
            String source = i == 0 && foreignSource != null ? foreignSource
                    : kept != null ? kept.get(i).descriptor()
                    : "{\"mediaType\":\"" + MediaTypes.OCI_LAYER + "\",\"size\":" + amd.tars.get(i).length + ",\"digest\":\"" + diffId + "\"}";
            sources.append(i == 0 ? "" : ",").append('"').append(diffId).append("\":").append(source);
        }
        Tars.Builder b = new Tars.Builder();
        blobs(b, content);
        b.file("index.json", indexJson(indexEntries, true));
        b.file("manifest.json", "[{\"Config\":\"blobs/sha256/" + amd.configHex() + "\",\"RepoTags\":" + repoTags + ",\"Layers\":["
                + layerPaths + "],\"LayerSources\":{" + sources + "}}]\n");
        b.file("oci-layout", ArchiveShapes.DOCKER_LAYOUT);
        if (!repoTags.equals("null")) {
            b.file("repositories", "{\"hello\":{\"1.0\":\"" + amd.diffId(1).hex() + "\"}}\n");
        }
        return b;
    }

    // ---- the containerd store

    List<Shape> containerd() throws IOException {
        List<Shape> out = new ArrayList<>();
        byte[] amdManifest = amd.manifest(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_CONFIG, amd.gzipLayers(MediaTypes.OCI_LAYER_GZIP), false);
        byte[] armManifest = arm.manifest(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_CONFIG, arm.gzipLayers(MediaTypes.OCI_LAYER_GZIP), false);
        byte[][] amdAtt = attestation(amdManifest);
        byte[][] armAtt = attestation(armManifest);
        String amdEntry = descriptor(MediaTypes.OCI_MANIFEST, amdManifest, amd.platformJson(), null);
        String armEntry = descriptor(MediaTypes.OCI_MANIFEST, armManifest, arm.platformJson(), null);

        // docker build with the containerd store: an index of the image and its provenance
        byte[] built = indexBlob(List.of(amdEntry, attestationDescriptor(amdAtt[0], amdManifest)));
        List<byte[]> builtBlobs = new ArrayList<>(List.of(built, amdManifest, amd.config, amdAtt[0], amdAtt[1], amdAtt[2]));
        builtBlobs.addAll(amd.gzips);
        out.add(new Shape("docker25-containerd", "docker build, then docker save hello:1.0 (Docker 25+, containerd store)",
                write(dir, "docker25-containerd", containerdTar(builtBlobs,
                        "[" + descriptor(MediaTypes.OCI_INDEX, built, null, name("1.0")) + "]", true, amd, "[\"hello:1.0\"]")),
                "docker-archive", null, Expect.read(amd, Digest.sha256(built))));

        // docker pull of a multi-platform image: the index, but only this machine's image in the store
        byte[] pulled = indexBlob(List.of(amdEntry, armEntry, attestationDescriptor(amdAtt[0], amdManifest),
                attestationDescriptor(armAtt[0], armManifest)));
        List<byte[]> hostOnly = new ArrayList<>(List.of(pulled, amdManifest, amd.config));
        hostOnly.addAll(amd.gzips);
        out.add(new Shape("docker25-containerd-pulled", "docker pull hello:1.0 (two platforms), docker save hello:1.0 (containerd store)",
                write(dir, "docker25-containerd-pulled", containerdTar(hostOnly,
                        "[" + descriptor(MediaTypes.OCI_INDEX, pulled, null, name("1.0")) + "]", true, amd, "[\"hello:1.0\"]")),
                "docker-archive", "hello:1.0", Expect.read(amd, Digest.sha256(pulled)).withPlatforms(List.of("linux/amd64", "linux/arm64"), false)));

        List<byte[]> all = new ArrayList<>(hostOnly);
        all.addAll(List.of(armManifest, arm.config, amdAtt[0], amdAtt[1], amdAtt[2], armAtt[0], armAtt[1], armAtt[2]));
        all.addAll(arm.gzips);
        out.add(new Shape("docker25-containerd-all-platforms", "docker pull --platform each, docker save hello:1.0 (containerd store)",
                write(dir, "docker25-containerd-all-platforms", containerdTar(all,
                        "[" + descriptor(MediaTypes.OCI_INDEX, pulled, null, name("1.0")) + "]", true, amd, "[\"hello:1.0\"]")),
                "docker-archive", "docker.io/library/hello:1.0",
                Expect.read(amd, Digest.sha256(pulled)).withPlatforms(List.of("linux/amd64", "linux/arm64"), true)));

        List<byte[]> single = new ArrayList<>(List.of(amdManifest, amd.config));
        single.addAll(amd.gzips);
        out.add(new Shape("docker25-containerd-by-id", "docker save IMAGE-ID (containerd store; containerd's index.json has no mediaType)",
                write(dir, "docker25-containerd-by-id", containerdTar(single, "[" + amdEntry + "]", false, amd, "null")),
                "docker-archive", null, Expect.read(amd, Digest.sha256(amdManifest))));

        List<byte[]> two = new ArrayList<>(single);
        two.addAll(List.of(armManifest, arm.config));
        two.addAll(arm.gzips);
        Tars.Builder b = new Tars.Builder();
        blobs(b, two);
        b.file("index.json", indexJson("[" + descriptor(MediaTypes.OCI_MANIFEST, amdManifest, null, name("1.0")) + ","
                + descriptor(MediaTypes.OCI_MANIFEST, armManifest, null,
                SavedImage.nameAnnotations("example.com/other:2", "2")) + "]", true));
        b.file("manifest.json", "[" + manifestEntry(amd, "[\"hello:1.0\"]") + "," + manifestEntry(arm, "[\"example.com/other:2\"]") + "]");
        b.file("oci-layout", ArchiveShapes.OCI_LAYOUT);
        Path twoFile = write(dir, "docker25-containerd-two-images", b);
        out.add(new Shape("docker25-containerd-two-images", "docker save hello:1.0 example.com/other:2 (containerd store)",
                twoFile, "docker-archive", "example.com/other:2", Expect.read(arm, Digest.sha256(armManifest))));
        out.add(new Shape("docker25-containerd-two-images-unnamed", "the same archive, read without a name",
                twoFile, "docker-archive", null, Expect.refused("holds 2 images", "hello:1.0", "example.com/other:2")));

        List<byte[]> armOnly = new ArrayList<>(List.of(armManifest, arm.config));
        armOnly.addAll(arm.gzips);
        out.add(new Shape("docker28-save-platform", "docker save --platform linux/arm64 hello:1.0 (Docker 28+, containerd store)",
                write(dir, "docker28-save-platform", containerdTar(armOnly,
                        "[" + descriptor(MediaTypes.OCI_MANIFEST, armManifest, arm.platformJson(), name("1.0")) + "]", true, arm,
                        "[\"hello:1.0\"]")),
                "docker-archive", "hello:1.0", Expect.read(arm, Digest.sha256(armManifest))));
        return out;
    }

    private Tars.Builder containerdTar(List<byte[]> blobs, String indexEntries, boolean withMediaType, SavedImage image,
                                       String repoTags) {
        Tars.Builder b = new Tars.Builder();
        blobs(b, blobs);
        b.file("index.json", indexJson(indexEntries, withMediaType));
        b.file("manifest.json", "[" + manifestEntry(image, repoTags) + "]");
        b.file("oci-layout", ArchiveShapes.OCI_LAYOUT);
        return b;
    }

    private static String manifestEntry(SavedImage image, String repoTags) {
        StringBuilder layers = new StringBuilder();
        for (byte[] g : image.gzips) {
            layers.append(layers.length() == 0 ? "" : ",").append("\"blobs/sha256/").append(Digest.sha256(g).hex()).append('"');
        }
        return "{\"Config\":\"blobs/sha256/" + image.configHex() + "\",\"RepoTags\":" + repoTags + ",\"Layers\":[" + layers + "]}";
    }
}
