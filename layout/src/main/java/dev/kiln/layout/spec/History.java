package dev.kiln.layout.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.layout.json.JsonFields;
import dev.kiln.layout.json.JsonWriter;

/** One entry of a config's history; {@code emptyLayer} marks instructions that made no layer. */
public record History(String created, String createdBy, String author, String comment, boolean emptyLayer,
                      ObjectNode extra) {
    public History {
        extra = extra == null || extra.isEmpty() ? null : extra.deepCopy();
    }

    public History(String created, String createdBy, boolean emptyLayer) {
        this(created, createdBy, null, null, emptyLayer, null);
    }

    @Override
    public ObjectNode extra() {
        return extra == null ? null : extra.deepCopy();
    }

    public static History fromJson(JsonNode node, String where) {
        JsonFields f = new JsonFields(node, where);
        Boolean empty = f.bool("empty_layer");
        return new History(f.string("created"), f.string("created_by"), f.string("author"), f.string("comment"),
                empty != null && empty, f.rest());
    }

    public ObjectNode toJson() {
        return new JsonWriter()
                .put("created", created)
                .put("created_by", createdBy)
                .put("author", author)
                .put("comment", comment)
                .put("empty_layer", emptyLayer ? Boolean.TRUE : null)
                .rest(extra)
                .build();
    }
}
