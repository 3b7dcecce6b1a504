package dev.kiln.layout.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Typed reads of an object's fields with errors that name the document and the field, and the
 * bookkeeping of unknown fields: every field read is remembered, and {@link #rest()} returns the
 * others so they can be written back unchanged.
 */
public final class JsonFields {
    private final ObjectNode node;
    private final String where;
    private final java.util.HashSet<String> seen = new java.util.HashSet<>();

    public JsonFields(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw new JsonFormatException(where + ": expected a JSON object");
        }
        this.node = (ObjectNode) node;
        this.where = where;
    }

    public String where() {
        return where;
    }

    public String where(String field) {
        return where + "." + field;
    }

    public boolean has(String field) {
        JsonNode v = node.get(field);
        return v != null && !v.isNull();
    }

    public JsonNode raw(String field) {
        seen.add(field);
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v;
    }

    public String string(String field) {
        JsonNode v = raw(field);
        if (v == null) {
            return null;
        }
        if (!v.isTextual()) {
            throw bad(field, "expected a string");
        }
        return v.textValue();
    }

    public String requiredString(String field) {
        String s = string(field);
        if (s == null) {
            throw bad(field, "missing");
        }
        return s;
    }

    public Long longValue(String field) {
        JsonNode v = raw(field);
        if (v == null) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw bad(field, "expected an integer");
        }
        return v.longValue();
    }

    public Boolean bool(String field) {
        JsonNode v = raw(field);
        if (v == null) {
            return null;
        }
        if (!v.isBoolean()) {
            throw bad(field, "expected true or false");
        }
        return v.booleanValue();
    }

    public ObjectNode object(String field) {
        JsonNode v = raw(field);
        if (v == null) {
            return null;
        }
        if (!v.isObject()) {
            throw bad(field, "expected an object");
        }
        return (ObjectNode) v;
    }

    public ArrayNode array(String field) {
        JsonNode v = raw(field);
        if (v == null) {
            return null;
        }
        if (!v.isArray()) {
            throw bad(field, "expected an array");
        }
        return (ArrayNode) v;
    }

    /** A list of strings; null when absent. */
    public List<String> strings(String field) {
        ArrayNode a = array(field);
        if (a == null) {
            return null;
        }
        List<String> out = new ArrayList<>(a.size());
        for (JsonNode e : a) {
            if (!e.isTextual()) {
                throw bad(field, "expected an array of strings");
            }
            out.add(e.textValue());
        }
        return out;
    }

    /** A string-to-string map; null when absent. */
    public Map<String, String> stringMap(String field) {
        ObjectNode o = object(field);
        if (o == null) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw bad(field + "." + e.getKey(), "expected a string");
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return out;
    }

    /** Keys of an object used as a set (ExposedPorts, Volumes); null when absent. */
    public List<String> keySet(String field) {
        ObjectNode o = object(field);
        if (o == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        o.fieldNames().forEachRemaining(out::add);
        return out;
    }

    /** The fields not read so far, in document order. */
    public ObjectNode rest() {
        ObjectNode out = Json.object();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!seen.contains(e.getKey())) {
                out.set(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    public Set<String> seen() {
        return Set.copyOf(seen);
    }

    public JsonFormatException bad(String field, String problem) {
        return new JsonFormatException(where + ": field '" + field + "': " + problem);
    }
}
