package dev.kiln.layout.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.layout.KilnException;
import dev.kiln.layout.archive.ArchiveShapes.Expect;
import dev.kiln.layout.archive.ArchiveShapes.Shape;
import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.oci.Verifier;
import dev.kiln.layout.oci.VerifyReport;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.MediaTypes;
import dev.kiln.layout.spec.Platform;
import dev.kiln.layout.transport.CopyOptions;
import dev.kiln.layout.transport.Copier;
import dev.kiln.layout.transport.ImageReader;
import dev.kiln.layout.transport.ImageReference;
import dev.kiln.layout.transport.ImageSource;
import dev.kiln.layout.transport.LayoutDestination;
import dev.kiln.layout.transport.TransportOptions;
import dev.kiln.layout.transport.Transports;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every hand-written archive shape ({@link ArchiveShapes}) read through kiln's transports: its
 * platforms, the chosen image's config and layers, a copy into a layout (the whole image, or the one
 * platform a partial save holds) that {@code verify --deep} finds complete; or the one-line refusal
 * the shape expects. The CLI test does the same through inspect, copy and build FROM, the integration
 * test hands the copies to umoci and skopeo.
 */
class ArchiveShapesTest {
    static Path dir;
    static List<Shape> shapes;

    @BeforeAll
    static void write() throws IOException {
        dir = Files.createTempDirectory("kiln-shapes-");
        shapes = ArchiveShapes.writeAll(dir.resolve("in"));
    }

    @AfterAll
    static void clean() throws IOException {
        ArchiveFiles.deleteTree(dir);
    }

    static Stream<Shape> shapes() throws IOException {
        if (shapes == null) {
            write();
        }
        return shapes.stream();
    }

    private static TransportOptions options() {
        return TransportOptions.defaults().withTempDir(dir.resolve("tmp"));
    }

