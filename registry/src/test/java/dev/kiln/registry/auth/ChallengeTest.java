package dev.kiln.registry.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChallengeTest {
    @Test
    void bearerWithSeveralParameters() {
        List<Challenge> cs = Challenge.parse("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/alpine:pull\"");
        assertEquals(1, cs.size());
        Challenge c = cs.get(0);
        assertTrue(c.isBearer());
        assertEquals("https://auth.docker.io/token", c.realm());
        assertEquals("registry.docker.io", c.service());
        assertEquals(List.of("repository:library/alpine:pull"), c.scopes());
    }

    @Test
    void quotedCommasAndEscapesStayInTheirValue() {
        Challenge c = Challenge.parse("Bearer realm=\"https://r.example/token?a=1,b=2\", scope=\"repository:a/b:pull,push repository:c:pull\", error=\"say \\\"hi\\\"\"").get(0);
        assertEquals("https://r.example/token?a=1,b=2", c.realm());
        assertEquals(List.of("repository:a/b:pull,push", "repository:c:pull"), c.scopes());
        assertEquals("say \"hi\"", c.param("error"));
    }

    @Test
    void severalChallengesInOneHeaderAndAcrossHeaders() {
        List<Challenge> cs = Challenge.parse("Basic realm=\"registry, with comma\", Bearer realm=\"https://t/token\",service=s");
        assertEquals(2, cs.size());
        assertTrue(cs.get(0).isBasic());
        assertEquals("registry, with comma", cs.get(0).realm());
        assertTrue(cs.get(1).isBearer());
        assertEquals("s", cs.get(1).service());
        assertEquals(3, Challenge.parseAll(List.of("Basic realm=x", "Bearer realm=\"y\", Negotiate")).size());
    }

    @Test
    void schemesAndParameterNamesAreCaseInsensitiveAndSpacesAreTolerated() {
        Challenge c = Challenge.parse("  bEaReR   REALM = \"https://t/token\" ,  Service=\"svc\"  ").get(0);
        assertTrue(c.isBearer());
        assertEquals("https://t/token", c.realm());
        assertEquals("svc", c.service());
    }

    @Test
    void unquotedUrlsAndBareSchemes() {
        Challenge c = Challenge.parse("Bearer realm=https://t.example:8443/token,service=registry").get(0);
        assertEquals("https://t.example:8443/token", c.realm());
        assertEquals("registry", c.service());
        List<Challenge> bare = Challenge.parse("Basic");
        assertEquals(1, bare.size());
        assertTrue(bare.get(0).params().isEmpty());
        assertTrue(Challenge.parse("").isEmpty());
        assertTrue(Challenge.parse(null).isEmpty());
    }

    @Test
    void token68() {
        Challenge c = Challenge.parse("Negotiate abc123==").get(0);
        assertEquals("Negotiate", c.scheme());
        assertEquals("abc123==", c.param("token68"));
    }
}
