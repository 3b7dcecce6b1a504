package dev.kiln.layout.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageManifest;
import dev.kiln.layout.spec.MediaTypes;
import dev.kiln.layout.transport.ImageReader;
import dev.kiln.layout.transport.TransportOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A docker-archive that names its layers only in manifest.json (podman, classic docker save):
 * each layer's type comes from its first bytes (gzip, zstd, else a plain tar that must be its
 * diff_id), in an OCI manifest; images are picked by position ({@code @N}) within the archive's count.
 */
class DockerArchiveLayerTypeTest {
    private final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());
    private final TransportOptions options = TransportOptions.defaults().withTempDir(fs.getPath("/tmp"));

    @AfterEach
    void close() throws IOException {
        fs.close();
    }

    /** An archive of one image whose stored layer files are {@code stored}, with diff_ids of {@code tars}. */
    Path archive(String name, List<byte[]> tars, List<byte[]> stored) throws IOException {
        return archive(name, tars, stored, "");
    }

    /** @param layerSources the members of manifest.json's LayerSources object, or "" */
    Path archive(String name, List<byte[]> tars, List<byte[]> stored, String layerSources) throws IOException {
        StringBuilder diffIds = new StringBuilder();
        StringBuilder layers = new StringBuilder();
        Tars.Builder b = new Tars.Builder();
        for (int i = 0; i < tars.size(); i++) {
            String h = Digest.sha256(stored.get(i)).hex();
            diffIds.append(i == 0 ? "" : ",").append('"').append(Digest.sha256(tars.get(i))).append('"');
            layers.append(i == 0 ? "" : ",").append('"').append(h).append(".tar\"");
            b.file(h + ".tar", stored.get(i));
        }
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + diffIds + "]}}")
                .getBytes(StandardCharsets.UTF_8);
        String ch = Digest.sha256(config).hex();
        Path file = fs.getPath("/" + name);
        b.file(ch + ".json", config)
                .file("manifest.json", "[{\"Config\":\"" + ch + ".json\",\"RepoTags\":[\"localhost/p:latest\"],\"Layers\":[" + layers + "]"
                        + (layerSources.isEmpty() ? "" : ",\"LayerSources\":{" + layerSources + "}") + "}]")
                .writeTo(file);
        return file;
    }

    ImageManifest read(Path file, String name) throws IOException {
        try (ArchiveSource s = DockerArchiveReader.open(file, name, options, "d")) {
            assertEquals(s.root().mediaType(), new ImageReader(s).image(s.root()).manifest().value().mediaType());
            return new ImageReader(s).image(s.root()).manifest().value();
        }
    }

    static byte[] tar(String text) {
        return TestImages.tar(Map.of("f.txt", text));
    }

    @Test
    void eachLayerIsTypedByItsFirstBytesInAnOciManifest() throws IOException {
        byte[] a = tar("a");
        byte[] b = tar("b");
        byte[] c = tar("c");
        ImageManifest m = read(archive("z.tar", List.of(a, b, c), List.of(TestImages.gzip(a), Zstd.compress(b), c)), null);
        assertEquals(MediaTypes.OCI_MANIFEST, m.mediaType());
        assertEquals(MediaTypes.OCI_CONFIG, m.config().mediaType());
        assertEquals(List.of(MediaTypes.OCI_LAYER_GZIP, MediaTypes.OCI_LAYER_ZSTD, MediaTypes.OCI_LAYER),
                m.layers().stream().map(Descriptor::mediaType).toList());
    }

    @Test
    void aLayerThatOnlyStartsLikeZstdIsAPlainTarAndMustBeItsDiffId() throws IOException {
        byte[] almost = {0x28, (byte) 0xb5, 0x2f, 0x00, 1, 2, 3};
        byte[] tar = tar("t");
        Path file = archive("n.tar", List.of(tar), List.of(almost));
        ArchiveException e = assertThrows(ArchiveException.class, () -> read(file, null));
        assertTrue(e.getMessage().contains("hashes to " + Digest.sha256(almost) + " but the config's diff_ids[0] is"), e.getMessage());
        byte[] gzipStart = {0x1f, 0x00, 5};
        Path file2 = archive("n2.tar", List.of(tar), List.of(gzipStart));
        assertThrows(ArchiveException.class, () -> read(file2, null), "0x1f alone is no gzip");
    }

    static String source(byte[] tar, String mediaType, byte[] file, long size) {
        return "\"" + Digest.sha256(tar) + "\":{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + Digest.sha256(file)
                + "\",\"size\":" + size + ",\"annotations\":{\"kept\":\"yes\"}}";
    }

    @Test
    void aShippedLayersSourceDescriptorIsKeptWhenItDescribesTheFileExactly() throws IOException {
        byte[] a = tar("a");
        byte[] gz = TestImages.gzip(a);
        ImageManifest kept = read(archive("s1.tar", List.of(a), List.of(gz), source(a, MediaTypes.OCI_LAYER_GZIP, gz, gz.length)), null);
        assertEquals(Map.of("kept", "yes"), kept.layers().get(0).annotations());
        byte[] z = Zstd.compress(a);
        ImageManifest keptZstd = read(archive("s2.tar", List.of(a), List.of(z), source(a, MediaTypes.OCI_LAYER_ZSTD, z, z.length)), null);
        assertEquals(Map.of("kept", "yes"), keptZstd.layers().get(0).annotations());
        ImageManifest keptTar = read(archive("s3.tar", List.of(a), List.of(a), source(a, MediaTypes.OCI_LAYER, a, a.length)), null);
        assertEquals(Map.of("kept", "yes"), keptTar.layers().get(0).annotations());
    }

    @Test
    void aSourceDescriptorThatDoesNotDescribeTheFileIsNotUsed() throws IOException {
        byte[] a = tar("a");
        byte[] gz = TestImages.gzip(a);
        for (String src : List.of(source(a, MediaTypes.OCI_LAYER_GZIP, gz, gz.length + 1), // wrong size
                source(a, MediaTypes.OCI_LAYER_GZIP, a, gz.length), // wrong digest
                source(a, MediaTypes.OCI_LAYER_ZSTD, gz, gz.length), // wrong compression
                source(a, MediaTypes.OCI_LAYER, gz, gz.length), // says uncompressed
                source(a, MediaTypes.OCI_CONFIG, gz, gz.length))) { // not a layer type
            ImageManifest m = read(archive("w.tar", List.of(a), List.of(gz), src), null);
            assertEquals(new Descriptor(MediaTypes.OCI_LAYER_GZIP, Digest.sha256(gz), gz.length), m.layers().get(0), src);
        }
    }

    Path indexAndManifestJson(String name, String manifests, String manifestJson) throws IOException {
        Path file = fs.getPath("/" + name);
        new Tars.Builder().file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}")
                .file("index.json", "{\"schemaVersion\":2,\"manifests\":[" + manifests + "]}")
                .file("manifest.json", manifestJson).writeTo(file);
        return file;
    }

    static String entry(String seed, String refName) {
        return "{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + Digest.sha256(seed) + "\",\"size\":10,"
                + "\"annotations\":{\"" + MediaTypes.ANNOTATION_REF_NAME + "\":\"" + refName + "\"}}";
    }

    @Test
    void whenNeitherIndexJsonNorManifestJsonListsAnImageTheArchiveSaysSo() throws IOException {
        Path file = indexAndManifestJson("e.tar", "", "[]");
        assertEquals("d: the archive holds no image (index.json and manifest.json list none)",
                assertThrows(ArchiveException.class, () -> DockerArchiveReader.open(file, null, options, "d")).getMessage());
    }

    @Test
    void withoutManifestJsonEntriesTheIndexNamesAreOffered() throws IOException {
        Path file = indexAndManifestJson("two.tar", entry("a", "one") + "," + entry("b", "two"), "[]");
        assertEquals("d: the archive holds 2 images; name one of: one, two",
                assertThrows(ArchiveException.class, () -> DockerArchiveReader.open(file, null, options, "d")).getMessage());
        assertEquals("d: no image named 'three' in the archive (names: one, two)",
                assertThrows(ArchiveException.class, () -> DockerArchiveReader.open(file, "three", options, "d")).getMessage());
    }

    @Test
    void anImageIsPickedByPositionWithinTheArchivesCount() throws IOException {
        byte[] a = tar("a");
        Path file = archive("p.tar", List.of(a), List.of(a));
        assertEquals(Digest.sha256(a), read(file, "@0").layers().get(0).digest());
        ArchiveException e = assertThrows(ArchiveException.class, () -> read(file, "@1"));
        assertEquals("d: no image @1 (the archive holds 1)", e.getMessage());
    }
}
