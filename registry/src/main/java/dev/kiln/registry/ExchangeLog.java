package dev.kiln.registry;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What {@code --debug} shows of a request and its answer: headers with secret values replaced
 * ({@link Redaction#header}), a few answer headers that explain what happened, the registry's error
 * codes, and the start of an error body that is not error JSON (an HTML page, a proxy's text), cleaned
 * and cut. The transport redacts every known secret from the whole line as well.
 */
final class ExchangeLog {
    private static final List<String> ANSWER_HEADERS = List.of("Location", "Range", "Docker-Content-Digest",
            "Content-Length", "Content-Type", "OCI-Chunk-Min-Length", "Retry-After", "WWW-Authenticate", "Docker-Upload-UUID");
    /** Bytes of an error body decoded for the log (the line shows at most what {@link RegistryError#clean} keeps). */
    private static final int BODY_BYTES = 4096;

    private ExchangeLog() {
    }

    static String request(HttpRequest r) {
        StringBuilder b = new StringBuilder();
        r.headers().map().forEach((k, vs) -> {
            if (!k.equalsIgnoreCase("User-Agent")) {
                vs.forEach(v -> b.append(" [").append(Redaction.header(k, v)).append(']'));
            }
        });
        r.bodyPublisher().ifPresent(p -> {
            if (p.contentLength() > 0) {
                b.append(" [").append(p.contentLength()).append(" bytes]");
            }
        });
        return b.toString();
    }

    static String response(HttpAnswer r) {
        StringBuilder b = new StringBuilder();
        for (String name : ANSWER_HEADERS) {
            r.headers().allValues(name).forEach(v -> b.append(" [").append(Redaction.header(name, v)).append(']'));
        }
        if (r.ok() || r.body() == null || r.body().length == 0) {
            return b.toString();
        }
        List<RegistryError> errors = r.errors();
        if (!errors.isEmpty()) {
            return b.append(' ').append(errors).toString();
        }
        String text = new String(r.body(), 0, Math.min(r.body().length, BODY_BYTES), StandardCharsets.UTF_8);
        return b.append(" [body: ").append(RegistryError.clean(text)).append(']').toString();
    }
}
