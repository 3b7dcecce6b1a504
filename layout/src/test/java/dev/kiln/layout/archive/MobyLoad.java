package dev.kiln.layout.archive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * What {@code docker load} of Docker 25 and later reads from a tar, written from its code (not from
 * kiln's reader) so an archive kiln writes can be checked against the format where no such engine
 * runs. Both stores are modelled:
 * <ul>
 * <li>the containerd store (containerd's {@code archive.ImportIndex} and {@code client.Import} as
 * moby's {@code LoadImage} calls them): with an {@code oci-layout} whose version is exactly 1.0.0 the
 * tar is an OCI layout and {@code index.json} the index; each entry is an image named by its
 * {@code io.containerd.image.name} (else {@code org.opencontainers.image.ref.name} as it is); the walk
 * keeps the host platform and entries without one, skipping missing content; the host image is then
 * unpacked, which needs its config and every layer, each decompressing to its diff_id;</li>
 * <li>the classic store (moby's {@code image/tarexport/load.go}): {@code manifest.json} only, an array
 * (null refused); per entry the config file, as many layer files as diff_ids (decompressed, each
 * hashing to its diff_id), RepoTags that parse as NAME:TAG.</li>
 * </ul>
 * Only regular files count (containerd ignores other entry types); names are cleaned as Go's
 * {@code path.Clean} does.
 */
final class MobyLoad {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NAME = Pattern.compile(
            "([a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
                    + ":[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

    /** An image a load would create: its name (null for a dangling one) and the config of the host's image. */
    record Loaded(String name, String configDigest) {
    }

    private final Map<String, byte[]> files = new HashMap<>();
    private final List<String> problems = new ArrayList<>();
    private final String os;
    private final String arch;

    private MobyLoad(String os, String arch) {
        this.os = os;
        this.arch = arch;
    }

    /** Reads {@code tar} as Docker 25+ on {@code os/arch} would; small test archives only (held in memory). */
    static MobyLoad of(Path tar, String os, String arch) throws IOException {
        MobyLoad m = new MobyLoad(os, arch);
        byte[] bytes = Files.readAllBytes(tar);
        InputStream in = new ByteArrayInputStream(bytes);
        if (bytes.length > 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
            in = new GZIPInputStream(in);
        }
        try (TarArchiveInputStream t = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry e; (e = t.getNextEntry()) != null; ) {
                byte flag = e.getLinkFlag();
                if (flag == '0' || flag == 0) {
                    m.files.put(clean(e.getName()), t.readAllBytes());
                } else if (flag != '5') {
                    m.problems.add("entry " + e.getName() + " of type '" + (char) flag + "' is ignored by containerd's importer");
                }
            }
        }
        return m;
    }

    List<String> problems() {
        return problems;
    }

    /** The images the containerd store would import, with the host image's config; problems recorded. */
    List<Loaded> containerdStore() throws IOException {
        List<Loaded> out = new ArrayList<>();
        byte[] layout = files.get("oci-layout");
        if (layout == null) {
            problems.add("no oci-layout: containerd would read manifest.json as a Docker v1.2 archive");
            return out;
        }
        if (!"1.0.0".equals(JSON.readTree(layout).path("imageLayoutVersion").asText(null))) {
            problems.add("oci-layout version is not exactly 1.0.0: containerd refuses it");
            return out;
        }
        byte[] index = files.get("index.json");
        if (index == null) {
            problems.add("missing index.json in OCI layout");
            return out;
        }
        JsonNode manifests = JSON.readTree(index).get("manifests");
        if (manifests == null || !manifests.isArray() || manifests.isEmpty()) {
            problems.add("index.json lists no image: the walk is empty");
            return out;
        }
        for (JsonNode d : manifests) {
            if (!hostOrNone(d)) {
                continue;
            }
            String name = d.at("/annotations/io.containerd.image.name").asText(null);
            if (name == null) {
                name = d.at("/annotations/org.opencontainers.image.ref.name").asText(null);
            }
            if (name != null && !normalized(name)) {
                problems.add("image name '" + name + "' is not a normalized reference: moby makes a dangling image instead");
                name = null;
            }
            out.add(new Loaded(name, unpack(d, 0)));
        }
        return out;
    }

    /** The config digest of the host image under {@code d}, after checking that it could be unpacked; null if none. */
    private String unpack(JsonNode d, int depth) throws IOException {
        String type = d.path("mediaType").asText();
        byte[] doc = blob(d.path("digest").asText());
        if (doc == null || depth > 4) {
            return null; // skipped as missing (WithSkipMissing)
        }
        JsonNode node = JSON.readTree(doc);
        if (type.endsWith("index.v1+json") || type.endsWith("manifest.list.v2+json")) {
            String found = null;
            for (JsonNode child : node.path("manifests")) {
                if (hostOrNone(child) && !child.path("platform").path("os").asText().equals("unknown")) {
                    String c = unpack(child, depth + 1);
                    found = found == null ? c : found;
                }
            }
            return found;
        }
        String config = node.at("/config/digest").asText();
        byte[] cfg = blob(config);
        if (cfg == null) {
            problems.add("manifest " + d.path("digest").asText() + ": config " + config + " is not in the archive");
            return null;
        }
        JsonNode diffIds = JSON.readTree(cfg).at("/rootfs/diff_ids");
        JsonNode layers = node.path("layers");
        if (diffIds.size() != layers.size()) {
            problems.add("manifest " + d.path("digest").asText() + ": " + layers.size() + " layers, " + diffIds.size() + " diff_ids");
        }
        for (int i = 0; i < layers.size() && i < diffIds.size(); i++) {
            byte[] layer = blob(layers.get(i).path("digest").asText());
            if (layer == null) {
                problems.add("layer " + layers.get(i).path("digest").asText() + " is not in the archive: unpacking fails");
            } else if (!diffIds.get(i).asText().equals(sha256(decompress(layer)))) {
                problems.add("layer " + i + " does not decompress to its diff_id");
            }
        }
        return config;
    }

    /** The images the classic store would load, each with its config; problems recorded. */
    List<Loaded> classicStore() throws IOException {
        List<Loaded> out = new ArrayList<>();
        byte[] mj = files.get("manifest.json");
        if (mj == null) {
            problems.add("no manifest.json: the classic store cannot load the archive");
            return out;
        }
        JsonNode entries = JSON.readTree(mj);
        if (entries == null || !entries.isArray()) {
            problems.add("manifest.json is not an array (null is refused)");
            return out;
        }
        for (JsonNode e : entries) {
            byte[] config = files.get(clean(e.path("Config").asText()));
            if (config == null) {
                problems.add("config " + e.path("Config").asText() + " is not in the archive");
                continue;
            }
            JsonNode img = JSON.readTree(config);
            JsonNode diffIds = img.at("/rootfs/diff_ids");
            JsonNode layers = e.path("Layers");
            if (layers.size() != diffIds.size()) {
                problems.add("invalid manifest, layers length mismatch: expected " + layers.size() + ", got " + diffIds.size());
                continue;
            }
            for (int i = 0; i < layers.size(); i++) {
                String diffId = diffIds.get(i).asText();
                byte[] layer = files.get(clean(layers.get(i).asText()));
                if (layer == null) {
                    if (!e.path("LayerSources").has(diffId)) {
                        problems.add("layer " + layers.get(i).asText() + " is not in the archive");
                    }
                } else if (!diffId.equals(sha256(decompress(layer)))) {
                    problems.add("invalid diffID for layer " + i);
                }
            }
            if (e.path("RepoTags").isEmpty()) {
                out.add(new Loaded(null, sha256(config)));
            }
            for (JsonNode t : e.path("RepoTags")) {
                String tag = t.asText();
                if (!NAME.matcher(tag).matches()) {
                    problems.add("RepoTag '" + tag + "' is not NAME:TAG");
                }
                out.add(new Loaded(tag, sha256(config)));
            }
        }
        return out;
    }

    /** A full name as reference.ParseNormalizedNamed prints it: a domain (with a dot or port, or localhost), a path, a tag. */
    static boolean normalized(String name) {
        int slash = name.indexOf('/');
        if (!NAME.matcher(name).matches() || slash < 0) {
            return false;
        }
        String domain = name.substring(0, slash);
        return domain.contains(".") || domain.contains(":") || domain.equals("localhost");
    }

    private boolean hostOrNone(JsonNode d) {
        JsonNode p = d.get("platform");
        return p == null || os.equals(p.path("os").asText()) && arch.equals(p.path("architecture").asText());
    }

    private byte[] blob(String digest) {
        String[] parts = digest.split(":", 2);
        return parts.length == 2 ? files.get("blobs/" + parts[0] + "/" + parts[1]) : null;
    }

    private static byte[] decompress(byte[] layer) throws IOException {
        if (layer.length > 2 && (layer[0] & 0xff) == 0x1f && (layer[1] & 0xff) == 0x8b) {
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(layer))) {
                return in.readAllBytes();
            }
        }
        return layer;
    }

    static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Go's path.Clean for the relative names of a tar. */
    static String clean(String name) {
        List<String> parts = new ArrayList<>();
        for (String p : name.split("/")) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                if (!parts.isEmpty()) {
                    parts.remove(parts.size() - 1);
                }
                continue;
            }
            parts.add(p);
        }
        return String.join("/", parts);
    }
}
