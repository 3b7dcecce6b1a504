package dev.kiln.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import org.junit.jupiter.api.Test;

/**
 * In URLs shown in debug output, every query value is hidden unless its parameter is one of the
 * harmless ones (digest, mount, from, n, last, service, scope: any case), including a value whose
 * parameter has no name at all; parameters keep their order and separators.
 */
class QueryParameterRedactionTest {
    static String shown(String url) {
        return Redaction.url(URI.create(url));
    }

    @Test
    void aValueWithAnEmptyParameterNameIsHidden() {
        assertEquals("https://r/v2/u?=REDACTED", shown("https://r/v2/u?=SECRETSTATE"));
        assertEquals("https://r/v2/u?digest=sha256:ab&=REDACTED", shown("https://r/v2/u?digest=sha256:ab&=SECRETSTATE"));
        assertEquals("https://r/v2/u?=REDACTED&digest=sha256:ab", shown("https://r/v2/u?=SECRETSTATE&digest=sha256:ab"));
    }

    @Test
    void harmlessParametersAreShownInAnyCaseAndOthersHidden() {
        assertEquals("https://r/v2/a/tags/list?N=10&Last=v1&upload=REDACTED&SCOPE=repository:a:pull",
                shown("https://r/v2/a/tags/list?N=10&Last=v1&upload=abc&SCOPE=repository:a:pull"));
        assertEquals("https://r/token?service=reg&account=REDACTED", shown("https://r/token?service=reg&account=alice"));
    }

    @Test
    void anEmptyValueIsStillHiddenAndEmptyQueriesAreDropped() {
        assertEquals("https://r/x?_state=REDACTED", shown("https://r/x?_state="));
        assertEquals("https://r/x", shown("https://r/x?"));
        assertEquals("https://r/x", shown("https://r/x"));
    }

    @Test
    void relativeLocationsAndNoUrlAtAll() {
        assertEquals("/v2/a/blobs/uploads/1?_state=REDACTED", shown("/v2/a/blobs/uploads/1?_state=s"));
        assertEquals("", Redaction.url(null));
    }

    @Test
    void aLocationThatIsNoUrlIsNotEchoed() {
        assertEquals("Location: (unparseable)", Redaction.header("Location", "http://bad host/?_state=SECRET"));
    }

    @Test
    void userInfoIsHiddenButTheHostKept() {
        assertEquals("https://REDACTED@r.example:5000/v2/", shown("https://a%40b:p%40ss@r.example:5000/v2/"));
    }
}
