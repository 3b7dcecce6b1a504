package dev.kiln.layout.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The one JSON mapper of kiln. Documents are handled as trees so that field order is stable and
 * unknown fields survive a read and write. Limits protect against hostile input: documents over
 * {@link #MAX_DOCUMENT_BYTES} (registries' 4 MiB manifest limit), deeper than
 * {@link #MAX_DEPTH}, or with duplicate keys are refused.
 */
public final class Json {
    public static final int MAX_DOCUMENT_BYTES = 4 * 1024 * 1024;
    public static final int MAX_DEPTH = 64;

    /** Reads and writes documents: jackson-core's streaming, which is all a tree needs. */
    private static final JsonFactory FACTORY = createFactory();

    private Json() {
    }

    /**
     * The data-binding mapper, made on first use: building an ObjectMapper sets up its date format
     * and with it the JDK's locale data, ~50 ms of every kiln command's start-up when done eagerly.
     */
    private static final class Mappers {
        static final ObjectMapper MAPPER = createMapper();
        static final ObjectMapper PRETTY = MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT);
    }

    private static JsonFactory createFactory() {
        return JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_DEPTH)
                        .maxStringLength(MAX_DOCUMENT_BYTES)
                        .maxNumberLength(100)
                        .build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
    }

    private static ObjectMapper createMapper() {
        ObjectMapper mapper = new ObjectMapper(createFactory());
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);
        return mapper;
    }

    public static JsonNodeFactory nodes() {
        return JsonNodeFactory.instance;
    }

    public static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    public static ArrayNode array() {
        return JsonNodeFactory.instance.arrayNode();
    }

    /** Parses one JSON object; {@code what} names the document in the error message. */
    public static ObjectNode parseObject(byte[] bytes, String what) {
        if (bytes.length > MAX_DOCUMENT_BYTES) {
            throw new JsonFormatException(what + ": " + bytes.length + " bytes is over the " + MAX_DOCUMENT_BYTES + "-byte limit for a JSON document");
        }
        JsonNode node;
        try (JsonParser p = FACTORY.createParser(bytes)) {
            JsonToken first = p.nextToken();
            node = first == null ? null : read(p, first);
            JsonToken extra = first == null ? null : p.nextToken();
            if (extra != null) {
                throw new JsonFormatException(what + ": invalid JSON: trailing token (" + extra + ") after the document");
            }
        } catch (JsonProcessingException e) {
            throw new JsonFormatException(what + ": invalid JSON: " + oneLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new JsonFormatException(what + ": invalid JSON: " + oneLine(e.getMessage()));
        }
        if (node == null || !node.isObject()) {
            throw new JsonFormatException(what + ": expected a JSON object");
        }
        return (ObjectNode) node;
    }

    /**
     * The value starting at {@code token}, as the mapper reads a tree with
     * USE_BIG_INTEGER_FOR_INTS: integers as BigIntegerNode, other numbers as DoubleNode. Depth is
     * bounded by the parser's nesting limit.
     */
    private static JsonNode read(JsonParser p, JsonToken token) throws IOException {
        JsonNodeFactory f = JsonNodeFactory.instance;
        switch (token) {
            case START_OBJECT -> {
                ObjectNode o = f.objectNode();
                for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                    o.set(name, read(p, p.nextToken()));
                }
                return o;
            }
            case START_ARRAY -> {
                ArrayNode a = f.arrayNode();
                for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                    if (t == null) {
                        throw new JsonParseException(p, "unexpected end of input in an array");
                    }
                    a.add(read(p, t));
                }
                return a;
            }
            case VALUE_STRING -> {
                return f.textNode(p.getText());
            }
            case VALUE_NUMBER_INT -> {
                return f.numberNode(p.getBigIntegerValue());
            }
            case VALUE_NUMBER_FLOAT -> {
                return f.numberNode(p.getDoubleValue());
            }
            case VALUE_TRUE -> {
                return f.booleanNode(true);
            }
            case VALUE_FALSE -> {
                return f.booleanNode(false);
            }
            case VALUE_NULL -> {
                return f.nullNode();
            }
            default -> throw new JsonParseException(p, "unexpected " + token);
        }
    }

    /** Reads at most {@link #MAX_DOCUMENT_BYTES} (+1 to detect more) from a stream. */
    public static byte[] readLimited(InputStream in, String what) throws IOException {
        byte[] bytes = in.readNBytes(MAX_DOCUMENT_BYTES + 1);
        if (bytes.length > MAX_DOCUMENT_BYTES) {
            throw new JsonFormatException(what + ": over the " + MAX_DOCUMENT_BYTES + "-byte limit for a JSON document");
        }
        return bytes;
    }

    /** Compact canonical bytes (field order as built, no whitespace). */
    public static byte[] write(JsonNode node) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(512);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            if (!write(g, node)) {
                return Mappers.MAPPER.writeValueAsBytes(node); // a POJO node: the mapper knows how
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialize JSON", e);
        }
        return out.toByteArray();
    }

    /** Writes a tree as the mapper does with its default features; false at a POJO or missing node. */
    private static boolean write(JsonGenerator g, JsonNode n) throws IOException {
        switch (n.getNodeType()) {
            case OBJECT -> {
                g.writeStartObject();
                for (java.util.Map.Entry<String, JsonNode> e : n.properties()) {
                    g.writeFieldName(e.getKey());
                    if (!write(g, e.getValue())) {
                        return false;
                    }
                }
                g.writeEndObject();
            }
            case ARRAY -> {
                g.writeStartArray();
                for (JsonNode child : n) {
                    if (!write(g, child)) {
                        return false;
                    }
                }
                g.writeEndArray();
            }
            case STRING -> g.writeString(n.textValue());
            case NUMBER -> {
                switch (n.numberType()) {
                    case INT -> g.writeNumber(n.intValue());
                    case LONG -> g.writeNumber(n.longValue());
                    case BIG_INTEGER -> g.writeNumber(n.bigIntegerValue());
                    case FLOAT -> g.writeNumber(n.floatValue());
                    case DOUBLE -> g.writeNumber(n.doubleValue());
                    default -> g.writeNumber(n.decimalValue());
                }
            }
            case BOOLEAN -> g.writeBoolean(n.booleanValue());
            case NULL -> g.writeNull();
            case BINARY -> g.writeBinary(n.binaryValue());
            default -> {
                return false;
            }
        }
        return true;
    }

    /** Indented, for people. */
    public static String pretty(JsonNode node) {
        try {
            return Mappers.PRETTY.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize JSON", e);
        }
    }

    public static String toString(JsonNode node) {
        return new String(write(node), StandardCharsets.UTF_8);
    }

    public static ObjectMapper mapper() {
        return Mappers.MAPPER;
    }

    private static String oneLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        String line = s.replaceAll("\\s+", " ").trim();
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
