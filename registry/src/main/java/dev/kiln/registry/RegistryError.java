package dev.kiln.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.layout.KilnException;
import dev.kiln.layout.json.Json;
import dev.kiln.registry.auth.KnownSecrets;
import java.util.ArrayList;
import java.util.List;

/**
 * One entry of a registry's error body {@code {"errors":[{"code","message","detail"}]}}. Its text is
 * the registry's, so it is cleaned of control characters and every known secret ({@link #clean}).
 */
public record RegistryError(ErrorCode code, String rawCode, String message) {
    private static final int MAX_MESSAGE = 300;

    /** Parses an error body; anything that is not the spec's shape gives an empty list. */
    public static List<RegistryError> parseBody(byte[] body) {
        List<RegistryError> out = new ArrayList<>();
        if (body == null || body.length == 0 || body.length > 1 << 20) {
            return out;
        }
        ObjectNode root;
        try {
            root = Json.parseObject(body, "registry error body");
        } catch (KilnException e) {
            return out;
        }
        JsonNode errors = root.get("errors");
        if (errors == null || !errors.isArray()) {
            return out;
        }
        for (JsonNode e : errors) {
            if (!e.isObject()) {
                continue;
            }
            String raw = e.path("code").isTextual() ? e.path("code").textValue() : null;
            String message = e.path("message").isTextual() ? e.path("message").textValue() : null;
            JsonNode detail = e.get("detail");
            if (detail != null && !detail.isNull() && !detail.isMissingNode()) {
                String d = detail.isTextual() ? detail.textValue() : Json.toString(detail);
                if (!d.isBlank() && !"{}".equals(d) && !"null".equals(d)) {
                    message = message == null ? d : message + " (" + d + ")";
                }
            }
            out.add(new RegistryError(ErrorCode.parse(raw), raw, clean(message)));
        }
        return out;
    }

    static String clean(String s) {
        if (s == null) {
            return null;
        }
        StringBuilder b = new StringBuilder();
        for (char c : s.replaceAll("\\s+", " ").trim().toCharArray()) {
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        // redacted before it is cut, so that a cut cannot leave the start of a secret
        return KnownSecrets.redactAndCut(b.toString(), MAX_MESSAGE);
    }

    @Override
    public String toString() {
        String c = code == ErrorCode.UNRECOGNIZED && rawCode != null ? clean(rawCode) : code.name();
        return message == null || message.isEmpty() ? c : c + ": " + message;
    }
}
