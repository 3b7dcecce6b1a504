package dev.kiln.cli;

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
import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.oci.LayoutTag;
import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.MediaTypes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The defects of issue 17, one test each: kiln must make the image BuildKit makes (dockerfile2llb,
 * tonistiigi/fsutil's copy, the Dockerfile reference), folder modes and owners included.
 */
class DockerfileFidelityTest {
    @TempDir
    Path tmp;

    private Path ctx;

    private Path context(String recipe) throws IOException {
        ctx = tmp.resolve("ctx");
        Files.createDirectories(ctx);
        Files.writeString(ctx.resolve("Dockerfile"), recipe);
        return ctx;
    }

    private void file(String path, String content, String perms) throws IOException {
        Path p = ctx.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
    }

    private void folder(String path, String perms) throws IOException {
        Path p = ctx.resolve(path);
        Files.createDirectories(p);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
    }

    /** A tar entry for a base layer or an archive: "d name mode uid gid", "f name mode uid gid", "l name target". */
    static byte[] tar(String... entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(bytes)) {
            for (String spec : entries) {
                String[] f = spec.split(" ");
                TarArchiveEntry e;
                byte[] content = new byte[0];
                if (f[0].equals("l")) {
                    e = new TarArchiveEntry(f[1], TarArchiveEntry.LF_SYMLINK);
                    e.setLinkName(f[2]);
                } else {
                    e = new TarArchiveEntry(f[1] + (f[0].equals("d") ? "/" : ""));
                    e.setMode((f[0].equals("d") ? 040000 : 0100000) | Integer.parseInt(f[2], 8));
                    e.setUserId(Long.parseLong(f[3]));
                    e.setGroupId(Long.parseLong(f[4]));
                    if (f[0].equals("f")) {
                        content = (f[1] + "\n").getBytes(StandardCharsets.UTF_8);
                        e.setSize(content.length);
                    }
                }
                t.putArchiveEntry(e);
                t.write(content);
                t.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** An OCI layout {@code dir} whose tag {@code t} is a linux/amd64 image of one layer. */
    static void baseImage(Path dir, byte[] tar, List<String> onBuild) throws IOException {
        OciLayout layout = OciLayout.openOrCreate(dir);
        Descriptor layer = layout.blobs().putBytes(MediaTypes.OCI_LAYER_GZIP, RawTarWriter.gzip(tar));
        Descriptor m = dev.kiln.layout.archive.TestImages.manifest(layout, dev.kiln.layout.archive.TestImages.AMD64, List.of(layer),
                List.of(Digest.sha256(tar)), List.of("PATH=/bin"), List.of("/bin/sh"));
        if (!onBuild.isEmpty()) {
            m = withOnBuild(layout, m, onBuild);
        }
        layout.tag(LayoutTag.parse("t"), m);
    }

    private static Descriptor withOnBuild(OciLayout layout, Descriptor manifest, List<String> triggers) throws IOException {
        var mapper = KilnTestSupport.MAPPER;
        var m = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(layout.blobs().readSmall(manifest));
        Descriptor configDesc = new Descriptor(m.get("config").get("mediaType").asText(),
                Digest.parse(m.get("config").get("digest").asText()), m.get("config").get("size").asLong());
        var c = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(layout.blobs().readSmall(configDesc));
        var arr = ((com.fasterxml.jackson.databind.node.ObjectNode) c.get("config")).putArray("OnBuild");
        triggers.forEach(arr::add);
        Descriptor newConfig = layout.blobs().putBytes(configDesc.mediaType(), mapper.writeValueAsBytes(c));
        ((com.fasterxml.jackson.databind.node.ObjectNode) m.get("config")).put("digest", newConfig.digest().toString())
                .put("size", newConfig.size());
        return layout.blobs().putBytes(manifest.mediaType(), mapper.writeValueAsBytes(m));
    }

    /** Builds; returns {manifest, config}. */
    private JsonNode[] build(String... extra) throws IOException {
        Path out = tmp.resolve("out");
        List<String> args = new java.util.ArrayList<>(List.of("build", ctx.toString(), "--platform", "linux/amd64",
                "-t", "t", "-o", "oci:" + out));
        args.addAll(List.of(extra));
        KilnTestSupport.Run run = kiln(args.toArray(String[]::new));
        assertEquals(0, run.code(), run.err());
        String manifest = json(out.resolve("index.json")).get("manifests").get(0).get("digest").asText();
        JsonNode m = blobJson(out, manifest);
        return new JsonNode[] {m, blobJson(out, m.get("config").get("digest").asText())};
    }

    private Map<String, KilnTestSupport.TarFile> layer(JsonNode manifest, int i) throws IOException {
        JsonNode layers = manifest.get("layers");
        return readLayer(blob(tmp.resolve("out"), layers.get(i < 0 ? layers.size() + i : i).get("digest").asText()));
    }

    private Map<String, KilnTestSupport.TarFile> flat(JsonNode manifest) throws IOException {
        Map<String, KilnTestSupport.TarFile> all = new LinkedHashMap<>();
        for (int i = 0; i < manifest.get("layers").size(); i++) {
            all.putAll(layer(manifest, i));
        }
        return all;
    }

    private static void assertFolder(KilnTestSupport.TarFile f, int mode, long uid, long gid) {
        assertTrue(f != null && f.dir(), () -> "not a folder: " + f);
        assertEquals(Integer.toOctalString(mode), Integer.toOctalString(f.mode()), f.name() + " mode");
        assertEquals(uid + ":" + gid, f.uid() + ":" + f.gid(), f.name() + " owner");
    }

    // 1. parent folders keep the image's modes and owners

    @Test
    void aLaterLayerRewritesParentFoldersWithTheirModesAndOwners() throws IOException {
        context("FROM scratch\nCOPY --chown=1001:1001 tree /\nCOPY f /sub/f\nWORKDIR /sub/app\n");
        folder("tree/sub", "rwxr-x---");
        file("tree/sub/in.txt", "in\n", "rw-r-----");
        file("f", "f\n", "rw-r--r--");
        JsonNode m = build()[0];
        assertFolder(layer(m, 0).get("sub"), 0750, 1001, 1001);
        assertFolder(layer(m, 1).get("sub"), 0750, 1001, 1001);
        assertFolder(layer(m, 2).get("sub"), 0750, 1001, 1001);
        assertFolder(layer(m, 2).get("sub/app"), 0755, 0, 0);
        assertFolder(flat(m).get("sub"), 0750, 1001, 1001);
    }

    @Test
    void copyIntoABaseImagesFoldersKeepsTmpStickyAndAPrivateFolder() throws IOException {
        Path base = tmp.resolve("base");
        baseImage(base, tar("d tmp 1777 0 0", "d srv 0750 1001 1001", "d usr 0755 0 0", "d usr/lib 0755 0 0",
                "l lib usr/lib"), List.of());
        context("FROM oci:" + base + ":t\nCOPY f /tmp/\nCOPY f /srv/x\nCOPY f /lib/\nCOPY f /srv\n");
        file("f", "f\n", "rw-r--r--");
        JsonNode m = build()[0];
        assertFolder(layer(m, 1).get("tmp"), 01777, 0, 0);
        assertFolder(layer(m, 2).get("srv"), 0750, 1001, 1001);
        Map<String, KilnTestSupport.TarFile> lib = layer(m, 3);
        assertTrue(lib.containsKey("usr/lib/f"), "COPY through the image's /lib -> usr/lib link: " + lib.keySet());
        assertFalse(lib.containsKey("lib"), "the link itself is not replaced by a folder");
        assertTrue(layer(m, 4).containsKey("srv/f"), "a file copied onto an existing folder goes into it");
    }

    /** The folders a layer writes again are part of its cache key: another base gives another layer. */
    @Test
    void theLayerCacheKeyCoversTheParentFoldersMetadata() throws IOException {
        Path cache = tmp.resolve("cache");
        Path sticky = tmp.resolve("sticky");
        Path plain = tmp.resolve("plain");
        baseImage(sticky, tar("d tmp 1777 0 0"), List.of());
        baseImage(plain, tar("d tmp 0755 0 0"), List.of());
        context("ARG BASE\nFROM oci:${BASE}:t\nCOPY f /tmp/\n");
        file("f", "f\n", "rw-r--r--");
        JsonNode a = build("--cache-dir", cache.toString(), "--build-arg", "BASE=" + sticky)[0];
        assertFolder(layer(a, 1).get("tmp"), 01777, 0, 0);
        JsonNode b = build("--cache-dir", cache.toString(), "--build-arg", "BASE=" + plain)[0];
        assertFolder(layer(b, 1).get("tmp"), 0755, 0, 0);
        assertFalse(a.at("/layers/1/digest").equals(b.at("/layers/1/digest")), "not the cached layer of the other base");
    }

    // 2. folders the build creates, and their owners

    @Test
    void foldersTheBuildCreatesBelongToUserOrChown() throws IOException {
        context("""
                FROM scratch
                USER 1000:1000
                WORKDIR /home/app
                COPY --chown=1000:1000 a /o/
                COPY sub /only-sub
                """);
        file("a", "a\n", "rw-r--r--");
        folder("sub", "rwxr-x---");
        file("sub/s.txt", "s\n", "rw-------");
        JsonNode m = build()[0];
        assertFolder(layer(m, 0).get("home"), 0755, 1000, 1000);
        assertFolder(layer(m, 0).get("home/app"), 0755, 1000, 1000);
        assertFolder(layer(m, 1).get("o"), 0755, 1000, 1000);
        assertFolder(layer(m, 2).get("only-sub"), 0755, 0, 0);
        assertEquals(0600, layer(m, 2).get("only-sub/s.txt").mode());
    }

    // 3. ADD of a local archive

    @Test
    void addArchiveMakesA0755FolderAndKeepsTheTarsOwners() throws IOException {
        context("FROM scratch\nADD app.tar.gz /opt/\n");
        Files.write(ctx.resolve("app.tar.gz"), RawTarWriter.gzip(tar("d . 0700 0 0", "d bin 0750 7 8", "f bin/app 0750 7 8")));
        JsonNode m = build()[0];
        Map<String, KilnTestSupport.TarFile> l = layer(m, 0);
        assertFolder(l.get("opt"), 0755, 0, 0);
        assertFolder(l.get("opt/bin"), 0750, 7, 8);
        assertEquals("7:8", l.get("opt/bin/app").uid() + ":" + l.get("opt/bin/app").gid());
        assertEquals(0750, l.get("opt/bin/app").mode());
    }

    // 4. COPY --from keeps owners

    @Test
    void copyFromAStageKeepsOwners() throws IOException {
        context("""
                FROM scratch AS build
                COPY --chown=5:6 a /owned/a
                FROM scratch
                COPY --from=build /owned/ /owned/
                COPY --from=build --chown=7:7 /owned/a /chowned
                """);
        file("a", "a\n", "rw-r--r--");
        JsonNode m = build()[0];
        assertEquals("5:6", layer(m, 0).get("owned/a").uid() + ":" + layer(m, 0).get("owned/a").gid());
        assertFolder(layer(m, 0).get("owned"), 0755, 0, 0);
        assertEquals(7, layer(m, 1).get("chowned").uid());
    }

    // 5, 6, 7, 11: config fields

    @Test
    void scratchGetsPathMaintainerSetsAuthorArgsCarryIntoChildStagesCmdSetsArgsEscaped() throws IOException {
        context("""
                FROM scratch AS base
                ARG X=1
                MAINTAINER Jane <jane@example.com>
                FROM base
                ENV C=$X
                CMD ["/app"]
                """);
        JsonNode c = build()[1];
        assertEquals("[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\"C=1\"]",
                c.get("config").get("Env").toString());
        assertEquals("Jane <jane@example.com>", c.get("author").asText());
        assertTrue(c.get("config").get("ArgsEscaped").asBoolean(), "BuildKit sets ArgsEscaped on every CMD");
        context("FROM scratch\nENTRYPOINT [\"/app\"]\n");
        assertNull(build()[1].get("config").get("ArgsEscaped"), "ENTRYPOINT leaves it unset");
    }

    // 8. ONBUILD

    @Test
    void onbuildTriggersRunInTheChildAndAreCleared() throws IOException {
        context("FROM scratch AS base\nONBUILD COPY t /trig/\nFROM base\n");
        file("t", "t\n", "rw-r--r--");
        JsonNode[] image = build();
        assertTrue(layer(image[0], 0).containsKey("trig/t"), "the trigger ran");
        assertNull(image[1].get("config").get("OnBuild"), "and is cleared in the child");
        JsonNode[] base = build("--target", "base");
        assertEquals("[\"COPY t /trig/\"]", base[1].get("config").get("OnBuild").toString());

        Path img = tmp.resolve("img");
        baseImage(img, tar("d etc 0755 0 0"), List.of("COPY t /from-image/"));
        context("FROM oci:" + img + ":t\n");
        file("t", "t\n", "rw-r--r--");
        assertTrue(layer(build()[0], -1).containsKey("from-image/t"), "an image's trigger runs too");

        Path run = tmp.resolve("run");
        baseImage(run, tar("d etc 0755 0 0"), List.of("RUN make"));
        context("FROM oci:" + run + ":t\n");
        KilnTestSupport.Run r = kiln("build", ctx.toString(), "-t", "t", "-o", "oci:" + tmp.resolve("o2"));
        assertEquals(1, r.code());
        assertTrue(r.err().contains("Dockerfile:1") && r.err().contains("oci:" + run + ":t") && r.err().contains("RUN make"),
                r.err());
    }

    // 9. empty wildcards

    @Test
    void aWildcardMatchingNothingIsAllowedBesideOtherSources() throws IOException {
        context("FROM scratch\nCOPY a.txt nomatch* /d/\n");
        file("a.txt", "a\n", "rw-r--r--");
        assertTrue(layer(build()[0], 0).containsKey("d/a.txt"));
        context("FROM scratch\nCOPY nomatch* /d/\n");
        KilnTestSupport.Run r = kiln("build", ctx.toString(), "-t", "t", "-o", "oci:" + tmp.resolve("o3"));
        assertEquals(1, r.code(), "a COPY that copies nothing at all is refused");
        assertTrue(r.err().contains("Dockerfile:2"), r.err());
    }

    // 10. symbolic --chmod

    @Test
    void symbolicChmod() throws IOException {
        context("FROM scratch\nCOPY --chmod=a+x run.sh /r\nCOPY --chmod=go-w,u+s dir/ /d/\n");
        file("run.sh", "#!/bin/sh\n", "rw-r--r--");
        folder("dir", "rwxrwxr-x");
        file("dir/x", "x\n", "rw-rw-r--");
        JsonNode m = build()[0];
        assertEquals(0755, layer(m, 0).get("r").mode());
        assertEquals(04644, layer(m, 1).get("d/x").mode());
    }
}
