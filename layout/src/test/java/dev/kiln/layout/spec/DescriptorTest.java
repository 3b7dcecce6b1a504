package dev.kiln.layout.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.json.Json;
import dev.kiln.layout.json.JsonFormatException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DescriptorTest {
    private static final Digest HELLO = Digest.sha256("hello");

    private static Descriptor parse(String json) {
        return Descriptor.fromJson(Json.parseObject(json.getBytes(StandardCharsets.UTF_8), "m.layers[0]"), "m.layers[0]");
    }

    @Test
    void refusesNegativeAndAbsurdSizes() {
        IllegalArgumentException neg = assertThrows(IllegalArgumentException.class,
                () -> new Descriptor(MediaTypes.OCI_LAYER, HELLO, -1));
        assertEquals("descriptor " + HELLO + ": negative size -1", neg.getMessage());
        IllegalArgumentException huge = assertThrows(IllegalArgumentException.class,
                () -> new Descriptor(MediaTypes.OCI_LAYER, HELLO, Descriptor.MAX_SIZE + 1));
        assertTrue(huge.getMessage().endsWith("is absurd (over 1 TiB)"), huge.getMessage());
        new Descriptor(MediaTypes.OCI_LAYER, HELLO, Descriptor.MAX_SIZE);
        JsonFormatException j = assertThrows(JsonFormatException.class, () -> parse(
                "{\"mediaType\":\"" + MediaTypes.OCI_LAYER + "\",\"digest\":\"" + HELLO + "\",\"size\":-5}"));
        assertEquals("m.layers[0]: descriptor " + HELLO + ": negative size -5", j.getMessage());
        assertThrows(JsonFormatException.class, () -> parse(
                "{\"mediaType\":\"" + MediaTypes.OCI_LAYER + "\",\"digest\":\"" + HELLO + "\",\"size\":1e3}"));
        assertThrows(JsonFormatException.class, () -> parse(
                "{\"mediaType\":\"" + MediaTypes.OCI_LAYER + "\",\"digest\":\"" + HELLO + "\",\"size\":99999999999999999999}"));
    }

    @Test
    void refusesMissingOrMalformedFields() {
        assertThrows(IllegalArgumentException.class, () -> new Descriptor(null, HELLO, 1));
        assertThrows(IllegalArgumentException.class, () -> new Descriptor("not a media type", HELLO, 1));
        assertThrows(IllegalArgumentException.class, () -> new Descriptor(MediaTypes.OCI_LAYER, null, 1));
        assertEquals("m.layers[0]: field 'size': missing", assertThrows(JsonFormatException.class, () -> parse(
                "{\"mediaType\":\"" + MediaTypes.OCI_LAYER + "\",\"digest\":\"" + HELLO + "\"}")).getMessage());
        JsonFormatException bad = assertThrows(JsonFormatException.class, () -> parse(
                "{\"mediaType\":\"" + MediaTypes.OCI_LAYER + "\",\"digest\":\"sha256:nothex\",\"size\":1}"));
        assertTrue(bad.getMessage().startsWith("m.layers[0]: field 'digest': invalid sha256 digest"), bad.getMessage());
    }

    @Test
    void embeddedDataMustMatchDigestAndSize() {
        String data = Base64.getEncoder().encodeToString("hello".getBytes(StandardCharsets.UTF_8));
        Descriptor d = new Descriptor(MediaTypes.OCI_EMPTY, HELLO, 5, null, null, null, null, data, null);
        assertEquals(data, d.data());
        assertEquals("descriptor " + HELLO + ": embedded data does not match digest and size",
                assertThrows(IllegalArgumentException.class, () -> new Descriptor(MediaTypes.OCI_EMPTY, HELLO, 6,
                        null, null, null, null, data, null)).getMessage());
        String other = Base64.getEncoder().encodeToString("jello".getBytes(StandardCharsets.UTF_8));
        assertThrows(IllegalArgumentException.class, () -> new Descriptor(MediaTypes.OCI_EMPTY, HELLO, 5,
                null, null, null, null, other, null));
        assertEquals("descriptor " + HELLO + ": data is not base64",
                assertThrows(IllegalArgumentException.class, () -> new Descriptor(MediaTypes.OCI_EMPTY, HELLO, 5,
                        null, null, null, null, "!!!", null)).getMessage());
    }

    @Test
    void copiesAndSortsAnnotationsAndDropsEmptyValues() {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("z", "1");
        a.put("a", "2");
        Descriptor d = new Descriptor(MediaTypes.OCI_LAYER, HELLO, 5, List.of(), a, null, "", null, null);
        a.put("b", "3");
        assertEquals(List.of("a", "z"), List.copyOf(d.annotations().keySet()));
        assertNull(d.urls());
        assertNull(d.artifactType());
        assertThrows(UnsupportedOperationException.class, () -> d.annotations().put("x", "y"));
        assertEquals(Map.of(), d.withAnnotations(null).annotationsOrEmpty());
        assertEquals("2", d.annotation("a"));
        assertNull(d.withAnnotation("a", null).annotation("a"));
        assertEquals(new Descriptor(MediaTypes.OCI_LAYER, HELLO, 5), d.bare());
    }

    @Test
    void jsonRoundTripKeepsUnknownFields() {
        String json = "{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + HELLO + "\",\"size\":5,"
                + "\"annotations\":{\"org.opencontainers.image.ref.name\":\"latest\"},"
                + "\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\"},"
                + "\"x-future\":{\"nested\":[1,2]}}";
        Descriptor d = parse(json);
        assertEquals(new Platform("linux", "arm64", "v8"), d.platform());
        assertEquals(json, Json.toString(d.toJson()));
        // the kept node is a copy: changing what a caller gets does not change the descriptor
        d.extra().put("x-future", "changed");
        assertEquals(json, Json.toString(d.toJson()));
    }
}
