package dev.kiln.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.URI;
import org.junit.jupiter.api.Test;

class RedactionTest {
    @Test
    void urlsKeepHarmlessParametersOnly() {
        assertEquals("https://r.example/v2/a/blobs/uploads/u?_state=REDACTED&digest=sha256:ab",
                Redaction.url(URI.create("https://r.example/v2/a/blobs/uploads/u?_state=SECRETSTATE&digest=sha256:ab")));
        assertEquals("https://s3.example/b/k?X-Amz-Signature=REDACTED&X-Amz-Credential=REDACTED",
                Redaction.url(URI.create("https://s3.example/b/k?X-Amz-Signature=sig&X-Amz-Credential=cred")));
        assertEquals("https://REDACTED@r.example/v2/", Redaction.url(URI.create("https://user:pw@r.example/v2/")));
        assertEquals("http://r/v2/a/blobs/uploads/?mount=sha256:ab&from=b",
                Redaction.url(URI.create("http://r/v2/a/blobs/uploads/?mount=sha256:ab&from=b")));
    }

    @Test
    void secretHeadersKeepTheirSchemeOnly() {
        assertEquals("Authorization: Bearer REDACTED", Redaction.header("Authorization", "Bearer eyJhbGciOi.secret"));
        assertEquals("authorization: Basic REDACTED", Redaction.header("authorization", "Basic YWxpY2U6c2VjcmV0"));
        assertEquals("Cookie: REDACTED", Redaction.header("Cookie", "session=abc"));
        assertEquals("Location: /v2/x?_state=REDACTED", Redaction.header("Location", "/v2/x?_state=abc"));
        assertEquals("Range: 0-99", Redaction.header("Range", "0-99"));
        assertFalse(Redaction.header("Proxy-Authorization", "Basic c2VjcmV0").contains("c2VjcmV0"));
    }
}
