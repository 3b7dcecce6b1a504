package dev.kiln.layout.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.layout.json.Json;
import dev.kiln.layout.json.JsonFields;
import dev.kiln.layout.json.JsonFormatException;
import dev.kiln.layout.json.JsonWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** An image manifest (OCI, or Docker schema 2 which has the same shape): a config and layers. */
public record ImageManifest(int schemaVersion, String mediaType, String artifactType, Descriptor config,
                            List<Descriptor> layers, Descriptor subject, Map<String, String> annotations,
                            ObjectNode extra) {
    public ImageManifest {
        if (schemaVersion != 2) {
            throw new IllegalArgumentException("manifest: schemaVersion must be 2, not " + schemaVersion);
        }
        if (mediaType != null && !MediaTypes.isManifest(mediaType)) {
            throw new IllegalArgumentException("manifest: mediaType '" + mediaType + "' is not an image manifest type");
        }
        if (config == null) {
            throw new IllegalArgumentException("manifest: config is missing");
        }
        layers = List.copyOf(layers == null ? List.of() : layers);
        annotations = annotations == null || annotations.isEmpty() ? null
                : Collections.unmodifiableMap(new TreeMap<>(annotations));
        extra = extra == null || extra.isEmpty() ? null : extra.deepCopy();
    }

    public ImageManifest(String mediaType, Descriptor config, List<Descriptor> layers) {
        this(2, mediaType, null, config, layers, null, null, null);
    }

    @Override
    public ObjectNode extra() {
        return extra == null ? null : extra.deepCopy();
    }

    /** The media type to use for this manifest's descriptor (OCI when the document has none). */
    public String effectiveMediaType() {
        return mediaType != null ? mediaType : MediaTypes.OCI_MANIFEST;
    }

    /**
     * True when the config is an image config (OCI or Docker): a runnable image. Any other config
     * (a Helm chart's, the empty config of an OCI 1.1 artifact) makes the manifest an artifact.
     */
    public boolean isImage() {
        return MediaTypes.isConfig(config.mediaType());
    }

    /**
     * The type of the artifact this manifest holds, as the image-spec defines it: {@code artifactType},
     * else the config's media type for an artifact; null for an image that names no artifactType.
     */
    public String effectiveArtifactType() {
        if (artifactType != null) {
            return artifactType;
        }
        return isImage() ? null : config.mediaType();
    }

    public ImageManifest withLayers(List<Descriptor> newLayers) {
        return new ImageManifest(schemaVersion, mediaType, artifactType, config, newLayers, subject, annotations, extra);
    }

    public ImageManifest withConfig(Descriptor newConfig) {
        return new ImageManifest(schemaVersion, mediaType, artifactType, newConfig, layers, subject, annotations, extra);
    }

    public static ImageManifest parse(byte[] bytes, String where) {
        return fromJson(Json.parseObject(bytes, where), where);
    }

    public static ImageManifest fromJson(JsonNode node, String where) {
        JsonFields f = new JsonFields(node, where);
        long schemaVersion = SchemaVersion.check(f);
        String mediaType = f.string("mediaType");
        String artifactType = f.string("artifactType");
        ObjectNode configNode = f.object("config");
        if (configNode == null) {
            throw f.bad("config", "missing");
        }
        Descriptor config = Descriptor.fromJson(configNode, f.where("config"));
        ArrayNode layerNodes = f.array("layers");
        List<Descriptor> layers = new ArrayList<>();
        if (layerNodes != null) {
            for (int i = 0; i < layerNodes.size(); i++) {
                layers.add(Descriptor.fromJson(layerNodes.get(i), f.where("layers[" + i + "]")));
            }
        }
        JsonNode s = f.raw("subject");
        Descriptor subject = s == null ? null : Descriptor.fromJson(s, f.where("subject"));
        Map<String, String> annotations = f.stringMap("annotations");
        try {
            return new ImageManifest((int) schemaVersion, mediaType, artifactType,
                    config, layers, subject, annotations, f.rest());
        } catch (IllegalArgumentException e) {
            throw new JsonFormatException(where + ": " + e.getMessage());
        }
    }

    public ObjectNode toJson() {
        ArrayNode layerArray = Json.array();
        layers.forEach(l -> layerArray.add(l.toJson()));
        return new JsonWriter()
                .put("schemaVersion", (long) schemaVersion)
                .put("mediaType", mediaType)
                .put("artifactType", artifactType)
                .put("config", config.toJson())
                .put("layers", layerArray)
                .put("subject", subject == null ? null : subject.toJson())
                .stringMap("annotations", annotations)
                .rest(extra)
                .build();
    }

    public byte[] toBytes() {
        return Json.write(toJson());
    }
}
