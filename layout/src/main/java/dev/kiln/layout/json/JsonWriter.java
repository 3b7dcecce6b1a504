package dev.kiln.layout.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import java.util.Map;

/** Builds an object node field by field, leaving out nulls and (optionally) empty values. */
public final class JsonWriter {
    private final ObjectNode node = Json.object();

    public JsonWriter put(String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
        return this;
    }

    public JsonWriter put(String field, Long value) {
        if (value != null) {
            node.put(field, value);
        }
        return this;
    }

    public JsonWriter put(String field, Boolean value) {
        if (value != null) {
            node.put(field, value);
        }
        return this;
    }

    public JsonWriter put(String field, JsonNode value) {
        if (value != null) {
            node.set(field, value);
        }
        return this;
    }

    public JsonWriter strings(String field, Collection<String> values) {
        if (values != null) {
            ArrayNode a = node.putArray(field);
            values.forEach(a::add);
        }
        return this;
    }

    public JsonWriter stringMap(String field, Map<String, String> values) {
        if (values != null) {
            ObjectNode o = node.putObject(field);
            values.forEach(o::put);
        }
        return this;
    }

    /** Writes a set as an object whose values are empty objects, as Docker does for ports and volumes. */
    public JsonWriter keySet(String field, Collection<String> keys) {
        if (keys != null) {
            ObjectNode o = node.putObject(field);
            keys.forEach(k -> o.putObject(k));
        }
        return this;
    }

    /** Appends unknown fields kept from a read; fields already written win. */
    public JsonWriter rest(ObjectNode rest) {
        if (rest != null) {
            rest.fields().forEachRemaining(e -> {
                if (!node.has(e.getKey())) {
                    node.set(e.getKey(), e.getValue());
                }
            });
        }
        return this;
    }

    public ObjectNode build() {
        return node;
    }
}
