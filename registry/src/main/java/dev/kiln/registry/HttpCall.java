package dev.kiln.registry;

import dev.kiln.layout.json.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/** One request to send. */
final class HttpCall {
    final String method;
    final URI uri;
    final String what;
    final Map<String, String> headers = new LinkedHashMap<>();
    String repository;
    Set<String> scopes = Set.of();
    byte[] body;
    int offset;
    int length;
    Supplier<HttpRequest.BodyPublisher> publisher;
    Duration timeout;
    boolean repeatable;
    boolean stream;
    boolean authenticate = true;
    /** Bytes of a 2xx body read into memory: a GET's document (a manifest), else none (the body is discarded unread). */
    int maxBody;

    HttpCall(String method, URI uri, String what) {
        this.method = method;
        this.uri = uri;
        this.what = what;
        this.maxBody = method.equals("GET") ? Json.MAX_DOCUMENT_BYTES : 0;
        this.repeatable = method.equals("GET") || method.equals("HEAD") || method.equals("PUT") || method.equals("DELETE");
    }

    HttpCall header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    HttpCall body(byte[] bytes, int off, int len) {
        this.body = bytes;
        this.offset = off;
        this.length = len;
        return this;
    }

    /** A body streamed by a publisher; the supplier is asked again when the request must be sent again (a 401). */
    HttpCall body(Supplier<HttpRequest.BodyPublisher> bodies) {
        this.publisher = bodies;
        return this;
    }

    /** A time limit for this request instead of the options' request timeout (a long streamed body). */
    HttpCall timeout(Duration limit) {
        this.timeout = limit;
        return this;
    }

    HttpCall repository(String repo, Set<String> neededScopes) {
        this.repository = repo;
        this.scopes = neededScopes;
        return this;
    }

    HttpCall repeatable(boolean value) {
        this.repeatable = value;
        return this;
    }

    HttpCall stream() {
        this.stream = true;
        return this;
    }

    /** The 2xx body is not needed (a ping, an upload status): it is discarded unread. */
    HttpCall noBody() {
        this.maxBody = 0;
        return this;
    }

    HttpCall anonymous() {
        this.authenticate = false;
        return this;
    }
}
