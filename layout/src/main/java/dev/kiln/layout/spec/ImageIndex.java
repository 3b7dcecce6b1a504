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

/** An image index (OCI) or manifest list (Docker): descriptors of manifests, usually one per platform. */
public record ImageIndex(int schemaVersion, String mediaType, String artifactType, List<Descriptor> manifests,
                         Descriptor subject, Map<String, String> annotations, ObjectNode extra) {
    public ImageIndex {
        if (schemaVersion != 2) {
            throw new IllegalArgumentException("index: schemaVersion must be 2, not " + schemaVersion);
        }
        if (mediaType != null && !MediaTypes.isIndex(mediaType)) {
            throw new IllegalArgumentException("index: mediaType '" + mediaType + "' is not an index type");
        }
        manifests = List.copyOf(manifests == null ? List.of() : manifests);
        annotations = annotations == null || annotations.isEmpty() ? null
                : Collections.unmodifiableMap(new TreeMap<>(annotations));
        extra = extra == null || extra.isEmpty() ? null : extra.deepCopy();
    }

    public ImageIndex(String mediaType, List<Descriptor> manifests) {
        this(2, mediaType, null, manifests, null, null, null);
    }

    /** The empty {@code index.json} of a new OCI layout. */
    public static ImageIndex emptyLayoutIndex() {
        return new ImageIndex(MediaTypes.OCI_INDEX, List.of());
    }

    @Override
    public ObjectNode extra() {
        return extra == null ? null : extra.deepCopy();
    }

    public String effectiveMediaType() {
        return mediaType != null ? mediaType : MediaTypes.OCI_INDEX;
    }

    public ImageIndex withManifests(List<Descriptor> list) {
        return new ImageIndex(schemaVersion, mediaType, artifactType, list, subject, annotations, extra);
    }

    public ImageIndex withAnnotations(Map<String, String> a) {
        return new ImageIndex(schemaVersion, mediaType, artifactType, manifests, subject, a, extra);
    }

    public static ImageIndex parse(byte[] bytes, String where) {
        return fromJson(Json.parseObject(bytes, where), where);
    }

    public static ImageIndex fromJson(JsonNode node, String where) {
        JsonFields f = new JsonFields(node, where);
        long schemaVersion = SchemaVersion.check(f);
        String mediaType = f.string("mediaType");
        String artifactType = f.string("artifactType");
        ArrayNode nodes = f.array("manifests");
        if (nodes == null) {
            throw f.bad("manifests", "missing");
        }
        List<Descriptor> manifests = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            manifests.add(Descriptor.fromJson(nodes.get(i), f.where("manifests[" + i + "]")));
        }
        JsonNode s = f.raw("subject");
        Descriptor subject = s == null ? null : Descriptor.fromJson(s, f.where("subject"));
        Map<String, String> annotations = f.stringMap("annotations");
        try {
            return new ImageIndex((int) schemaVersion, mediaType, artifactType,
                    manifests, subject, annotations, f.rest());
        } catch (IllegalArgumentException e) {
            throw new JsonFormatException(where + ": " + e.getMessage());
        }
    }

    public ObjectNode toJson() {
        ArrayNode list = Json.array();
        manifests.forEach(m -> list.add(m.toJson()));
        return new JsonWriter()
                .put("schemaVersion", (long) schemaVersion)
                .put("mediaType", mediaType)
                .put("artifactType", artifactType)
                .put("manifests", list)
                .put("subject", subject == null ? null : subject.toJson())
                .stringMap("annotations", annotations)
                .rest(extra)
                .build();
    }

    public byte[] toBytes() {
        return Json.write(toJson());
    }
}
