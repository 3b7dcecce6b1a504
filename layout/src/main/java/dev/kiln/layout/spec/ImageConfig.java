package dev.kiln.layout.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.digest.InvalidDigestException;
import dev.kiln.layout.json.Json;
import dev.kiln.layout.json.JsonFields;
import dev.kiln.layout.json.JsonFormatException;
import dev.kiln.layout.json.JsonWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * The image configuration (OCI image-spec config, Docker's container image JSON): platform,
 * execution config, the diff_ids of the uncompressed layers and the history.
 */
public record ImageConfig(String created, String author, String architecture, String os, String osVersion,
                          List<String> osFeatures, String variant, ContainerConfig config, List<Digest> diffIds,
                          List<History> history, ObjectNode extra) {
    public ImageConfig {
        if (architecture == null || architecture.isEmpty()) {
            throw new IllegalArgumentException("config: architecture is missing");
        }
        if (os == null || os.isEmpty()) {
            throw new IllegalArgumentException("config: os is missing");
        }
        osFeatures = osFeatures == null || osFeatures.isEmpty() ? null : List.copyOf(osFeatures);
        config = config == null ? ContainerConfig.empty() : config;
        diffIds = List.copyOf(diffIds == null ? List.of() : diffIds);
        history = history == null ? null : List.copyOf(history);
        extra = extra == null || extra.isEmpty() ? null : extra.deepCopy();
    }

    @Override
    public ObjectNode extra() {
        return extra == null ? null : extra.deepCopy();
    }

    /** The platform this config says the image is for. */
    public Platform platform() {
        return new Platform(os, architecture, variant, osVersion, osFeatures, null);
    }

    /** Number of history entries that made a layer: must equal the number of diff_ids. */
    public long layerHistoryCount() {
        return history == null ? diffIds.size() : history.stream().filter(h -> !h.emptyLayer()).count();
    }

    public ImageConfig withConfig(ContainerConfig c) {
        return new ImageConfig(created, author, architecture, os, osVersion, osFeatures, variant, c, diffIds, history, extra);
    }

    public ImageConfig withLayers(List<Digest> ids, List<History> hist) {
        return new ImageConfig(created, author, architecture, os, osVersion, osFeatures, variant, config, ids, hist, extra);
    }

    public ImageConfig withCreated(String c, String a) {
        return new ImageConfig(c, a, architecture, os, osVersion, osFeatures, variant, config, diffIds, history, extra);
    }

    public ImageConfig withPlatform(Platform p) {
        return new ImageConfig(created, author, p.architecture(), p.os(), p.osVersion(), p.osFeatures(), p.variant(),
                config, diffIds, history, extra);
    }

    public static ImageConfig parse(byte[] bytes, String where) {
        return fromJson(Json.parseObject(bytes, where), where);
    }

    public static ImageConfig fromJson(JsonNode node, String where) {
        JsonFields f = new JsonFields(node, where);
        String created = f.string("created");
        String author = f.string("author");
        String architecture = f.string("architecture");
        String os = f.string("os");
        String osVersion = f.string("os.version");
        List<String> osFeatures = f.strings("os.features");
        String variant = f.string("variant");
        JsonNode c = f.raw("config");
        ContainerConfig config = c == null ? null : ContainerConfig.fromJson(c, f.where("config"));
        List<Digest> diffIds = new ArrayList<>();
        ObjectNode rootfs = f.object("rootfs");
        ObjectNode rootfsRest = null;
        if (rootfs != null) {
            JsonFields r = new JsonFields(rootfs, f.where("rootfs"));
            String type = r.string("type");
            if (type != null && !type.equals("layers")) {
                throw r.bad("type", "must be \"layers\", not \"" + type + "\"");
            }
            List<String> ids = r.strings("diff_ids");
            if (ids != null) {
                for (int i = 0; i < ids.size(); i++) {
                    try {
                        diffIds.add(Digest.parse(ids.get(i)));
                    } catch (InvalidDigestException e) {
                        throw r.bad("diff_ids[" + i + "]", e.getMessage());
                    }
                }
            }
            rootfsRest = r.rest();
        }
        ArrayNode h = f.array("history");
        List<History> history = null;
        if (h != null) {
            history = new ArrayList<>();
            for (int i = 0; i < h.size(); i++) {
                history.add(History.fromJson(h.get(i), f.where("history[" + i + "]")));
            }
        }
        ObjectNode rest = f.rest();
        if (rootfsRest != null && !rootfsRest.isEmpty()) {
            rest.set("rootfs", rootfsRest); // re-merged on write
        }
        try {
            return new ImageConfig(created, author, architecture, os, osVersion, osFeatures, variant, config, diffIds,
                    history, rest);
        } catch (IllegalArgumentException e) {
            throw new JsonFormatException(where + ": " + e.getMessage());
        }
    }

    public ObjectNode toJson() {
        ArrayNode ids = Json.array();
        diffIds.forEach(d -> ids.add(d.toString()));
        ObjectNode rootfs = new JsonWriter().put("type", "layers").put("diff_ids", ids).build();
        ObjectNode rest = extra();
        if (rest != null && rest.get("rootfs") instanceof ObjectNode kept) {
            kept.fields().forEachRemaining(e -> {
                if (!rootfs.has(e.getKey())) {
                    rootfs.set(e.getKey(), e.getValue());
                }
            });
            rest.remove("rootfs");
        }
        ArrayNode hist = null;
        if (history != null) {
            hist = Json.array();
            for (History e : history) {
                hist.add(e.toJson());
            }
        }
        return new JsonWriter()
                .put("created", created)
                .put("author", author)
                .put("architecture", architecture)
                .put("os", os)
                .put("os.version", osVersion)
                .strings("os.features", osFeatures)
                .put("variant", variant)
                .put("config", config.toJson())
                .put("rootfs", rootfs)
                .put("history", hist)
                .rest(rest)
                .build();
    }

    public byte[] toBytes() {
        return Json.write(toJson());
    }
}
