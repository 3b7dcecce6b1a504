package dev.kiln.layout.archive;

import static dev.kiln.layout.archive.ArchiveShapes.blobs;
import static dev.kiln.layout.archive.ArchiveShapes.indexJson;
import static dev.kiln.layout.archive.ArchiveShapes.name;
import static dev.kiln.layout.archive.ArchiveShapes.write;
import static dev.kiln.layout.archive.SavedImage.descriptor;

import dev.kiln.layout.archive.ArchiveShapes.Expect;
import dev.kiln.layout.archive.ArchiveShapes.Shape;
import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.spec.MediaTypes;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Archives of other savers, written by hand: go-containerregistry's {@code tarball.Write} (crane
 * pull, ko, rules_docker: config {@code sha256:<hex>}, layers {@code <hex>.tar.gz},
 * {@code LayerSources} only for non-distributable layers), Docker 1.10 to 24 and go-containerregistry's
 * {@code legacy/tarball} ({@code <id>/layer.tar}, {@code <id>/json}, {@code <id>/VERSION},
 * {@code <config>.json}), containers/image ({@code <diff_id>.tar} layers linked from
 * {@code <id>/layer.tar}), and archives holding files beyond their format.
 */
final class OtherSaves {
    private OtherSaves() {
    }

    static List<Shape> all(Path dir, SavedImage amd) throws IOException {
        List<Shape> out = new ArrayList<>();
        List<String> gzNames = new ArrayList<>();
        for (byte[] g : amd.gzips) {
            gzNames.add(Digest.sha256(g).hex() + ".tar.gz");
        }
        Tars.Builder crane = new Tars.Builder().file("sha256:" + amd.configHex(), amd.config);
        for (int i = 0; i < amd.gzips.size(); i++) {
            crane.file(gzNames.get(i), amd.gzips.get(i));
        }
        crane.file("manifest.json", "[{\"Config\":\"sha256:" + amd.configHex() + "\",\"RepoTags\":[\"example.com/hello:1.0\"],"
                + "\"Layers\":[\"" + String.join("\",\"", gzNames) + "\"]}]");
        out.add(new Shape("crane-tarball", "crane pull example.com/hello:1.0 hello.tar (go-containerregistry tarball.Write)",
                write(dir, "crane-tarball", crane), "docker-archive", "example.com/hello:1.0", Expect.read(amd, null)));

        // a non-distributable layer: go-containerregistry writes its blob and keeps its descriptor
        Digest foreign = Digest.sha256(amd.gzips.get(0));
        String foreignDescriptor = "{\"mediaType\":\"" + MediaTypes.DOCKER_LAYER_FOREIGN_GZIP + "\",\"size\":" + amd.gzips.get(0).length
                + ",\"digest\":\"" + foreign + "\",\"urls\":[\"https://mcr.microsoft.com/v2/windows/nanoserver/blobs/" + foreign + "\"]}";
        Tars.Builder craneForeign = new Tars.Builder().file("sha256:" + amd.configHex(), amd.config);
        for (int i = 0; i < amd.gzips.size(); i++) {
            craneForeign.file(gzNames.get(i), amd.gzips.get(i));
        }
        craneForeign.file("manifest.json", "[{\"Config\":\"sha256:" + amd.configHex() + "\",\"RepoTags\":[\"example.com/hello:1.0\"],"
                + "\"Layers\":[\"" + String.join("\",\"", gzNames) + "\"],\"LayerSources\":{\"" + amd.diffId(0) + "\":" + foreignDescriptor + "}}]");
        out.add(new Shape("crane-tarball-foreign", "go-containerregistry tarball.Write of an image with a foreign layer",
                write(dir, "crane-tarball-foreign", craneForeign), "docker-archive", null, Expect.read(amd, null)));

        // Docker 1.10 to 24 (and go-containerregistry's legacy tarball): v1 layer folders, <config>.json
        Tars.Builder legacy = new Tars.Builder();
        List<String> layerPaths = new ArrayList<>();
        String parent = null;
        for (int i = 0; i < amd.tars.size(); i++) {
            String id = Digest.sha256("legacy v1 id " + i).hex();
            legacy.dir(id).file(id + "/VERSION", "1.0")
                    .file(id + "/json", "{\"id\":\"" + id + "\"" + (parent == null ? "" : ",\"parent\":\"" + parent + "\"")
                            + ",\"created\":\"1970-01-01T00:00:00Z\",\"os\":\"linux\"}")
                    .file(id + "/layer.tar", amd.tars.get(i));
            layerPaths.add(id + "/layer.tar");
            parent = id;
        }
        legacy.file(amd.configHex() + ".json", amd.config)
                .file("manifest.json", "[{\"Config\":\"" + amd.configHex() + ".json\",\"RepoTags\":[\"hello:1.0\"],\"Layers\":[\""
                        + String.join("\",\"", layerPaths) + "\"]}]\n")
                .file("repositories", "{\"hello\":{\"1.0\":\"" + parent + "\"}}\n");
        out.add(new Shape("docker-1.10-legacy", "docker save hello:1.0 (Docker 1.10 to 24; go-containerregistry legacy/tarball)",
                write(dir, "docker-1.10-legacy", legacy), "docker-archive", "hello:1.0", Expect.read(amd, null)));

        // containers/image (podman, skopeo, buildah): <diff_id>.tar, linked from the v1 folders
        Tars.Builder ci = new Tars.Builder();
        List<String> tarNames = new ArrayList<>();
        for (int i = 0; i < amd.tars.size(); i++) {
            String hex = amd.diffId(i).hex();
            ci.file(hex + ".tar", amd.tars.get(i));
            tarNames.add(hex + ".tar");
        }
        for (int i = 0; i < amd.tars.size(); i++) {
            String id = Digest.sha256("c/image v1 id " + i).hex();
            ci.dir(id).file(id + "/VERSION", "1.0").file(id + "/json", "{\"id\":\"" + id + "\"}")
                    .symlink(id + "/layer.tar", "../" + tarNames.get(i));
        }
        ci.file(amd.configHex() + ".json", amd.config)
                .file("manifest.json", "[{\"Config\":\"" + amd.configHex() + ".json\",\"RepoTags\":[\"localhost/hello:1.0\"],\"Layers\":[\""
                        + String.join("\",\"", tarNames) + "\"]}]");
        out.add(new Shape("containers-image", "podman save --format docker-archive / skopeo copy ... docker-archive:",
                write(dir, "containers-image", ci), "docker-archive", "localhost/hello:1.0", Expect.read(amd, null)));

        // manifest.json alone, its LayerSources keeping descriptors (no urls) of layers it ships otherwise
        StringBuilder kept = new StringBuilder();
        Tars.Builder sourcesOnly = new Tars.Builder();
        for (int i = 0; i < amd.tars.size(); i++) {
            sourcesOnly.file(tarNames.get(i), amd.tars.get(i));
            kept.append(i == 0 ? "" : ",").append('"').append(amd.diffId(i)).append("\":")
                    .append(new SavedImage.Blob(MediaTypes.DOCKER_LAYER_GZIP, amd.gzips.get(i)).descriptor());
        }
        sourcesOnly.file(amd.configHex() + ".json", amd.config)
                .file("manifest.json", "[{\"Config\":\"" + amd.configHex() + ".json\",\"RepoTags\":[\"hello:1.0\"],\"Layers\":[\""
                        + String.join("\",\"", tarNames) + "\"],\"LayerSources\":{" + kept + "}}]");
        out.add(new Shape("layer-sources-without-urls", "manifest.json whose LayerSources keep descriptors without urls",
                write(dir, "layer-sources-without-urls", sourcesOnly), "docker-archive", null, Expect.read(amd, null)));

        // an OCI layout with more in it: kiln's own layout tarred by hand, a README, editor debris
        byte[] manifest = amd.manifest(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_CONFIG, amd.gzipLayers(MediaTypes.OCI_LAYER_GZIP), false);
        List<byte[]> content = new ArrayList<>(List.of(manifest, amd.config));
        content.addAll(amd.gzips);
        Tars.Builder extra = new Tars.Builder().file("oci-layout", ArchiveShapes.OCI_LAYOUT)
                .file("index.json", indexJson("[" + descriptor(MediaTypes.OCI_MANIFEST, manifest, amd.platformJson(), name("1.0")) + "]", true))
                .file("README.md", "# hello\nThis archive holds hello:1.0.\n")
                .dir(".kiln").file(".kiln/gc.lock", "")
                .file("index.json~", "{}");
        blobs(extra, content);
        Path extraFile = write(dir, "oci-layout-extra-files", extra);
        out.add(new Shape("oci-layout-extra-files", "tar -cf of a layout with a README and kiln's .kiln/gc.lock",
                extraFile, "oci-archive", "1.0", Expect.read(amd, Digest.sha256(manifest))));
        out.add(new Shape("docker-archive-extra-files", "the same tar read as a docker-archive",
                extraFile, "docker-archive", "hello:1.0", Expect.read(amd, Digest.sha256(manifest))));
        out.add(new Shape("oci-archive-of-docker25.0-by-id", "a Docker 25.0 save by ID read as an oci-archive",
                dir.resolve("docker25.0-graphdriver-by-id.tar"), "oci-archive", null,
                Expect.refused("index.json lists no image", "docker-archive:")));
        return out;
    }
}
