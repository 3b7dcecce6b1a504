package dev.kiln.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import org.junit.jupiter.api.Test;

class LocationsTest {
    static final URI REQUEST = URI.create("https://reg.example:5000/v2/team/app/blobs/uploads/");

    @Test
    void absolutePathsResolveAgainstTheRegistry() {
        assertEquals(URI.create("https://reg.example:5000/v2/team/app/blobs/uploads/abc?_state=x%2By"),
                Locations.resolve(REQUEST, "/v2/team/app/blobs/uploads/abc?_state=x%2By"));
    }

    @Test
    void relativeReferencesResolveAgainstTheRequest() {
        assertEquals(URI.create("https://reg.example:5000/v2/team/app/blobs/uploads/abc"), Locations.resolve(REQUEST, "abc"));
        assertEquals(URI.create("https://reg.example:5000/v2/team/app/blobs/other"), Locations.resolve(REQUEST, "../other"));
        assertEquals(URI.create("https://reg.example:5000/v2/team/app/blobs/uploads/?x=1"), Locations.resolve(REQUEST, "?x=1"));
    }

    @Test
    void absoluteUrlsMayPointAtAnotherHost() {
        URI storage = Locations.resolve(REQUEST, "https://storage.example/bucket/uuid?X-Amz-Signature=abc&upload=1");
        assertEquals("storage.example", storage.getHost());
        assertEquals(URI.create("http://127.0.0.1:9999/v2/x"), Locations.resolve(REQUEST, "http://127.0.0.1:9999/v2/x"));
        assertEquals(URI.create("//cdn.example/x").getHost(), Locations.resolve(REQUEST, "//cdn.example/x").getHost());
        assertEquals("https", Locations.resolve(REQUEST, "//cdn.example/x").getScheme());
    }

    @Test
    void sloppyCharactersAreEscapedAndOtherSchemesRefused() {
        assertEquals("/v2/a b", Locations.resolve(REQUEST, "/v2/a b").getPath());
        assertThrows(IllegalArgumentException.class, () -> Locations.resolve(REQUEST, "file:///etc/passwd"));
        assertThrows(IllegalArgumentException.class, () -> Locations.resolve(REQUEST, " "));
    }

    @Test
    void queryParametersAreAppended() {
        assertEquals(URI.create("http://h/u?_state=s&digest=sha256:ab"),
                Locations.withQuery(URI.create("http://h/u?_state=s"), "digest", "sha256:ab"));
        assertEquals(URI.create("http://h/u?digest=sha256:ab"), Locations.withQuery(URI.create("http://h/u"), "digest", "sha256:ab"));
        assertEquals(URI.create("http://h/u?digest=d"), Locations.withQuery(URI.create("http://h/u?"), "digest", "d"));
    }
}
