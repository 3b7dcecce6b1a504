package dev.kiln.layout.json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Json reads and writes trees with jackson-core's streaming API (no ObjectMapper at start-up):
 * the trees and bytes must be those the data-binding mapper gives.
 */
class JsonStreamingTest {
    private static final List<String> DOCUMENTS = List.of(
            "{}",
            "{\"a\":[]}",
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"size\":7023,"
                    + "\"digest\":\"sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7\"},"
                    + "\"layers\":[{\"size\":32654},{\"size\":16724}],\"annotations\":{\"k\":\"v\"}}",
            "{\"big\":123456789012345678901234567890,\"neg\":-1,\"zero\":0,\"f\":1.5,\"e\":1e3,\"t\":true,\"n\":null,\"x\":false}",
            "{\"s\":\"tab\\t nl\\n quote\\\" back\\\\ ctl\\u0001 slash\\/ \u00e9 \u4e2d \\ud83d\\ude00\"}",
            "{\"deep\":[[[{\"a\":[1,[2,[3]]]}]]],\"empty\":{},\"list\":[null,true,\"\",0.25]}",
            "  {\"spaces\" : [ 1 , 2 ] }  \n");

    @Test
    void treesAndBytesAreTheMappersOwn() throws Exception {
        for (String doc : DOCUMENTS) {
            byte[] bytes = doc.getBytes(StandardCharsets.UTF_8);
            ObjectNode ours = Json.parseObject(bytes, "doc");
            JsonNode theirs = Json.mapper().readTree(bytes);
            assertEquals(theirs, ours, doc);
            assertEquals(classes(theirs), classes(ours), doc);
            assertArrayEquals(Json.mapper().writeValueAsBytes(theirs), Json.write(ours), doc);
        }
    }

    private static List<String> classes(JsonNode n) {
        List<String> out = new java.util.ArrayList<>();
        out.add(n.getClass().getSimpleName());
        n.forEach(child -> out.addAll(classes(child)));
        return out;
    }

    @Test
    void refusesWhatTheMapperRefused() {
        for (String bad : List.of("", "   ", "[1,2]", "\"s\"", "{\"a\":1} {}", "{\"a\":1,\"a\":2}", "{\"a\":", "{\"a\":[1,",
                "{\"a\":1]", "{\"n\":" + "9".repeat(101) + "}", "[".repeat(65) + "]".repeat(65), "{\"a\":tru}")) {
            JsonFormatException e = assertThrows(JsonFormatException.class,
                    () -> Json.parseObject(bad.getBytes(StandardCharsets.UTF_8), "doc"), bad);
            assertTrue(e.getMessage().startsWith("doc: "), e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        }
        String deep = "{\"a\":" + "[".repeat(63) + "]".repeat(63) + "}";
        Json.parseObject(deep.getBytes(StandardCharsets.UTF_8), "doc"); // 64 levels: the limit, allowed
    }
}
