package dev.kiln.layout.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.digest.InvalidDigestException;
import dev.kiln.layout.json.JsonFields;
import dev.kiln.layout.json.JsonFormatException;
import dev.kiln.layout.json.JsonWriter;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * An OCI content descriptor: what a blob is (media type), which bytes (digest, size), and optional
 * urls, annotations, platform, artifactType and embedded data. Unknown fields are kept.
 */
public record Descriptor(String mediaType, Digest digest, long size, List<String> urls,
                         Map<String, String> annotations, Platform platform, String artifactType, String data,
                         ObjectNode extra) {
    /** The largest blob kiln accepts in a descriptor (1 TiB): bigger sizes are hostile or broken. */
    public static final long MAX_SIZE = 1L << 40;
    private static final Pattern MEDIA_TYPE = Pattern.compile(
            "[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}");

    public Descriptor {
        if (mediaType == null || mediaType.isEmpty()) {
            throw new IllegalArgumentException("descriptor: mediaType is missing");
        }
        if (!MEDIA_TYPE.matcher(mediaType).matches()) {
            throw new IllegalArgumentException("descriptor: invalid mediaType '" + mediaType + "'");
        }
        if (digest == null) {
            throw new IllegalArgumentException("descriptor: digest is missing");
        }
        if (size < 0) {
            throw new IllegalArgumentException("descriptor " + digest + ": negative size " + size);
        }
        if (size > MAX_SIZE) {
            throw new IllegalArgumentException("descriptor " + digest + ": size " + size + " is absurd (over 1 TiB)");
        }
        urls = urls == null || urls.isEmpty() ? null : List.copyOf(urls);
        annotations = annotations == null || annotations.isEmpty() ? null
                : Collections.unmodifiableMap(new TreeMap<>(annotations));
        if (artifactType != null && artifactType.isEmpty()) {
            artifactType = null;
        }
        if (data != null) {
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(data);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("descriptor " + digest + ": data is not base64");
            }
            if (bytes.length != size || !digest.matches(bytes)) {
                throw new IllegalArgumentException("descriptor " + digest + ": embedded data does not match digest and size");
            }
        }
        extra = extra == null || extra.isEmpty() ? null : extra.deepCopy();
    }

    /** True for a media type of RFC 6838's form ({@code type/subtype}, restricted names), as descriptors need. */
    public static boolean isMediaType(String s) {
        return s != null && MEDIA_TYPE.matcher(s).matches();
    }

    public Descriptor(String mediaType, Digest digest, long size) {
        this(mediaType, digest, size, null, null, null, null, null, null);
    }

    @Override
    public ObjectNode extra() {
        return extra == null ? null : extra.deepCopy();
    }

    public Map<String, String> annotationsOrEmpty() {
        return annotations == null ? Map.of() : annotations;
    }

    public String annotation(String key) {
        return annotations == null ? null : annotations.get(key);
    }

    public Descriptor withMediaType(String type) {
        return new Descriptor(type, digest, size, urls, annotations, platform, artifactType, data, extra);
    }

    public Descriptor withPlatform(Platform p) {
        return new Descriptor(mediaType, digest, size, urls, annotations, p, artifactType, data, extra);
    }

    public Descriptor withAnnotations(Map<String, String> a) {
        return new Descriptor(mediaType, digest, size, urls, a, platform, artifactType, data, extra);
    }

    public Descriptor withAnnotation(String key, String value) {
        Map<String, String> a = new LinkedHashMap<>(annotationsOrEmpty());
        if (value == null) {
            a.remove(key);
        } else {
            a.put(key, value);
        }
        return withAnnotations(a);
    }

    public Descriptor withUrls(List<String> u) {
        return new Descriptor(mediaType, digest, size, u, annotations, platform, artifactType, data, extra);
    }

    /** The descriptor without annotations, platform or data: what identifies the content. */
    public Descriptor bare() {
        return new Descriptor(mediaType, digest, size);
    }

    public static Descriptor fromJson(JsonNode node, String where) {
        JsonFields f = new JsonFields(node, where);
        String mediaType = f.requiredString("mediaType");
        Digest digest;
        try {
            digest = Digest.parse(f.requiredString("digest"));
        } catch (InvalidDigestException e) {
            throw f.bad("digest", e.getMessage());
        }
        Long size = f.longValue("size");
        if (size == null) {
            throw f.bad("size", "missing");
        }
        List<String> urls = f.strings("urls");
        Map<String, String> annotations = f.stringMap("annotations");
        JsonNode p = f.raw("platform");
        Platform platform = p == null ? null : Platform.fromJson(p, f.where("platform"));
        String artifactType = f.string("artifactType");
        String data = f.string("data");
        try {
            return new Descriptor(mediaType, digest, size, urls, annotations, platform, artifactType, data, f.rest());
        } catch (IllegalArgumentException e) {
            throw new JsonFormatException(where + ": " + e.getMessage());
        }
    }

    public ObjectNode toJson() {
        return new JsonWriter()
                .put("mediaType", mediaType)
                .put("digest", digest.toString())
                .put("size", size)
                .strings("urls", urls)
                .stringMap("annotations", annotations)
                .put("data", data)
                .put("platform", platform == null ? null : platform.toJson())
                .put("artifactType", artifactType)
                .rest(extra)
                .build();
    }
}
