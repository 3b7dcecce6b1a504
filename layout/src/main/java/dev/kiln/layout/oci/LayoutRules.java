package dev.kiln.layout.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.layout.KilnException;
import dev.kiln.layout.json.Json;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageIndex;
import dev.kiln.layout.spec.MediaTypes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The checks of {@link Verifier} on the layout's own files: {@code oci-layout} (present, version
 * 1.x), {@code blobs/} present, and tags in index.json that name more than one entry.
 */
final class LayoutRules {
    private LayoutRules() {
    }

    static void checkLayoutFile(Path root, Findings f) {
        Path file = root.resolve(OciLayout.LAYOUT_FILE);
        String where = OciLayout.LAYOUT_FILE;
        String why = BlobFiles.unusable(file);
        if (why != null) {
            f.problems.add(new Problem(null, where, OciLayout.LAYOUT_FILE + " " + why
                    + " (an OCI layout needs it: {\"imageLayoutVersion\":\"1.0.0\"})"));
        } else {
            try (InputStream in = Files.newInputStream(file)) {
                ObjectNode node = Json.parseObject(Json.readLimited(in, where), where);
                JsonNode v = node.get("imageLayoutVersion");
                if (v == null || !v.isTextual()) {
                    f.problems.add(new Problem(null, where, "no imageLayoutVersion string (want \"1.0.0\")"));
                } else if (!v.textValue().startsWith("1.")) {
                    f.problems.add(new Problem(null, where, "unsupported imageLayoutVersion '" + v.textValue()
                            + "' (want 1.x)"));
                }
            } catch (KilnException e) {
                f.problems.add(new Problem(null, where, e.getMessage()));
            } catch (IOException e) {
                f.problems.add(new Problem(null, where, "cannot read " + where + ": " + e));
            }
        }
        if (!Files.isDirectory(root.resolve(BlobFiles.BLOBS), LinkOption.NOFOLLOW_LINKS)) {
            f.problems.add(new Problem(null, BlobFiles.BLOBS + "/", "the blobs directory is missing"));
        }
    }

    /**
     * A tag ({@code org.opencontainers.image.ref.name}) on several top-level entries is ambiguous: a
     * problem. When every such entry has its own full name ({@code io.containerd.image.name}, as
     * Docker 25+ writes), kiln tells them apart, so it is only a warning.
     */
    static void checkTags(ImageIndex index, Findings f) {
        List<Descriptor> top = index.manifests();
        if (top.isEmpty()) {
            f.warnings.add(new Problem(null, OciLayout.INDEX_FILE, "the layout holds no image"));
        }
        Map<String, List<Descriptor>> byRef = new LinkedHashMap<>();
        for (Descriptor d : top) {
            String ref = d.annotation(MediaTypes.ANNOTATION_REF_NAME);
            if (ref != null) {
                byRef.computeIfAbsent(ref, k -> new ArrayList<>()).add(d);
            }
        }
        for (Map.Entry<String, List<Descriptor>> e : byRef.entrySet()) {
            List<Descriptor> same = e.getValue();
            if (same.size() < 2) {
                continue;
            }
            Set<String> fullNames = new HashSet<>();
            boolean distinct = true;
            for (Descriptor d : same) {
                String full = d.annotation(MediaTypes.ANNOTATION_CONTAINERD_NAME);
                distinct &= full != null && fullNames.add(full);
            }
            List<String> entries = same.stream().map(d -> {
                String full = d.annotation(MediaTypes.ANNOTATION_CONTAINERD_NAME);
                return (full == null ? "" : full + " ") + BlobFiles.shortDigest(d.digest());
            }).toList();
            if (distinct) {
                f.warnings.add(new Problem(null, OciLayout.INDEX_FILE, "tag '" + e.getKey() + "' is on "
                        + same.size() + " images with different full names (" + String.join(", ", entries)
                        + "); umoci and skopeo, which look up the bare tag, find it ambiguous"));
            } else {
                f.problems.add(new Problem(same.get(0).digest(), OciLayout.INDEX_FILE, "ambiguous tag '" + e.getKey()
                        + "': " + same.size() + " top-level entries carry it (" + String.join(", ", entries)
                        + "); umoci refuses it and skopeo silently takes the first"));
            }
        }
    }
}
