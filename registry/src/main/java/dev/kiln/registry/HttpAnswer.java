package dev.kiln.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.util.List;
import java.util.Optional;

/** An answer: the body read (bounded) unless a 2xx of a streaming call, whose stream the caller closes. */
record HttpAnswer(int status, HttpHeaders headers, URI uri, byte[] body, InputStream stream) {
    Optional<String> header(String name) {
        return headers.firstValue(name);
    }

    List<RegistryError> errors() {
        return RegistryError.parseBody(body);
    }

    boolean ok() {
        return status >= 200 && status < 300;
    }

    void discard() {
        if (stream != null) {
            try {
                stream.close();
            } catch (IOException e) {
                // nothing to save
            }
        }
    }
}
