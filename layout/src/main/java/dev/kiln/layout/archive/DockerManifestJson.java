package dev.kiln.layout.archive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.layout.KilnException;
import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.json.Json;
import dev.kiln.layout.json.JsonFields;
import dev.kiln.layout.spec.Descriptor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Docker's {@code manifest.json}: one entry per image, paths into the archive. */
final class DockerManifestJson {
    private DockerManifestJson() {
    }

    /**
     * One image: its config and layer files (paths inside the archive), its names, and for layers it
     * did not ship (foreign layers) where to get them, keyed by diff_id.
     */
    record Entry(int position, String config, List<String> repoTags, List<String> layers, Map<Digest, Descriptor> layerSources) {
        Entry {
            repoTags = List.copyOf(repoTags);
            layers = List.copyOf(layers);
            layerSources = Map.copyOf(layerSources);
        }
    }

    static List<Entry> parse(byte[] bytes, String what) {
        JsonNode node;
        try {
            node = Json.mapper().readTree(bytes);
        } catch (IOException e) {
            throw new ArchiveException(what + ": manifest.json: invalid JSON: " + String.valueOf(e.getMessage()).replaceAll("\\s+", " "));
        }
        if (node == null || !node.isArray()) {
            throw new ArchiveException(what + ": manifest.json: expected a JSON array");
        }
        List<Entry> out = new ArrayList<>();
        try {
            for (int i = 0; i < node.size(); i++) {
                JsonFields f = new JsonFields(node.get(i), what + ": manifest.json[" + i + "]");
                String config = f.requiredString("Config");
                List<String> tags = f.strings("RepoTags");
                List<String> layers = f.strings("Layers");
                if (layers == null && !node.get(i).has("Layers")) {
                    throw f.bad("Layers", "missing");
                }
                Map<Digest, Descriptor> sources = new LinkedHashMap<>();
                ObjectNode ls = f.object("LayerSources");
                if (ls != null) {
                    for (Map.Entry<String, JsonNode> s : ls.properties()) {
                        Digest diffId;
                        try {
                            diffId = Digest.parse(s.getKey());
                        } catch (KilnException e) {
                            throw new ArchiveException(f.where("LayerSources") + ": " + e.getMessage(), e);
                        }
                        sources.put(diffId, Descriptor.fromJson(s.getValue(), f.where("LayerSources." + s.getKey())));
                    }
                }
                // null RepoTags (an untagged image) and null Layers (no layers) are what Go writes for empty lists
                out.add(new Entry(i, config, tags == null ? List.of() : tags, layers == null ? List.of() : layers, sources));
            }
        } catch (ArchiveException e) {
            throw e;
        } catch (KilnException e) {
            throw new ArchiveException(e.getMessage(), e);
        }
        return out;
    }
}
