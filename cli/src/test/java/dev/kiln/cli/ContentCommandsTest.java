package dev.kiln.cli;

import static dev.kiln.cli.KilnTestSupport.MAPPER;
import static dev.kiln.cli.KilnTestSupport.kiln;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.cli.KilnTestSupport.Run;
import dev.kiln.layout.Hint;
import dev.kiln.layout.archive.TestArtifacts;
import dev.kiln.layout.archive.TestImages;
import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.oci.LayoutTag;
import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageIndex;
import dev.kiln.layout.spec.MediaTypes;
import dev.kiln.registry.RegistryException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands on content that is not one of kiln's images: Helm charts and OCI 1.1 artifacts are
 * listed, shown and copied as artifacts; Docker schema1 is refused in one line by every command
 * that reads it; inspect --raw prints the exact bytes; the small promises of issue 11 (gc --dry-run
 * writes nothing, --json everywhere, hints that name what exists).
 */
class ContentCommandsTest {
    @TempDir
    Path tmp;

    private static void assertOneLine(Run r, String... fragments) {
        assertEquals(1, r.code(), () -> "exit 1 expected\nstdout: " + r.out() + "\nstderr: " + r.err());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "one line: " + err);
        assertTrue(err.startsWith("kiln: "), err);
        KilnTestSupport.assertNoStackTrace(err);
        for (String f : fragments) {
            assertTrue(err.contains(f), "'" + f + "' in: " + err);
        }
    }

    /** A layout with a Helm chart (chart), an image (img) and an SBOM about it (sbom). */
    private Path artifacts() throws IOException {
        Path l = tmp.resolve("art");
        TestImages.Built built = TestImages.twoPlatforms(l, "img");
        TestArtifacts.helmChart(built.layout(), "chart");
        TestArtifacts.sbomFor(built.layout(), built.manifests().get("amd64"), "sbom");
        return l;
    }

    @Test
    void verifyAndLsTakeArtifactsForWhatTheyAre() throws IOException {
        Path l = artifacts();
        kiln("verify", "--deep", "oci:" + l).ok();
        String ls = kiln("ls", "oci:" + l).ok().out();
        assertFalse(ls.contains("unreadable"), ls);
        assertTrue(ls.lines().anyMatch(line -> line.startsWith("chart ") && line.contains(" artifact ")
                && line.contains(TestArtifacts.HELM_CONFIG)), ls);
        assertTrue(ls.lines().anyMatch(line -> line.startsWith("sbom ") && line.contains(" artifact ")
                && line.contains(TestArtifacts.SBOM_TYPE)), ls);
        assertTrue(ls.lines().findFirst().orElse("").contains("ARTIFACT TYPE"), ls);
        JsonNode a = MAPPER.readTree(kiln("ls", "--json", "oci:" + l).ok().out());
        for (JsonNode row : a) {
            switch (row.get("tag").asText()) {
                case "chart" -> {
                    assertEquals("artifact", row.get("type").asText());
                    assertEquals(TestArtifacts.HELM_CONFIG, row.get("artifactType").asText());
                }
                case "sbom" -> assertEquals(TestArtifacts.SBOM_TYPE, row.get("artifactType").asText());
                default -> assertEquals("index", row.get("type").asText());
            }
            assertTrue(row.get("problem") == null, row::toString);
        }
    }

    @Test
    void inspectShowsAnArtifactsTypeLayersSubjectAndAnnotations() throws IOException {
        Path l = artifacts();
        String chart = kiln("inspect", "oci:" + l + ":chart").ok().out();
        assertTrue(chart.contains("ArtifactType: " + TestArtifacts.HELM_CONFIG), chart);
        assertTrue(chart.contains(TestArtifacts.HELM_CHART), chart);
        assertTrue(chart.contains("org.opencontainers.image.title=mychart"), chart);
        String sbom = kiln("inspect", "oci:" + l + ":sbom").ok().out();
        assertTrue(sbom.contains("ArtifactType: " + TestArtifacts.SBOM_TYPE), sbom);
        assertTrue(sbom.contains("Subject:"), sbom);
        assertTrue(sbom.contains("sbom.spdx.json"), sbom);
        JsonNode j = MAPPER.readTree(kiln("inspect", "--json", "oci:" + l + ":sbom").ok().out());
        assertEquals("artifact", j.get("kind").asText());
        assertEquals(TestArtifacts.SBOM_TYPE, j.get("artifactType").asText());
        assertEquals(MediaTypes.OCI_EMPTY, j.get("configDescriptor").get("mediaType").asText());
        assertEquals(1, j.get("layers").size());
        assertEquals(MediaTypes.OCI_MANIFEST, j.get("subject").get("mediaType").asText());
        assertEquals("2024-05-01T00:00:00Z", j.get("annotations").get("org.opencontainers.image.created").asText());
        // the config as stored, whatever its type
        assertEquals("{}", kiln("inspect", "--config", "oci:" + l + ":sbom").ok().out());

        // an index of artifacts: no platform image, and its entries said, not an empty list
        OciLayout layout = OciLayout.open(l);
        Descriptor chartEntry = layout.resolve("chart").withAnnotations(null);
        Descriptor charts = layout.blobs().putBytes(MediaTypes.OCI_INDEX, new ImageIndex(MediaTypes.OCI_INDEX,
                List.of(new Descriptor(chartEntry.mediaType(), chartEntry.digest(), chartEntry.size(), null, null, null,
                        TestArtifacts.HELM_CONFIG, null, null))).toBytes());
        layout.tag(LayoutTag.parse("charts"), charts);
        String index = kiln("inspect", "oci:" + l + ":charts").ok().out();
        assertTrue(index.contains("Platforms: (none: the index lists no image manifest)"), index);
        assertTrue(index.contains("Other entries:") && index.contains(chartEntry.digest().toString())
                && index.contains("artifact " + TestArtifacts.HELM_CONFIG), index);
        JsonNode ij = MAPPER.readTree(kiln("inspect", "--json", "oci:" + l + ":charts").ok().out());
        assertEquals(0, ij.get("manifests").size());
        assertEquals(chartEntry.digest().toString(), ij.get("otherEntries").get(0).get("digest").asText());
    }

    @Test
    void artifactsAreCopiedUnchangedThroughEveryLocalTransport() throws IOException {
        Path l = artifacts();
        String chart = KilnTestSupport.rootDigestOf(l, "chart");
        Path archive = tmp.resolve("chart.tar");
        kiln("copy", "oci:" + l + ":chart", "oci-archive:" + archive + ":c").ok();
        Path back = tmp.resolve("back");
        kiln("copy", "oci-archive:" + archive + ":c", "oci:" + back + ":c").ok();
        assertEquals(chart, KilnTestSupport.rootDigestOf(back, "c"));
        kiln("verify", "--deep", "oci:" + back).ok();
        // an artifact is no base image and no platform of an index: said as such
        Path ctx = Files.createDirectories(tmp.resolve("ctx"));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM oci:" + l + ":chart\nENV A=1\n");
        assertOneLine(kiln("build", ctx.toString(), "--platform", "linux/amd64", "-t", "x:1", "-o", "oci:" + tmp.resolve("b")),
                "Dockerfile:1", "is an artifact (" + TestArtifacts.HELM_CONFIG + "), not an image");
        assertOneLine(kiln("index", "create", "oci:" + tmp.resolve("ix") + ":t", "oci:" + l + ":chart"),
                "is an artifact (" + TestArtifacts.HELM_CONFIG + "), not an image");
        // a docker-archive holds images only: refused, not written without its config
        Run r = kiln("copy", "oci:" + l + ":chart", "docker-archive:" + tmp.resolve("d.tar"));
        assertOneLine(r, "is an artifact (" + TestArtifacts.HELM_CONFIG + ")", "docker-archive holds images only");
        assertFalse(Files.exists(tmp.resolve("d.tar")));
    }

    /** A layout holding a Docker schema1 manifest (s1) and a manifest list of it (list). */
    private Path schema1() throws IOException {
        Path l = tmp.resolve("s1");
        OciLayout layout = OciLayout.openOrCreate(l);
        Descriptor s1 = TestArtifacts.schema1(layout, "s1");
        Descriptor list = layout.blobs().putBytes(MediaTypes.DOCKER_MANIFEST_LIST, new ImageIndex(MediaTypes.DOCKER_MANIFEST_LIST,
                List.of(s1.withPlatform(TestImages.AMD64))).toBytes());
        layout.tag(LayoutTag.parse("list"), list);
        return l;
    }

    @Test
    void schema1IsRefusedInOneLineByEveryCommand() throws IOException {
        Path l = schema1();
        String[] says = {"Docker schema1 manifest (deprecated)", "convert it first", "skopeo copy"};
        for (String tag : List.of("s1", "list")) {
            Path dest = tmp.resolve("copy-" + tag);
            assertOneLine(kiln("copy", "oci:" + l + ":" + tag, "oci:" + dest + ":t"), says);
            assertFalse(Files.exists(dest), "a refused copy leaves no layout");
            assertOneLine(kiln("copy", "oci:" + l + ":" + tag, "oci-archive:" + tmp.resolve(tag + ".tar")), says);
            assertOneLine(kiln("inspect", "oci:" + l + ":" + tag), says);
            assertOneLine(kiln("inspect", "--platform", "linux/amd64", "oci:" + l + ":" + tag), says);
            Path ctx = Files.createDirectories(tmp.resolve("ctx-" + tag));
            Files.writeString(ctx.resolve("Dockerfile"), "FROM oci:" + l + ":" + tag + "\nENV A=1\n");
            assertOneLine(kiln("build", ctx.toString(), "--platform", "linux/amd64", "-t", "x:1", "-o", "oci:" + tmp.resolve("b-" + tag)),
                    "Dockerfile:1", "Docker schema1 manifest (deprecated)", "convert it first");
        }
        assertOneLine(kiln("index", "create", "oci:" + tmp.resolve("ix") + ":t", "oci:" + l + ":s1"), says);
        String ls = kiln("ls", "oci:" + l).ok().out();
        assertTrue(ls.contains("schema1") && ls.contains("Docker schema1 manifest"), ls);
        Run v = kiln("verify", "oci:" + l);
        assertEquals(1, v.code());
        assertTrue(v.out().contains("a Docker schema1 manifest (deprecated)"), v.out());
        assertOneLine(kiln("gc", "oci:" + l), "schema1", "nothing was deleted");
        assertTrue(Files.isRegularFile(OciLayout.open(l).blobs().path(TestArtifacts.schema1Layer())));
    }

    @Test
    void inspectRawPrintsTheExactBytes() throws IOException {
        Path l = tmp.resolve("l");
        TestImages.Built built = TestImages.twoPlatforms(l, "1.0");
        TestArtifacts.helmChart(built.layout(), "chart");
        kiln("copy", "oci:" + l + ":1.0", "oci-archive:" + tmp.resolve("o.tar") + ":1.0").ok();
        kiln("copy", "--platform", "linux/arm64", "oci:" + l + ":1.0", "docker-archive:" + tmp.resolve("d.tar") + ":x/y:1").ok();
        Descriptor arm = built.manifests().get("arm64");
        // the docker-archive holds the Docker schema2 form of the arm64 manifest: its digest, as inspect reports it
        String docker = MAPPER.readTree(kiln("inspect", "--json", "docker-archive:" + tmp.resolve("d.tar")).ok().out())
                .get("digest").asText();
        assertFalse(docker.equals(arm.digest().toString()));
        for (String[] c : List.of(
                new String[] {built.index().digest().toString(), "oci:" + l + ":1.0"},
                new String[] {built.index().digest().toString(), "oci-archive:" + tmp.resolve("o.tar") + ":1.0"},
                new String[] {arm.digest().toString(), "--platform", "linux/arm64", "oci:" + l + ":1.0"},
                new String[] {docker, "docker-archive:" + tmp.resolve("d.tar")},
                new String[] {KilnTestSupport.rootDigestOf(l, "chart"), "oci:" + l + ":chart"})) {
            String[] args = new String[c.length + 1];
            args[0] = "inspect";
            args[1] = "--raw";
            System.arraycopy(c, 1, args, 2, c.length - 1);
            String out = kiln(args).ok().out();
            assertEquals(c[0], Digest.sha256(out.getBytes(StandardCharsets.UTF_8)).toString(),
                    "kiln inspect --raw | sha256sum is the digest: " + String.join(" ", args));
        }
    }

    @Test
    void gcDryRunWorksOnAReadOnlyLayoutAndWritesNothing() throws IOException {
        Path ro = tmp.resolve("ro");
        Path l = ro.resolve("l");
        TestImages.twoPlatforms(l, "1.0");
        Files.writeString(l.resolve("blobs/sha256/" + "e".repeat(64)), "garbage");
        HostileLayoutsTest.readOnly(ro);
        try {
            Set<String> before = Set.copyOf(KilnTestSupport.listTree(ro));
            Run r = kiln("gc", "--dry-run", "oci:" + l).ok();
            assertTrue(r.out().contains("would remove sha256:" + "e".repeat(64)), r.out());
            assertEquals(before, Set.copyOf(KilnTestSupport.listTree(ro)), "a dry run writes nothing");
        } finally {
            HostileLayoutsTest.writableAgain(ro);
        }
        assertFalse(Files.exists(l.resolve(".kiln/gc.lock")), "no lock file either");
    }

    @Test
    void tagIndexCreateAndIndexAnnotatePrintOneJsonDocument() throws IOException {
        Path l = tmp.resolve("l");
        TestImages.Built built = TestImages.twoPlatforms(l, null);
        built.layout().tag(LayoutTag.parse("amd"), built.manifests().get("amd64"));
        built.layout().tag(LayoutTag.parse("arm"), built.manifests().get("arm64"));

        JsonNode tag = MAPPER.readTree(kiln("tag", "--json", "oci:" + l + ":amd", "a2", "example.com/a:3").ok().out());
        assertEquals(built.manifests().get("amd64").digest().toString(), tag.get("digest").asText());
        assertEquals(List.of("a2", "example.com/a:3"), List.of(tag.get("tagged").get(0).asText(), tag.get("tagged").get(1).asText()));
        JsonNode untag = MAPPER.readTree(kiln("tag", "--json", "--delete", "oci:" + l + ":a2").ok().out());
        assertEquals("a2", untag.get("untagged").asText());

        JsonNode created = MAPPER.readTree(kiln("index", "create", "--json", "oci:" + l + ":both",
                "oci:" + l + ":amd", "oci:" + l + ":arm").ok().out());
        String index = KilnTestSupport.rootDigestOf(l, "both");
        assertEquals(index, created.get("digest").asText());
        assertEquals(MediaTypes.OCI_INDEX, created.get("mediaType").asText());
        assertEquals(2, created.get("images").size());

        JsonNode annotated = MAPPER.readTree(kiln("index", "annotate", "--json", "oci:" + l + ":both", "linux/arm64",
                "--variant", "v8").ok().out());
        assertEquals(KilnTestSupport.rootDigestOf(l, "both"), annotated.get("digest").asText());
        assertFalse(index.equals(annotated.get("digest").asText()), "annotate writes a new index");
    }

    @Test
    void hintsNameWhatExists() {
        RegistryException oci = new RegistryException("registry r, repository x: pushing index sha256:1 failed: HTTP 400;"
                + " this registry does not seem to accept OCI media types", 400, List.of(), null, Hint.DOCKER_MEDIA_TYPES);
        String m = Failures.message(oci);
        assertTrue(m.endsWith("; build the image with Docker media types: kiln build --format docker"), m);
        assertFalse(m.contains("push with --format"), m);
        // each hint is worded once, however deep the error that carries it is wrapped
        String wrapped = Failures.message(new dev.kiln.layout.KilnException(Failures.message(oci) + "; more", oci));
        assertEquals(1, wrapped.split("kiln build --format docker", -1).length - 1, wrapped);
        for (Hint h : Hint.values()) {
            assertFalse(Failures.advice(h).isBlank(), h.name());
        }
    }

    @Test
    void anAmbiguousTagNamesAWayOut() throws IOException {
        Path l = tmp.resolve("l");
        TestImages.Built built = TestImages.twoPlatforms(l, null);
        built.layout().updateIndex(i -> i.withManifests(List.of(
                built.manifests().get("amd64").withAnnotation(MediaTypes.ANNOTATION_REF_NAME, "1.0"),
                built.manifests().get("arm64").withAnnotation(MediaTypes.ANNOTATION_REF_NAME, "1.0"))));
        Run r = kiln("inspect", "oci:" + l + ":1.0");
        assertOneLine(r, "ambiguous", built.manifests().get("amd64").digest().toString(), "kiln tag --delete oci:DIR:TAG");
        assertFalse(r.err().contains("@sha256"), "kiln takes no digest references yet: " + r.err());
    }
}
