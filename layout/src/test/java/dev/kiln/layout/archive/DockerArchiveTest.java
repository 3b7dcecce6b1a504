package dev.kiln.layout.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.json.Raw;
import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageConfig;
import dev.kiln.layout.spec.ImageIndex;
import dev.kiln.layout.spec.ImageManifest;
import dev.kiln.layout.spec.MediaTypes;
import dev.kiln.layout.transport.CopyOptions;
import dev.kiln.layout.transport.Copier;
import dev.kiln.layout.transport.ImageDestination;
import dev.kiln.layout.transport.ImageReader;
import dev.kiln.layout.transport.ImageReference;
import dev.kiln.layout.transport.ImageSource;
import dev.kiln.layout.transport.LayoutDestination;
import dev.kiln.layout.transport.LayoutSource;
import dev.kiln.layout.transport.TransportException;
import dev.kiln.layout.transport.TransportOptions;
import dev.kiln.layout.transport.Transports;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DockerArchiveTest {
    private final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());
    private final Path tmp = fs.getPath("/tmp");
    private final TransportOptions options = TransportOptions.defaults().withTempDir(tmp);

    @AfterEach
    void close() throws IOException {
        fs.close();
    }

    private static ImageManifest manifest(OciLayout layout, Descriptor d) throws IOException {
        return ImageManifest.parse(layout.blobs().readSmall(d), "m");
    }

    @Test
    void oneImageGetsManifestJsonRepositoriesAndAnOciIndex() throws IOException {
        TestImages.Built a = TestImages.twoPlatforms(fs.getPath("/a"), null);
        Descriptor amd = a.manifests().get("amd64");
        ImageManifest m = manifest(a.layout(), amd);
        Path t = fs.getPath("/hello.tar");
        new DockerArchiveWriter().write(a.layout(), amd, List.of("example.com/hello:1.0"), t);

        List<String> names = Tars.names(t);
        assertEquals(List.of("oci-layout", "index.json", "manifest.json", "repositories", "blobs/", "blobs/sha256/"), names.subList(0, 6));
        assertEquals(4, names.size() - 6); // manifest, config, two layers
        Map<String, Tars.Read> entries = Tars.byName(t);
        String l0 = m.layers().get(0).digest().hex();
        String l1 = m.layers().get(1).digest().hex();
        assertEquals("[{\"Config\":\"blobs/sha256/" + m.config().digest().hex() + "\",\"RepoTags\":[\"example.com/hello:1.0\"],"
                + "\"Layers\":[\"blobs/sha256/" + l0 + "\",\"blobs/sha256/" + l1 + "\"]}]", entries.get("manifest.json").text());
        assertEquals("{\"example.com/hello\":{\"1.0\":\"" + l1 + "\"}}", entries.get("repositories").text());
        ImageIndex index = ImageIndex.parse(entries.get("index.json").content(), "index.json");
        assertEquals(1, index.manifests().size());
        assertEquals(amd.digest(), index.manifests().get(0).digest());
        assertEquals("example.com/hello:1.0", index.manifests().get(0).annotation(MediaTypes.ANNOTATION_CONTAINERD_NAME));
        assertEquals("1.0", index.manifests().get(0).annotation(MediaTypes.ANNOTATION_REF_NAME));
        for (String p : new String[] {m.config().digest().hex(), l0, l1, amd.digest().hex()}) {
            assertArrayEquals(Files.readAllBytes(a.layout().blobs().path(new Digest("sha256", p))),
                    entries.get("blobs/sha256/" + p).content());
        }
        assertFalse(Tars.rawTypes(Files.readAllBytes(t)).contains('x'));

        // Docker Hub names in the familiar form, like docker prints them
        Path hub = fs.getPath("/hub.tar");
        new DockerArchiveWriter().write(a.layout(), amd, List.of("docker.io/library/hello:1.0"), hub);
        Map<String, Tars.Read> e2 = Tars.byName(hub);
        assertTrue(e2.get("manifest.json").text().contains("\"RepoTags\":[\"hello:1.0\"]"), e2.get("manifest.json").text());
        assertEquals("{\"hello\":{\"1.0\":\"" + l1 + "\"}}", e2.get("repositories").text());
        assertEquals("docker.io/library/hello:1.0", ImageIndex.parse(e2.get("index.json").content(), "i").manifests().get(0)
                .annotation(MediaTypes.ANNOTATION_CONTAINERD_NAME));

        // reproducible
        Path again = fs.getPath("/again.tar");
        new DockerArchiveWriter().write(a.layout(), amd, List.of("example.com/hello:1.0"), again);
        assertArrayEquals(Files.readAllBytes(t), Files.readAllBytes(again));
    }

    @Test
    void everyPlatformGetsAnEntryAndTheDefaultOneThePlainTag() throws IOException {
        TestImages.Built a = TestImages.twoPlatforms(fs.getPath("/a"), "1.0");
        Path t = fs.getPath("/multi.tar");
        Transports transports = Transports.standard();
        try (ImageSource src = transports.openSource(ImageReference.parse("oci:/a:1.0"), fs, options);
             ImageDestination dst = transports.openDestination(ImageReference.parse("docker-archive:/multi.tar:hello:1.0"), fs, options)) {
            assertFalse(dst.acceptsIndex());
            new Copier(CopyOptions.defaults().withDefaultPlatform(TestImages.AMD64)).copy(src, dst);
        }
        OciArchiveTest.assertEmpty(tmp);
        Map<String, Tars.Read> entries = Tars.byName(t);
        String manifestJson = entries.get("manifest.json").text();
        String amdConfig = manifest(a.layout(), a.manifests().get("amd64")).config().digest().hex();
        String armConfig = manifest(a.layout(), a.manifests().get("arm64")).config().digest().hex();
        assertTrue(manifestJson.startsWith("[{\"Config\":\"blobs/sha256/" + amdConfig + "\",\"RepoTags\":[\"hello:1.0\"]"), manifestJson);
        assertTrue(manifestJson.contains("{\"Config\":\"blobs/sha256/" + armConfig + "\",\"RepoTags\":[\"hello:1.0-linux-arm64\"]"), manifestJson);
        ImageIndex index = ImageIndex.parse(entries.get("index.json").content(), "i");
        assertEquals(List.of(a.index().digest()), index.manifests().stream().map(Descriptor::digest).toList());
        String repositories = entries.get("repositories").text();
        assertTrue(repositories.matches("\\{\"hello\":\\{\"1.0\":\"[0-9a-f]{64}\",\"1.0-linux-arm64\":\"[0-9a-f]{64}\"}}"), repositories);

        // arm64 as the default platform
        try (ImageSource src = transports.openSource(ImageReference.parse("oci:/a:1.0"), fs, options);
             ImageDestination dst = transports.openDestination(ImageReference.parse("docker-archive:/arm.tar:hello:1.0"), fs, options)) {
            new Copier(CopyOptions.defaults().withDefaultPlatform(TestImages.ARM64)).copy(src, dst);
        }
        String arm = Tars.byName(fs.getPath("/arm.tar")).get("manifest.json").text();
        assertTrue(arm.startsWith("[{\"Config\":\"blobs/sha256/" + armConfig + "\",\"RepoTags\":[\"hello:1.0\"]"), arm);
        assertTrue(arm.contains("\"RepoTags\":[\"hello:1.0-linux-amd64\"]"), arm);

        // one platform asked for: a one-entry index, one image
        try (ImageSource src = transports.openSource(ImageReference.parse("oci:/a:1.0"), fs, options);
             ImageDestination dst = transports.openDestination(ImageReference.parse("docker-archive:/one.tar:hello:1.0"), fs, options)) {
            new Copier(CopyOptions.defaults().withPlatforms(List.of(TestImages.ARM64))).copy(src, dst);
        }
        String one = Tars.byName(fs.getPath("/one.tar")).get("manifest.json").text();
        assertTrue(one.startsWith("[{\"Config\":\"blobs/sha256/" + armConfig + "\",\"RepoTags\":[\"hello:1.0\"]") && !one.contains("},{"), one);
    }

    @Test
    void readsItsOwnArchivesBackByNameOrPlatformTag() throws IOException {
        TestImages.Built a = TestImages.twoPlatforms(fs.getPath("/a"), "1.0");
        Path t = fs.getPath("/multi.tar");
        new DockerArchiveWriter().write(a.layout(), a.index(),
                List.of(a.manifests().get("amd64"), a.manifests().get("arm64")), List.of("example.com/hello:1.0"), t);
        try (ArchiveSource s = DockerArchiveReader.open(t, "example.com/hello:1.0", options, "d")) {
            assertEquals(a.index().digest(), s.root().digest());
            assertEquals("hello arm64", new ImageReader(s).image(TestImages.ARM64).config().value().config().envMap().get("GREETING"));
        }
        try (ArchiveSource s = DockerArchiveReader.open(t, null, options, "d")) {
            assertEquals(a.index().digest(), s.root().digest());
        }
        try (ArchiveSource s = DockerArchiveReader.open(t, "example.com/hello:1.0-linux-arm64", options, "d")) {
            assertEquals(a.manifests().get("arm64").digest(), s.root().digest(), "the stored manifest, not a rebuilt one");
        }
        try (ArchiveSource s = DockerArchiveReader.open(t, "@1", options, "d")) {
            assertEquals(a.manifests().get("arm64").digest(), s.root().digest());
        }
        ArchiveException e = assertThrows(ArchiveException.class, () -> DockerArchiveReader.open(t, "hello:2", options, "docker-archive:/multi.tar:hello:2"));
        assertEquals("docker-archive:/multi.tar:hello:2: no image named 'hello:2' in the archive (names: example.com/hello:1.0, "
                + "example.com/hello:1.0-linux-arm64)", e.getMessage());
        OciArchiveTest.assertEmpty(tmp);
    }

    @Test
    void docker25SaveWithANestedIndexAndAttestationsIsRead() throws IOException {
        TestImages.Built a = TestImages.twoPlatforms(fs.getPath("/a"), null);
        OciLayout layout = a.layout();
        Descriptor amd = a.manifests().get("amd64");
        Descriptor statement = layout.blobs().putBytes("application/vnd.in-toto+json", "{}".getBytes());
        Descriptor attConfig = layout.blobs().putBytes(MediaTypes.OCI_CONFIG,
                "{\"architecture\":\"unknown\",\"os\":\"unknown\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}".getBytes());
        Descriptor att = layout.blobs().putBytes(MediaTypes.OCI_MANIFEST,
                        new ImageManifest(MediaTypes.OCI_MANIFEST, attConfig, List.of(statement)).toBytes())
                .withPlatform(new dev.kiln.layout.spec.Platform("unknown", "unknown", null))
                .withAnnotation(ImageReader.ANNOTATION_REFERENCE_TYPE, "attestation-manifest")
                .withAnnotation(ImageReader.ANNOTATION_REFERENCE_DIGEST, amd.digest().toString());
        Descriptor inner = TestImages.index(layout, List.of(amd, att));
        ImageManifest m = manifest(layout, amd);
        Tars.Builder b = new Tars.Builder().file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}")
                .file("index.json", "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":[{\"mediaType\":\""
                        + MediaTypes.OCI_INDEX + "\",\"digest\":\"" + inner.digest() + "\",\"size\":" + inner.size()
                        + ",\"annotations\":{\"io.containerd.image.name\":\"docker.io/library/hello:1.0\","
                        + "\"org.opencontainers.image.ref.name\":\"1.0\"}}]}")
                .file("manifest.json", "[{\"Config\":\"blobs/sha256/" + m.config().digest().hex() + "\",\"RepoTags\":[\"hello:1.0\"],"
                        + "\"Layers\":[\"blobs/sha256/" + m.layers().get(0).digest().hex() + "\",\"blobs/sha256/"
                        + m.layers().get(1).digest().hex() + "\"]}]")
                .dir("blobs").dir("blobs/sha256");
        for (Descriptor d : List.of(inner, amd, att, attConfig, statement, m.config(), m.layers().get(0), m.layers().get(1))) {
            b.file("blobs/sha256/" + d.digest().hex(), Files.readAllBytes(layout.blobs().path(d.digest())));
        }
        Path t = fs.getPath("/docker25.tar");
        b.writeTo(t);
        for (String name : new String[] {"hello:1.0", "docker.io/library/hello:1.0", null}) {
            try (ArchiveSource s = DockerArchiveReader.open(t, name, options, "d")) {
                assertEquals(inner.digest(), s.root().digest(), String.valueOf(name));
                ImageReader reader = new ImageReader(s);
                assertEquals(List.of(amd.digest()), reader.platformEntries().stream().map(e -> e.descriptor().digest()).toList());
                assertEquals(amd.digest(), reader.image(TestImages.AMD64).descriptor().digest());
            }
        }
        // only the platforms whose blobs are there can be copied: the host one
        OciLayout copy = OciLayout.openOrCreate(fs.getPath("/copy"));
        try (ArchiveSource s = DockerArchiveReader.open(t, "hello:1.0", options, "d");
             LayoutDestination d = new LayoutDestination(copy, "hello", "copy")) {
            new Copier().copy(s, d);
        }
        assertTrue(copy.blobs().exists(att.digest()), "a plain copy keeps the attestations");
        OciArchiveTest.assertEmpty(tmp);
    }

    @Test
    void zstdLayersAreRefused() throws IOException {
        OciLayout layout = OciLayout.openOrCreate(fs.getPath("/z"));
        byte[] fake = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0, 0, 0, 0};
        Descriptor layer = layout.blobs().putBytes(MediaTypes.OCI_LAYER_ZSTD, fake);
        Descriptor m = TestImages.manifest(layout, TestImages.AMD64, List.of(layer), List.of(Digest.sha256("tar")), null, null);
        String want = "docker-archive: layer " + layer.digest() + " is zstd-compressed; Docker before 23 cannot load it; "
                + "use --compression gzip or oci-archive";
        ArchiveException e = assertThrows(ArchiveException.class,
                () -> new DockerArchiveWriter().write(layout, m, List.of("hello:1.0"), fs.getPath("/z.tar")));
        assertEquals(want, e.getMessage());
        assertFalse(Files.exists(fs.getPath("/z.tar")));
        layout.tag(dev.kiln.layout.oci.LayoutTag.parse("z"), m);
        try (ImageSource src = new LayoutSource(layout, "z", "src");
             ImageDestination dst = Transports.standard().openDestination(ImageReference.parse("docker-archive:/z.tar:hello:1.0"), fs, options)) {
            e = assertThrows(ArchiveException.class, () -> new Copier().copy(src, dst));
            assertEquals(want, e.getMessage());
        }
        assertFalse(Files.exists(fs.getPath("/z.tar")));
        OciArchiveTest.assertEmpty(tmp);
    }

    @Test
    void badNamesAreRefusedWhenTheDestinationOpens() {
        TransportException e = assertThrows(TransportException.class, () -> Transports.standard()
                .openDestination(ImageReference.parse("docker-archive:/x.tar:Hello:1.0"), fs, options));
        assertTrue(e.getMessage().startsWith("docker-archive:/x.tar:Hello:1.0: invalid image name 'Hello:1.0'"), e.getMessage());
    }

    /** A classic (Docker 20.10) {@code docker save}: {@code <id>/layer.tar}, {@code <config>.json}, manifest.json. */
    private record Classic(byte[] config, byte[] layer, byte[] gzLayer, byte[] config2, Path file) {
    }

    private Classic classic(String name, boolean badDiffId) throws IOException {
        byte[] layer = TestImages.tar(Map.of("hello.txt", "hi\n"));
        byte[] layerB = TestImages.tar(Map.of("b.txt", "b\n"));
        byte[] gz = TestImages.gzip(layerB);
        String config = "{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\",\"config\":{\"Env\":[\"A=1\"],\"Cmd\":[\"/bin/sh\"]},"
                + "\"created\":\"2024-01-01T00:00:00Z\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
                + (badDiffId ? Digest.sha256("other") : Digest.sha256(layer)) + "\"]}}";
        String config2 = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
                + Digest.sha256(layer) + "\",\"" + Digest.sha256(layerB) + "\"]}}";
        byte[] c1 = config.getBytes(StandardCharsets.UTF_8);
        byte[] c2 = config2.getBytes(StandardCharsets.UTF_8);
        String id1 = Digest.sha256("v1 id 1").hex();
        String id2 = Digest.sha256("v1 id 2").hex();
        String id3 = Digest.sha256("v1 id 3").hex();
        String h1 = Digest.sha256(c1).hex();
        String h2 = Digest.sha256(c2).hex();
        Path file = fs.getPath("/" + name);
        new Tars.Builder()
                .dir(id1).file(id1 + "/VERSION", "1.0").file(id1 + "/json", "{}").file(id1 + "/layer.tar", layer)
                // docker save links a layer it already wrote
                .dir(id2).file(id2 + "/VERSION", "1.0").file(id2 + "/json", "{}").symlink(id2 + "/layer.tar", "../" + id1 + "/layer.tar")
                .dir(id3).file(id3 + "/layer.tar", gz)
                .file(h1 + ".json", c1).file(h2 + ".json", c2)
                .file("manifest.json", "[{\"Config\":\"" + h1 + ".json\",\"RepoTags\":[\"hello:1.0\"],\"Layers\":[\"" + id1 + "/layer.tar\"]},"
                        + "{\"Config\":\"" + h2 + ".json\",\"RepoTags\":[\"example.com/other:2\"],\"Layers\":[\"" + id2 + "/layer.tar\",\""
                        + id3 + "/layer.tar\"]}]")
                .file("repositories", "{\"hello\":{\"1.0\":\"" + id1 + "\"}}")
                .writeTo(file);
        return new Classic(c1, layer, gz, c2, file);
    }

    @Test
    void classicDockerSaveIsReadIntoAnOciImage() throws IOException {
        Classic c = classic("classic.tar", false);
        Descriptor root;
        OciLayout copy = OciLayout.openOrCreate(fs.getPath("/copy"));
        try (ArchiveSource s = DockerArchiveReader.open(c.file(), "hello:1.0", options, "docker-archive:/classic.tar:hello:1.0")) {
            root = s.root();
            assertEquals(MediaTypes.OCI_MANIFEST, root.mediaType(), "an OCI manifest: OCI indexes (skopeo, umoci) list OCI types only");
            assertEquals("linux/arm64/v8", root.platform().toString());
            ImageReader reader = new ImageReader(s);
            ImageReader.Image image = reader.image((dev.kiln.layout.spec.Platform) null);
            Raw<ImageConfig> config = image.config();
            assertArrayEquals(c.config(), config.bytes(), "the config's bytes are kept");
            assertEquals(new Descriptor(MediaTypes.OCI_CONFIG, Digest.sha256(c.config()), c.config().length),
                    image.manifest().value().config());
            assertEquals(List.of(new Descriptor(MediaTypes.OCI_LAYER, Digest.sha256(c.layer()), c.layer().length)),
                    image.manifest().value().layers());
            assertEquals(List.of("/bin/sh"), config.value().config().cmd());
            try (LayoutDestination d = new LayoutDestination(copy, "hello", "copy")) {
                new Copier().copy(s, d);
            }
        }
        assertEquals(root.digest(), copy.resolve("hello").digest());
        assertArrayEquals(c.layer(), Files.readAllBytes(copy.blobs().path(Digest.sha256(c.layer()))));

        // the second image: a linked layer and a gzip one
        try (ArchiveSource s = DockerArchiveReader.open(c.file(), "example.com/other:2", options, "d")) {
            ImageManifest m = new ImageReader(s).image(s.root()).manifest().value();
            assertEquals(List.of(MediaTypes.OCI_LAYER, MediaTypes.OCI_LAYER_GZIP),
                    m.layers().stream().map(Descriptor::mediaType).toList());
            assertEquals(List.of(Digest.sha256(c.layer()), Digest.sha256(c.gzLayer())),
                    m.layers().stream().map(Descriptor::digest).toList());
        }
        ArchiveException e = assertThrows(ArchiveException.class, () -> DockerArchiveReader.open(c.file(), null, options, "docker-archive:/classic.tar"));
        assertEquals("docker-archive:/classic.tar: the archive holds 2 images; name one of: hello:1.0, example.com/other:2", e.getMessage());
        // the oci-archive reader skips the classic files and says what is missing
        e = assertThrows(ArchiveException.class, () -> OciArchiveReader.open(c.file(), null, options, "oci-archive:/classic.tar"));
        assertEquals("oci-archive:/classic.tar: not an oci-archive (index.json is missing)", e.getMessage());
        OciArchiveTest.assertEmpty(tmp);
    }

    @Test
    void aLayerThatIsNotItsDiffIdIsRefused() throws IOException {
        Classic c = classic("bad.tar", true);
        ArchiveException e = assertThrows(ArchiveException.class, () -> DockerArchiveReader.open(c.file(), "hello:1.0", options, "docker-archive:/bad.tar"));
        assertTrue(e.getMessage().matches("docker-archive:/bad.tar: manifest.json\\[0]: layer '[0-9a-f]{64}/layer.tar' hashes to "
                + Digest.sha256(c.layer()) + " but the config's diff_ids\\[0] is " + Digest.sha256("other")), e.getMessage());
        OciArchiveTest.assertEmpty(tmp);
    }

    @Test
    void podmanStyleLayersAndLinksAreRead() throws IOException {
        byte[] layer = TestImages.tar(Map.of("p.txt", "p\n"));
        String lh = Digest.sha256(layer).hex();
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:" + lh + "\"]}}")
                .getBytes(StandardCharsets.UTF_8);
        String ch = Digest.sha256(config).hex();
        String legacy = Digest.sha256("legacy").hex();
        Path file = fs.getPath("/podman.tar");
        new Tars.Builder()
                .file(lh + ".tar", layer)
                .dir(legacy).file(legacy + "/VERSION", "1.0").file(legacy + "/json", "{}").symlink(legacy + "/layer.tar", "../" + lh + ".tar")
                .file(ch + ".json", config)
                .file("manifest.json", "[{\"Config\":\"" + ch + ".json\",\"RepoTags\":[\"localhost/p:latest\"],\"Layers\":[\"" + lh + ".tar\"]}]")
                .writeTo(file);
        try (ArchiveSource s = DockerArchiveReader.open(file, "localhost/p", options, "d")) {
            ImageManifest m = new ImageReader(s).image(s.root()).manifest().value();
            assertEquals(Digest.sha256(layer), m.layers().get(0).digest());
            assertEquals(Digest.sha256(config), m.config().digest());
        }
        // a link anywhere else is refused
        Path evil = fs.getPath("/evil.tar");
        new Tars.Builder().file("manifest.json", "[]").symlink(legacy + "/layer.tar", "/etc/shadow").writeTo(evil);
        ArchiveException e = assertThrows(ArchiveException.class, () -> DockerArchiveReader.open(evil, null, options, "docker-archive:/evil.tar"));
        assertEquals("docker-archive:/evil.tar: entry '" + legacy + "/layer.tar' is a symbolic link (to '/etc/shadow') out of the archive; such links are not allowed; refused",
                e.getMessage());
        OciArchiveTest.assertEmpty(tmp);
    }

    @Test
    void anUntaggedImageHasEmptyRepoTags() throws IOException {
        TestImages.Built a = TestImages.twoPlatforms(fs.getPath("/a"), null);
        Path t = fs.getPath("/untagged.tar");
        new DockerArchiveWriter().write(a.layout(), a.manifests().get("amd64"), List.of(), t);
        Map<String, Tars.Read> entries = Tars.byName(t);
        assertTrue(entries.get("manifest.json").text().contains("\"RepoTags\":[]"));
        assertEquals("{}", entries.get("repositories").text());
        Descriptor entry = ImageIndex.parse(entries.get("index.json").content(), "i").manifests().get(0);
        assertEquals(null, entry.annotations());
        List<Digest> seen = new ArrayList<>();
        try (ArchiveSource s = DockerArchiveReader.open(t, null, options, "d")) {
            seen.add(s.root().digest());
        }
        assertEquals(List.of(a.manifests().get("amd64").digest()), seen);
    }
}