    private static ImageSource open(Shape s) throws IOException {
        return Transports.standard().openSource(ImageReference.parse(s.reference()), FileSystems.getDefault(), options());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void eachShapeIsReadAsItsProducerMeantIt(Shape s) throws IOException {
        Expect x = s.expect();
        if (!x.ok()) {
            KilnException e = assertThrows(KilnException.class, () -> open(s).close(), s.producer());
            for (String m : x.mentions()) {
                assertTrue(e.getMessage().contains(m), s.id() + ": '" + m + "' not in: " + e.getMessage());
            }
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
            return;
        }
        Platform platform = Platform.parse(x.platform());
        try (ImageSource src = open(s)) {
            Descriptor root = src.root();
            if (x.root() != null) {
                assertEquals(x.root(), root.digest(), s.id() + ": the root the archive's index.json names");
            }
            ImageReader reader = new ImageReader(src);
            List<String> platforms = reader.rootIsIndex()
                    ? reader.platformEntries().stream().map(e -> e.platform().toString()).toList()
                    : List.of(reader.image(root).platform().toString());
            assertEquals(x.platforms(), platforms, s.id());
            ImageReader.Image image = reader.image(platform);
            assertEquals(x.config(), image.manifest().value().config().digest(), s.id());
            assertEquals(x.layers(), image.manifest().value().layers().size(), s.id() + ": layers");
            assertEquals(image.config().value().diffIds().size(), image.manifest().value().layers().size(), s.id());
        }

        OciLayout copy = OciLayout.openOrCreate(dir.resolve("copy-" + s.id()));
        CopyOptions options = x.whole() ? CopyOptions.defaults() : CopyOptions.defaults().withPlatforms(List.of(platform));
        Descriptor copied;
        try (ImageSource src = open(s); LayoutDestination d = new LayoutDestination(copy, "copied", s.id())) {
            copied = new Copier(options).copy(src, d).root();
        }
        if (x.root() != null && x.whole()) {
            assertEquals(x.root(), copied.digest(), s.id() + ": a plain copy keeps the digest");
        }
        VerifyReport report = Verifier.of(copy, true).verify();
        // BuildKit's attestation layers (in-toto statements) are artifacts, which verify judges on its own (issue 11, item 6)
        List<String> problems = report.problems().stream().map(Object::toString)
                .filter(p -> !p.contains("unknown layer media type " + ArchiveShapes.INTOTO)).toList();
        assertEquals(List.of(), problems, s.id() + ": " + report.summary());
        assertEquals(List.of(), Files.list(dir.resolve("tmp")).toList(), "temp folders left behind");
    }

    @Test
    void aPartialSaveCopiesThePlatformItHoldsAndSaysWhatItLacks() throws IOException {
        Shape s = ArchiveShapes.byId(shapes, "docker25-containerd-pulled");
        OciLayout copy = OciLayout.openOrCreate(dir.resolve("partial-all"));
        KilnException e;
        try (ImageSource src = open(s); LayoutDestination d = new LayoutDestination(copy, "copied", "copy")) {
            e = assertThrows(KilnException.class, () -> new Copier().copy(src, d));
        }
        assertTrue(e.getMessage().contains("linux/arm64") && e.getMessage().contains("holds only linux/amd64"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
        assertEquals(List.of(), copy.index().manifests(), "no tag for a failed copy");
    }

    @Test
    void docker2500ManifestsWithoutLayersAreReadFromManifestJson() throws IOException {
        Shape s = ArchiveShapes.byId(shapes, "docker25.0.0-graphdriver");
        try (ImageSource src = open(s)) {
            ImageReader.Image image = new ImageReader(src).image((Platform) null);
            assertEquals(MediaTypes.OCI_MANIFEST, image.descriptor().mediaType(), "Docker's OCI layer types make an OCI manifest");
            assertEquals(List.of(MediaTypes.OCI_LAYER, MediaTypes.OCI_LAYER),
                    image.manifest().value().layers().stream().map(Descriptor::mediaType).toList());
            assertEquals(image.config().value().diffIds(), image.manifest().value().layers().stream().map(Descriptor::digest).toList());
        }
    }

    @Test
    void layerSourcesWithUrlsAreForeignAndTheOthersAreTheFilesTheyDescribe() throws IOException {
        for (String id : List.of("docker25-graphdriver-foreign", "crane-tarball-foreign")) {
            try (ImageSource src = open(ArchiveShapes.byId(shapes, id))) {
                List<Descriptor> layers = new ImageReader(src).image((Platform) null).manifest().value().layers();
                assertTrue(layers.get(0).urls() != null && MediaTypes.isForeignLayer(layers.get(0).mediaType()), id + ": " + layers);
                assertEquals(null, layers.get(1).urls(), id);
                assertFalse(MediaTypes.isForeignLayer(layers.get(1).mediaType()), id);
                assertTrue(src.hasBlob(layers.get(1)), id);
                // go-containerregistry ships the foreign blob itself; Docker only its uncompressed tar
                assertEquals(id.startsWith("crane"), src.hasBlob(layers.get(0)), id);
            }
        }
    }

    @Test
    void theGraphdriverLayersKeepTheirDescriptorsAndTheArchiveItsDigest() throws IOException {
        Shape s = ArchiveShapes.byId(shapes, "docker25-graphdriver");
        try (ImageSource src = open(s)) {
            List<Descriptor> layers = new ImageReader(src).image((Platform) null).manifest().value().layers();
            assertEquals(List.of(MediaTypes.OCI_LAYER, MediaTypes.OCI_LAYER), layers.stream().map(Descriptor::mediaType).toList());
        }
        // read by its manifest.json entry (the @0 form) it is the same stored manifest
        Shape positional = new Shape(s.id(), s.producer(), s.file(), s.transport(), "@0", s.expect());
        try (ImageSource src = open(positional)) {
            assertEquals(s.expect().root(), src.root().digest());
        }
    }
}
