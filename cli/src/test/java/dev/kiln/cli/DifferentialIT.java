package dev.kiln.cli;

import static dev.kiln.cli.KilnTestSupport.blob;
import static dev.kiln.cli.KilnTestSupport.blobJson;
import static dev.kiln.cli.KilnTestSupport.json;
import static dev.kiln.cli.KilnTestSupport.kiln;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.testing.Peers;
import dev.kiln.testing.Proc;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Differential test: seeded generated recipes ({@link DiffRecipe}), each built by kiln and by
 * buildah (vfs, a store of its own), compared on the config fields and on the flattened file tree
 * (path, type, mode, uid, gid, size, link target, content hash). Where buildah 1.28 differs from
 * BuildKit the recipe carries BuildKit's value. Some recipes start from a base image made by umoci
 * with {@code /tmp} 1777, a 0750 folder owned by 1001 and {@code /lib -> usr/lib}.
 *
 * <p>{@code -Dkiln.diff.cases=N} (default 24) and {@code -Dkiln.diff.seed=S} (default 17) pick the
 * recipes; a failure prints the seed, the case and both recipes.
 */
class DifferentialIT {
    private static final int CASES = Integer.getInteger("kiln.diff.cases", 24);
    private static final long SEED = Long.getLong("kiln.diff.seed", 17);
    private static Path work;
    private static Path base;
    private static List<String> buildah;

    @BeforeAll
    static void setUp() throws IOException {
        Peers.require("buildah");
        Peers.require("umoci");
        work = Peers.tempDir("diff");
        buildah = List.of("buildah", "--root", work.resolve("bs").toString(), "--runroot", work.resolve("br").toString(),
                "--storage-driver", "vfs");
        base = work.resolve("base");
        makeBase(base);
    }

    /** The base, made by umoci (not by kiln): /tmp 1777, /srv 0750 1001:1001, /lib -> usr/lib, an /etc/passwd. */
    static void makeBase(Path layout) throws IOException {
        Path bundle = work.resolve("bundle");
        Proc.run("umoci", "init", "--layout", layout.toString()).assertOk();
        Proc.run("umoci", "new", "--image", layout + ":t").assertOk();
        Proc.run("umoci", "unpack", "--image", layout + ":t", bundle.toString()).assertOk();
        Path rootfs = bundle.resolve("rootfs");
        Files.createDirectories(rootfs.resolve("tmp"));
        Files.createDirectories(rootfs.resolve("srv"));
        Files.createDirectories(rootfs.resolve("usr/lib"));
        Files.createDirectories(rootfs.resolve("etc"));
        Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\napp:x:1001:1001::/srv:/bin/sh\n");
        Files.createSymbolicLink(rootfs.resolve("lib"), rootfs.getFileSystem().getPath("usr/lib"));
        Proc.run("chmod", "1777", rootfs.resolve("tmp").toString()).assertOk();
        Proc.run("chmod", "0750", rootfs.resolve("srv").toString()).assertOk();
        Proc.run("chown", "1001:1001", rootfs.resolve("srv").toString()).assertOk();
        Proc.run("umoci", "repack", "--image", layout + ":t", bundle.toString()).assertOk();
        Proc.run("umoci", "config", "--image", layout + ":t", "--os", "linux", "--architecture", "amd64").assertOk();
    }

