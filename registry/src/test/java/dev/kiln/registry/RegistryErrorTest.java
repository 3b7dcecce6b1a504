package dev.kiln.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RegistryErrorTest {
    static List<RegistryError> parse(String s) {
        return RegistryError.parseBody(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void errorsWithCodesMessagesAndDetails() {
        List<RegistryError> errors = parse("""
                {"errors":[{"code":"MANIFEST_INVALID","message":"manifest invalid","detail":{"reason":"bad url"}},
                           {"code":"denied","message":"requested access to the resource is denied"},
                           {"code":"SOMETHING_NEW","message":"multi\\nline"}]}""");
        assertEquals(3, errors.size());
        assertEquals(ErrorCode.MANIFEST_INVALID, errors.get(0).code());
        assertEquals("MANIFEST_INVALID: manifest invalid ({\"reason\":\"bad url\"})", errors.get(0).toString());
        assertEquals(ErrorCode.DENIED, errors.get(1).code());
        assertEquals(ErrorCode.UNRECOGNIZED, errors.get(2).code());
        assertEquals("SOMETHING_NEW: multi line", errors.get(2).toString());
    }

    @Test
    void bodiesThatAreNotTheSpecsShapeGiveNothing() {
        assertTrue(parse("").isEmpty());
        assertTrue(parse("<html>bad gateway</html>").isEmpty());
        assertTrue(parse("{\"errors\":\"no\"}").isEmpty());
        assertTrue(parse("{\"message\":\"x\"}").isEmpty());
        assertTrue(RegistryError.parseBody(null).isEmpty());
    }

    @Test
    void exceptionsCarryTheCodeOrOneImpliedByTheStatus() {
        RegistryException e = new RegistryException("x\ny", 400, parse("{\"errors\":[{\"code\":\"DIGEST_INVALID\"}]}"), null);
        assertEquals(ErrorCode.DIGEST_INVALID, e.code());
        assertEquals("x y", e.getMessage(), "one line");
        assertEquals(ErrorCode.TOOMANYREQUESTS, new RegistryException("m", 429, List.of(), null).code());
        assertTrue(new RegistryException("m", 401, List.of(), null).has(ErrorCode.UNAUTHORIZED));
    }
}
