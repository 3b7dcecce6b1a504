package dev.kiln.cli;

import static dev.kiln.cli.KilnTestSupport.kiln;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.cli.KilnTestSupport.Run;
import dev.kiln.layout.archive.ArchiveShapes;
import dev.kiln.layout.archive.ArchiveShapes.Expect;
import dev.kiln.layout.archive.ArchiveShapes.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every archive shape of {@link ArchiveShapes} through the command line, as a user meets it:
 * {@code kiln inspect}, {@code kiln copy} into a layout (a partial save: the plain copy fails in one
 * line saying what the archive holds, the copy of that platform works), and {@code kiln build} with
 * the archive as {@code FROM}; or the one-line refusal the shape expects, from all three.
 */
class ArchiveShapesCliTest {
    @TempDir
    static Path dir;
    static List<Shape> shapes;

    @BeforeAll
    static void write() throws IOException {
        shapes = ArchiveShapes.writeAll(dir.resolve("in"));
    }

    static Stream<Shape> shapes() throws IOException {
        if (shapes == null) {
            shapes = ArchiveShapes.writeAll(Files.createTempDirectory("shapes-").resolve("in"));
        }
        return shapes.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void inspectCopyAndBuildFrom(Shape s) throws IOException {
        Expect x = s.expect();
        Path out = dir.resolve("out-" + s.id());
        Path ctx = Files.createDirectories(out.resolve("ctx"));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM " + s.reference() + "\nENV SHAPE=" + s.id() + "\n");
        List<String> build = List.of("build", ctx.toString(), "-t", "shaped:1", "-o", "oci:" + out.resolve("built"));
        if (!x.ok()) {
            for (Run r : List.of(kiln("inspect", s.reference()), kiln("copy", s.reference(), "oci:" + out.resolve("copy") + ":t"),
                    kiln(build.toArray(String[]::new)))) {
                assertEquals(1, r.code(), s.id() + ": " + r);
                assertEquals(1, r.err().lines().count(), r.err());
                for (String m : x.mentions()) {
                    assertTrue(r.err().contains(m), s.id() + ": '" + m + "' not in " + r.err());
                }
            }
            return;
        }

        JsonNode inspect = KilnTestSupport.MAPPER.readTree(kiln("inspect", "--json", s.reference()).ok().out());
        assertTrue(inspect.toString().contains(x.platform().split("/")[1]), s.id() + ": " + inspect);
        JsonNode image = KilnTestSupport.MAPPER.readTree(kiln("inspect", "--json", "--platform", x.platform(), s.reference()).ok().out());
        assertTrue(image.toString().contains("GREETING=hello " + x.platform().split("/")[1]), s.id() + ": " + image);

        String copy = "oci:" + out.resolve("copy") + ":t";
        if (!x.whole()) {
            Run whole = kiln("copy", s.reference(), copy);
            assertEquals(1, whole.code(), whole.toString());
            assertTrue(whole.err().contains("holds only " + x.platform()), whole.err());
            assertEquals(1, whole.err().lines().count(), whole.err());
        }
        List<String> args = new ArrayList<>(List.of("copy", s.reference(), copy));
        if (!x.whole()) {
            args.addAll(1, List.of("--platform", x.platform()));
        }
        kiln(args.toArray(String[]::new)).ok();
        if (x.root() != null && x.whole()) {
            JsonNode index = KilnTestSupport.json(out.resolve("copy/index.json"));
            assertEquals(x.root().toString(), index.at("/manifests/0/digest").asText(), s.id() + ": the copy keeps the digest");
        }

        List<String> b = new ArrayList<>(build);
        b.addAll(List.of("--platform", x.platform()));
        kiln(b.toArray(String[]::new)).ok();
        JsonNode built = KilnTestSupport.MAPPER.readTree(kiln("inspect", "--json", "oci:" + out.resolve("built") + ":1").ok().out());
        assertTrue(built.toString().contains("SHAPE=" + s.id()) && built.toString().contains("GREETING=hello"), s.id() + ": " + built);
    }
}
