package dev.kiln.layout.json;

import com.fasterxml.jackson.core.JsonParser;
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

    private static final ObjectMapper MAPPER = createMapper();
    private static final ObjectMapper PRETTY = MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {
    }

    private static ObjectMapper createMapper() {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_DEPTH)
                        .maxStringLength(MAX_DOCUMENT_BYTES)
                        .maxNumberLength(100)
                        .build())
                .build();
        ObjectMapper mapper = new ObjectMapper(factory);
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
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
        try {
            node = MAPPER.readTree(bytes);
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
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize JSON", e);
        }
    }

    /** Indented, for people. */
    public static String pretty(JsonNode node) {
        try {
            return PRETTY.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize JSON", e);
        }
    }

    public static String toString(JsonNode node) {
        return new String(write(node), StandardCharsets.UTF_8);
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    private static String oneLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        String line = s.replaceAll("\\s+", " ").trim();
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