    @Test
    void kilnAndBuildahMakeTheSameImages() throws IOException {
        List<String> failures = new ArrayList<>();
        int differences = 0;
        for (int i = 0; i < CASES; i++) {
            Path ctx = work.resolve("ctx-" + i);
            DiffRecipe d = DiffRecipe.generate(i, SEED, ctx, base);
            differences += d.reasons.size();
            try {
                compare(d, ctx);
            } catch (AssertionError | IOException e) {
                failures.add("seed " + SEED + " case " + i + ": " + e.getMessage() + "\n--- kiln recipe:\n" + d.kiln
                        + "--- buildah recipe:\n" + d.buildah);
            }
        }
        System.out.println("differential: " + CASES + " recipes (seed " + SEED + "), " + differences
                + " values taken from BuildKit where buildah 1.28 differs, " + failures.size() + " failed");
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + CASES + " recipes differ:\n" + String.join("\n", failures));
        }
    }

    private void compare(DiffRecipe d, Path ctx) throws IOException {
        Path kilnFile = ctx.resolve("Dockerfile.kiln");
        Path buildahFile = ctx.resolve("Dockerfile.buildah");
        Files.writeString(kilnFile, d.kiln);
        Files.writeString(buildahFile, d.buildah);
        Path ours = work.resolve("kiln-" + d.number);
        KilnTestSupport.Run run = kiln("build", ctx.toString(), "-f", kilnFile.toString(), "--platform", "linux/amd64",
                "-t", "t", "-o", "oci:" + ours, "--no-cache");
        assertEquals(0, run.code(), () -> "kiln failed: " + run.err());
        String tag = "diff" + d.number + ":latest";
        Proc.Result b = Proc.run(with("bud", "-q", "--format", "docker", "--timestamp", "0", "--platform", "linux/amd64",
                "-f", buildahFile.toString(), "-t", tag, ctx.toString()));
        if (!b.ok()) {
            throw new AssertionError("buildah failed: " + b.stderr());
        }
        Path theirs = work.resolve("buildah-" + d.number);
        Proc.run(with("push", "-q", tag, "oci:" + theirs + ":latest")).assertOk();
        // the Docker-format config (an OCI config has no Healthcheck and no OnBuild, so the push drops them)
        JsonNode docker = KilnTestSupport.MAPPER.readTree(Proc.run(with("inspect", "--type", "image", tag)).assertOk()
                .stdout()).get("Docker");
        Proc.run(with("rmi", "-f", tag)).assertOk();

        JsonNode[] k = image(ours);
        JsonNode[] t = {image(theirs)[0], docker};
        JsonNode kc = k[1].path("config");
        JsonNode tc = t[1].path("config");
        assertEquals(t[1].path("author").asText(""), k[1].path("author").asText(""), "author");
        for (String field : List.of("Env", "Cmd", "Entrypoint", "WorkingDir", "User", "ExposedPorts", "Volumes", "Labels",
                "StopSignal", "Healthcheck", "OnBuild")) {
            JsonNode want = normalize(field, tc.get(field));
            if (field.equals("Env") && want != null) {
                want = d.expectedEnv(want);
            }
            if (d.expected.containsKey(field)) {
                want = d.expected.get(field);
            }
            assertEquals(want, normalize(field, kc.get(field)), field);
        }
        // BuildKit sets ArgsEscaped on every CMD (dockerfile2llb dispatchCmd); buildah never does
        assertEquals(d.argsEscaped, kc.path("ArgsEscaped").asBoolean(false), "ArgsEscaped");
        Map<String, String> kt = flatten(ours, k[0]);
        Map<String, String> tt = d.expectedTree(flatten(theirs, t[0]));
        if (!kt.equals(tt)) {
            StringBuilder diff = new StringBuilder("file trees differ:");
            for (String p : union(kt, tt)) {
                if (!java.util.Objects.equals(kt.get(p), tt.get(p))) {
                    diff.append("\n  ").append(p).append(": kiln ").append(kt.get(p)).append(" | buildah ").append(tt.get(p));
                }
            }
            throw new AssertionError(diff.toString());
        }
    }

    private static String[] with(String... args) {
        List<String> all = new ArrayList<>(buildah);
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }

    private static JsonNode normalize(String field, JsonNode v) {
        if (v == null || v.isNull() || (v.isContainerNode() && v.isEmpty()) || (v.isTextual() && v.asText().isEmpty())) {
            return null;
        }
        if (field.equals("Labels")) {
            ObjectNode o = ((ObjectNode) v.deepCopy()).without("io.buildah.version");
            return o.isEmpty() ? null : o;
        }
        if (field.equals("Healthcheck")) {
            ObjectNode o = KilnTestSupport.MAPPER.createObjectNode();
            for (String f : List.of("Test", "Interval", "Timeout", "StartPeriod", "Retries")) {
                if (v.hasNonNull(f) && !(v.get(f).isNumber() && v.get(f).asLong() == 0)) {
                    o.set(f, v.get(f));
                }
            }
            return o;
        }
        return v;
    }

    private static List<String> union(Map<String, String> a, Map<String, String> b) {
        java.util.TreeSet<String> all = new java.util.TreeSet<>(a.keySet());
        all.addAll(b.keySet());
        return new ArrayList<>(all);
    }

    /** {manifest, config} of the layout's only image. */
    private static JsonNode[] image(Path layout) throws IOException {
        JsonNode m = blobJson(layout, json(layout.resolve("index.json")).get("manifests").get(0).get("digest").asText());
        return new JsonNode[] {m, blobJson(layout, m.at("/config/digest").asText())};
    }

    /**
     * The image's files after applying every layer (whiteouts too): path -> "type mode uid:gid size
     * target sha256". A hard link counts as the file it links to.
     */
    static Map<String, String> flatten(Path layout, JsonNode manifest) throws IOException {
        TreeMap<String, String> tree = new TreeMap<>();
        for (JsonNode l : manifest.get("layers")) {
            try (InputStream raw = Files.newInputStream(blob(layout, l.get("digest").asText()));
                 InputStream in = l.get("mediaType").asText().endsWith("gzip") ? new GZIPInputStream(raw) : raw;
                 TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
                for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                    String name = e.getName().replaceFirst("^\\./", "").replaceFirst("^/", "").replaceFirst("/$", "");
                    if (name.isEmpty() || name.equals(".")) {
                        continue;
                    }
                    String base = name.substring(name.lastIndexOf('/') + 1);
                    String parent = name.contains("/") ? name.substring(0, name.lastIndexOf('/')) : "";
                    if (base.equals(".wh..wh..opq")) {
                        tree.subMap(parent + "/", parent + "0").clear();
                        continue;
                    }
                    if (base.startsWith(".wh.")) {
                        String gone = (parent.isEmpty() ? "" : parent + "/") + base.substring(4);
                        tree.remove(gone);
                        tree.subMap(gone + "/", gone + "0").clear();
                        continue;
                    }
                    String owner = e.getLongUserId() + ":" + e.getLongGroupId();
                    String mode = Integer.toOctalString(e.getMode() & 07777);
                    String value;
                    if (e.isDirectory()) {
                        value = "dir " + mode + " " + owner;
                    } else if (e.isSymbolicLink()) {
                        value = "link " + owner + " -> " + e.getLinkName();
                    } else if (e.isLink()) {
                        String target = tree.get(e.getLinkName().replaceFirst("^\\./", "").replaceFirst("^/", ""));
                        value = target == null ? "hardlink to missing " + e.getLinkName()
                                : target.replaceFirst("^file \\S+ \\S+", "file " + mode + " " + owner);
                    } else {
                        value = "file " + mode + " " + owner + " " + e.getSize() + " " + sha256(tar);
                    }
                    if (!e.isDirectory()) {
                        tree.subMap(name + "/", name + "0").clear();
                    }
                    tree.put(name, value);
                }
            }
        }
        return tree;
    }

    private static String sha256(InputStream in) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
