package dev.kiln.cli;

import static dev.kiln.cli.KilnTestSupport.assertNoStackTrace;
import static dev.kiln.cli.KilnTestSupport.blob;
import static dev.kiln.cli.KilnTestSupport.blobJson;
import static dev.kiln.cli.KilnTestSupport.json;
import static dev.kiln.cli.KilnTestSupport.kiln;
import static dev.kiln.cli.KilnTestSupport.readLayer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.luben.zstd.ZstdOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each recipe instruction's effect on the image, and each base transport, end to end through kiln build. */
class RecipeFeaturesTest {
    @TempDir
    Path tmp;

    private Path context(String recipe) throws IOException {
        Path ctx = tmp.resolve("ctx");
        Files.createDirectories(ctx.resolve("files/sub"));
        Files.writeString(ctx.resolve("Dockerfile"), recipe);
        Files.writeString(ctx.resolve("files/a.txt"), "a\n");
        Files.writeString(ctx.resolve("files/sub/b.txt"), "b\n");
        return ctx;
    }

    /** Builds one linux/amd64 image; returns {manifest, config}. */
    private JsonNode[] build(Path ctx, Path out, String... extra) throws IOException {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("build", ctx.toString(), "-t", "t",
                "-o", "oci:" + out));
        args.addAll(java.util.List.of(extra));
        KilnTestSupport.Run run = kiln(args.toArray(String[]::new));
        assertEquals(0, run.code(), run.err());
        String manifest = json(out.resolve("index.json")).get("manifests").get(0).get("digest").asText();
        JsonNode m = blobJson(out, manifest);
        return new JsonNode[] {m, blobJson(out, m.get("config").get("digest").asText())};
    }

    private static Map<String, KilnTestSupport.TarFile> layer(Path out, JsonNode manifest, int i) throws IOException {
        return readLayer(blob(out, manifest.get("layers").get(i).get("digest").asText()));
    }

    @Test
    void configInstructionsFollowDockerSemantics() throws IOException {
        Path ctx = context("""
                FROM scratch
                MAINTAINER Jane <jane@example.com>
                ENV A=1 B="two words"
                ENV A=3
                LABEL x=1
                LABEL y="2 3"
                SHELL ["/bin/bash", "-c"]
                CMD echo from cmd
                ENTRYPOINT ["/bin/app"]
                STOPSIGNAL SIGTERM
                VOLUME /data /cache
                HEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD ["/bin/app", "health"]
                ONBUILD COPY . /app
                USER 1000
                WORKDIR /srv
                WORKDIR sub
                """);
        JsonNode[] image = build(ctx, tmp.resolve("out"));
        JsonNode c = image[1].get("config");
        assertEquals("[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\"A=3\",\"B=two words\"]",
                c.get("Env").toString(), "FROM scratch gets BuildKit's default PATH, then the ENVs");
        assertEquals("Jane <jane@example.com>", image[1].get("author").asText(), "MAINTAINER sets the author");
        assertNull(c.get("Labels").get("maintainer"), "and no label, as in BuildKit");
        assertEquals("1", c.get("Labels").get("x").asText());
        assertEquals("2 3", c.get("Labels").get("y").asText());
        assertEquals("[\"/bin/bash\",\"-c\",\"echo from cmd\"]", c.get("Cmd").toString(),
                "a CMD set earlier in the same stage survives ENTRYPOINT, as in Docker");
    }

    @Test
    void entrypointResetsAnInheritedCmdButNotOneSetInTheStage() throws IOException {
        Path ctx = context("""
                FROM scratch AS base
                CMD ["base-cmd"]
                FROM base AS inherits
                ENTRYPOINT ["/bin/app"]
                FROM base
                CMD ["mine"]
                ENTRYPOINT ["/bin/app"]
                """);
        JsonNode last = build(ctx, tmp.resolve("last"))[1].get("config");
        assertEquals("[\"mine\"]", last.get("Cmd").toString());
        JsonNode inherits = build(ctx, tmp.resolve("inherits"), "--target", "inherits")[1].get("config");
        assertNull(inherits.get("Cmd"), "ENTRYPOINT resets an inherited CMD");
        assertEquals("[\"/bin/app\"]", inherits.get("Entrypoint").toString());
    }

    @Test
    void everyConfigField() throws IOException {
        Path ctx = context("""
                FROM scratch
                SHELL ["/bin/bash", "-c"]
                CMD echo $HOME
                STOPSIGNAL SIGTERM
                VOLUME /data /cache
                EXPOSE 80 53/udp 8000-8001
                HEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD ["/bin/app", "health"]
                ONBUILD COPY . /app
                USER app:staff
                WORKDIR /srv
                WORKDIR sub
                """);
        JsonNode[] image = build(ctx, tmp.resolve("out"));
        JsonNode c = image[1].get("config");
        assertEquals("[\"/bin/bash\",\"-c\",\"echo $HOME\"]", c.get("Cmd").toString(), "shell form runs through SHELL");
        assertEquals("[\"/bin/bash\",\"-c\"]", c.get("Shell").toString());
        assertEquals("SIGTERM", c.get("StopSignal").asText());
        assertTrue(c.get("Volumes").has("/data") && c.get("Volumes").has("/cache"));
        for (String port : new String[] {"80/tcp", "53/udp", "8000/tcp", "8001/tcp"}) {
            assertTrue(c.get("ExposedPorts").has(port), port);
        }
        assertEquals("[\"CMD\",\"/bin/app\",\"health\"]", c.get("Healthcheck").get("Test").toString());
        assertEquals(30_000_000_000L, c.get("Healthcheck").get("Interval").asLong());
        assertEquals(3, c.get("Healthcheck").get("Retries").asInt());
        assertEquals("[\"COPY . /app\"]", c.get("OnBuild").toString());
        assertEquals("app:staff", c.get("User").asText());
        assertEquals("/srv/sub", c.get("WorkingDir").asText());
        // WORKDIR makes a layer for each new folder; the history has one non-empty entry per layer
        assertEquals(2, image[0].get("layers").size());
        assertTrue(layer(tmp.resolve("out"), image[0], 1).get("srv/sub").dir());
        long nonEmpty = 0;
        for (JsonNode h : image[1].get("history")) {
            nonEmpty += h.path("empty_layer").asBoolean(false) ? 0 : 1;
        }
        assertEquals(2, nonEmpty);
    }

    @Test
    void copyRulesForFoldersFilesGlobsAndSeveralSources() throws IOException {
        Path ctx = context("""
                FROM scratch
                COPY files/ /dir-contents/
                COPY files/a.txt /renamed.txt
                COPY files/a.txt /into/
                COPY files/*.txt files/sub/b.txt /many/
                COPY --chmod=0600 --chown=7:8 files/sub /owned
                """);
        Path out = tmp.resolve("out");
        JsonNode m = build(ctx, out)[0];
        assertTrue(layer(out, m, 0).containsKey("dir-contents/sub/b.txt"), "a folder's contents, not the folder");
        assertFalse(layer(out, m, 0).containsKey("dir-contents/files"));
        assertEquals("a\n", new String(layer(out, m, 1).get("renamed.txt").content(), StandardCharsets.UTF_8));
        assertTrue(layer(out, m, 2).containsKey("into/a.txt"));
        assertTrue(layer(out, m, 3).containsKey("many/a.txt") && layer(out, m, 3).containsKey("many/b.txt"));
        KilnTestSupport.TarFile owned = layer(out, m, 4).get("owned/b.txt");
        assertEquals(0600, owned.mode());
        assertEquals(7, owned.uid());
        assertEquals(8, owned.gid());

        Path bad = context("FROM scratch\nCOPY files/a.txt files/sub/b.txt /not-a-folder\n");
        KilnTestSupport.Run r = kiln("build", bad.toString(), "-t", "t", "-o", "oci:" + tmp.resolve("bad"));
        assertEquals(1, r.code());
        assertTrue(r.err().contains("Dockerfile:2"), r.err());
        assertNoStackTrace(r.err());
    }

    @Test
    void copyOutsideTheContextIsRefused() throws IOException {
        Path ctx = context("FROM scratch\nCOPY ../secret /x\n");
        Files.writeString(tmp.resolve("secret"), "s");
        KilnTestSupport.Run r = kiln("build", ctx.toString(), "-t", "t", "-o", "oci:" + tmp.resolve("o1"));
        assertEquals(1, r.code());
        assertTrue(r.err().contains("outside the build context"), r.err());

        Path ctx2 = tmp.resolve("ctx2");
        Files.createDirectories(ctx2);
        Files.writeString(ctx2.resolve("Dockerfile"), "FROM scratch\nCOPY link /x\n");
        Files.createSymbolicLink(ctx2.resolve("link"), tmp.resolve("secret"));
        KilnTestSupport.Run r2 = kiln("build", ctx2.toString(), "-t", "t", "-o", "oci:" + tmp.resolve("o2"));
        assertEquals(1, r2.code());
        assertTrue(r2.err().contains("points outside the build context"), r2.err());
        assertFalse(Files.exists(tmp.resolve("o2")), "nothing is written on failure");
    }

    @Test
    void multiStageCopyFromAStageAndFromAnImage() throws IOException {
        Path ctx = context("""
                FROM scratch AS builder
                COPY files/ /out/
                FROM scratch
                COPY --from=builder /out/sub/b.txt /final/b.txt
                COPY --from=0 /out/a.txt /final/a.txt
                """);
        Path out = tmp.resolve("out");
        JsonNode[] image = build(ctx, out);
        assertEquals(2, image[0].get("layers").size(), "only the last stage's layers");
        assertEquals("b\n", new String(layer(out, image[0], 0).get("final/b.txt").content(), StandardCharsets.UTF_8));
        assertEquals("a\n", new String(layer(out, image[0], 1).get("final/a.txt").content(), StandardCharsets.UTF_8));

        // the built image as a base and as a COPY --from source, through each local transport
        kiln("copy", "oci:" + out + ":t", "oci-archive:" + tmp.resolve("base.tar") + ":t").ok();
        kiln("copy", "oci:" + out + ":t", "docker-archive:" + tmp.resolve("base-docker.tar") + ":base:t").ok();
        for (String base : new String[] {"oci:" + out + ":t", "oci-archive:" + tmp.resolve("base.tar") + ":t",
                "docker-archive:" + tmp.resolve("base-docker.tar")}) {
            Path c2 = tmp.resolve("c2-" + base.hashCode());
            Files.createDirectories(c2);
            Files.writeString(c2.resolve("Dockerfile"), "FROM " + base + "\nCOPY --from=" + base + " /final/a.txt /again.txt\n");
            Path o2 = tmp.resolve("o2-" + base.hashCode());
            JsonNode[] derived = build(c2, o2);
            assertEquals(3, derived[0].get("layers").size(), base);
            assertEquals(image[0].get("layers").get(0).get("digest"), derived[0].get("layers").get(0).get("digest"),
                    "base layers are reused as they are: " + base);
            assertTrue(layer(o2, derived[0], 2).containsKey("again.txt"), base);
        }
    }

    @Test
    void chownByNameComesFromTheBaseImage() throws IOException {
        Path baseCtx = context("FROM scratch\nCOPY etc/ /etc/\n");
        Files.createDirectories(baseCtx.resolve("etc"));
        Files.writeString(baseCtx.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nweb:x:33:44:web:/var/www:/bin/sh\n");
        Files.writeString(baseCtx.resolve("etc/group"), "root:x:0:\nstaff:x:50:\n");
        Path base = tmp.resolve("base");
        build(baseCtx, base);
        Path ctx = tmp.resolve("named");
        Files.createDirectories(ctx);
        Files.writeString(ctx.resolve("f.txt"), "f");
        Files.writeString(ctx.resolve("Dockerfile"), "FROM oci:" + base + ":t\nCOPY --chown=web f.txt /a\nCOPY --chown=web:staff f.txt /b\n");
        Path out = tmp.resolve("out");
        JsonNode m = build(ctx, out)[0];
        assertEquals(33, layer(out, m, 1).get("a").uid());
        assertEquals(44, layer(out, m, 1).get("a").gid(), "a user's primary group");
        assertEquals(50, layer(out, m, 2).get("b").gid());

        Files.writeString(ctx.resolve("Dockerfile"), "FROM oci:" + base + ":t\nCOPY --chown=nobody f.txt /a\n");
        KilnTestSupport.Run r = kiln("build", ctx.toString(), "-t", "t", "-o", "oci:" + tmp.resolve("bad"));
        assertEquals(1, r.code());
        assertTrue(r.err().contains("Dockerfile:2") && r.err().contains("nobody"), r.err());
    }

    @Test
    void addUnpacksLocalArchivesOfEveryCompressionAndRefusesUrls() throws IOException {
        Map<String, Function<OutputStream, OutputStream>> kinds = new LinkedHashMap<>();
        kinds.put("plain.tar", o -> o);
        kinds.put("g.tar.gz", o -> wrap(() -> new GZIPOutputStream(o)));
        kinds.put("b.tar.bz2", o -> wrap(() -> new BZip2CompressorOutputStream(o)));
        kinds.put("x.tar.xz", o -> wrap(() -> new XZCompressorOutputStream(o)));
        kinds.put("z.tar.zst", o -> wrap(() -> new ZstdOutputStream(o)));
        StringBuilder recipe = new StringBuilder("FROM scratch\n");
        Path ctx = context("");
        for (Map.Entry<String, Function<OutputStream, OutputStream>> k : kinds.entrySet()) {
            Files.write(ctx.resolve(k.getKey()), tar(k.getValue(), "inside/" + k.getKey() + ".txt"));
            recipe.append("ADD ").append(k.getKey()).append(" /unpacked/\n");
        }
        recipe.append("ADD files/a.txt /plain-file.txt\n");
        Files.writeString(ctx.resolve("Dockerfile"), recipe.toString());
        Path out = tmp.resolve("out");
        JsonNode m = build(ctx, out)[0];
        int i = 0;
        for (String k : kinds.keySet()) {
            assertEquals("content of " + k, new String(layer(out, m, i++).get("unpacked/inside/" + k + ".txt").content(),
                    StandardCharsets.UTF_8), k);
        }
        assertTrue(layer(out, m, i).containsKey("plain-file.txt"));

        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\n\nADD https://example.com/x.tar.gz /x/\n");
        KilnTestSupport.Run r = kiln("build", ctx.toString(), "-t", "t", "-o", "oci:" + tmp.resolve("url"));
        assertEquals(1, r.code());
        assertTrue(r.err().contains("Dockerfile:3") && r.err().contains("offline"), r.err());
    }

    private interface IoSupplier {
        OutputStream get() throws IOException;
    }

    private static OutputStream wrap(IoSupplier s) {
        try {
            return s.get();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[] tar(Function<OutputStream, OutputStream> compress, String name) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream c = compress.apply(bytes); TarArchiveOutputStream t = new TarArchiveOutputStream(c)) {
            byte[] content = ("content of " + name.substring(name.indexOf('/') + 1, name.length() - 4)).getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry e = new TarArchiveEntry(name);
            e.setSize(content.length);
            e.setMode(0644);
            t.putArchiveEntry(e);
            t.write(content);
            t.closeArchiveEntry();
        }
        return bytes.toByteArray();
    }
}
