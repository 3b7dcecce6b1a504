package dev.kiln.layout.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.layout.json.Json;
import dev.kiln.layout.json.JsonFormatException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PlatformTest {
    @ParameterizedTest
    @CsvSource({
        "linux/amd64,        linux/amd64",
        "linux/x86_64,       linux/amd64",
        "Linux/X86_64,       linux/amd64",
        "linux/x86-64,       linux/amd64",
        "linux/amd64/v1,     linux/amd64",
        "linux/amd64/v3,     linux/amd64/v3",
        "linux/aarch64,      linux/arm64",
        "linux/arm64/v8,     linux/arm64/v8",
        "linux/arm64/8,      linux/arm64/v8",
        "linux/armhf,        linux/arm/v7",
        "linux/armel,        linux/arm/v6",
        "linux/arm/7,        linux/arm/v7",
        "linux/arm/v6,       linux/arm/v6",
        "linux/i686,         linux/386",
        "linux/ppc64le,      linux/ppc64le",
        "linux/s390x,        linux/s390x",
        "linux/riscv64,      linux/riscv64",
        "macos/arm64,        darwin/arm64",
        "windows/amd64,      windows/amd64",
        "' linux/arm64 ',    linux/arm64",
    })
    void parsesAndNormalizes(String text, String printed) {
        assertEquals(printed, Platform.parse(text).toString());
        assertEquals(Platform.parse(printed), Platform.parse(text));
    }

    @Test
    void parsesWindowsOsVersionInContainerdForm() {
        Platform p = Platform.parse("windows(10.0.17763.5576)/amd64");
        assertEquals("windows", p.os());
        assertEquals("amd64", p.architecture());
        assertEquals("10.0.17763.5576", p.osVersion());
        assertEquals("windows/amd64", p.toString());
        assertEquals("windows(10.0.17763.5576)/amd64", p.toLongString());
        assertEquals(p, Platform.parse(p.toLongString()));
        assertEquals("{\"architecture\":\"amd64\",\"os\":\"windows\",\"os.version\":\"10.0.17763.5576\"}",
                Json.toString(p.toJson()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"linux", "linux/", "/amd64", "linux/amd64/v8/extra", "linux/sparc", "linux/m68k",
        "plan10/amd64", "linux/arm/v9", "linux/amd 64", "windows(10.0/amd64", "windows(a b)/amd64", ""})
    void refusesUnknownOrMalformedPlatforms(String text) {
        assertThrows(IllegalArgumentException.class, () -> Platform.parse(text));
    }

    @Test
    void unknownArchitectureMessageListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Platform.parse("linux/sparc"));
        assertTrue(e.getMessage().startsWith("unknown architecture 'sparc' in platform 'linux/sparc' (known: amd64, arm64,"),
                e.getMessage());
    }

    @Test
    void arm64RequestMatchesVariantV8OrNone() {
        Platform request = Platform.parse("linux/arm64");
        assertTrue(request.matches(new Platform("linux", "arm64", "v8")));
        assertTrue(request.matches(new Platform("linux", "arm64", null)));
        assertTrue(Platform.parse("linux/arm64/v8").matches(new Platform("linux", "arm64", null)));
        assertFalse(request.matches(new Platform("linux", "arm64", "v9")));
        assertFalse(request.matches(new Platform("linux", "amd64", null)));
        assertFalse(request.matches(new Platform("windows", "arm64", null)));
        assertFalse(request.matches(null));
        assertTrue(Platform.parse("linux/aarch64").matches(new Platform("linux", "aarch64", null)));
    }

    @Test
    void armVariantsMustBeEqualAfterDefaults() {
        Platform v7 = Platform.parse("linux/arm/v7");
        assertTrue(v7.matches(new Platform("linux", "arm", null)));
        assertTrue(Platform.parse("linux/armhf").matches(new Platform("linux", "arm", "v7")));
        assertFalse(v7.matches(new Platform("linux", "arm", "v6")));
        assertFalse(v7.matches(new Platform("linux", "arm", "v99")), "a malformed candidate never matches");
        assertFalse(new Platform("linux", "arm", "v99").matches(v7), "nor does a malformed request (it used to throw)");
    }

    @Test
    void windowsRequestWithOsVersionMatchesTheSameBuild() {
        Platform request = Platform.parse("windows(10.0.17763.5576)/amd64");
        Platform sameBuild = new Platform("windows", "amd64", null).withOsVersion("10.0.17763.6000");
        Platform otherBuild = new Platform("windows", "amd64", null).withOsVersion("10.0.20348.2227");
        assertTrue(request.matches(sameBuild));
        assertFalse(request.matches(otherBuild));
        assertFalse(request.matches(new Platform("windows", "amd64", null)));
        assertTrue(Platform.parse("windows/amd64").matches(otherBuild), "no os.version requested: any build");
        assertTrue(sameBuild.sameAs(sameBuild));
        assertFalse(sameBuild.sameAs(otherBuild));
    }

    @Test
    void effectiveVariantAndTagSuffix() {
        assertEquals("v8", new Platform("linux", "arm64", null).effectiveVariant());
        assertEquals("v7", new Platform("linux", "arm", null).effectiveVariant());
        assertNull(new Platform("linux", "amd64", null).effectiveVariant());
        assertEquals("linux-arm-v7", Platform.parse("linux/armhf").toTagSuffix());
    }

    @Test
    void jsonRoundTripKeepsOsFeaturesAndUnknownFields() {
        String json = "{\"architecture\":\"amd64\",\"os\":\"windows\",\"os.version\":\"10.0.17763.5576\","
                + "\"os.features\":[\"win32k\"],\"x-custom\":1}";
        Platform p = Platform.fromJson(Json.parseObject(json.getBytes(), "p"), "p");
        assertEquals(List.of("win32k"), p.osFeatures());
        assertEquals(json, Json.toString(p.toJson()));
    }

    @Test
    void jsonWithoutArchitectureIsRefusedWithTheField() {
        JsonFormatException e = assertThrows(JsonFormatException.class,
                () -> Platform.fromJson(Json.parseObject("{\"os\":\"linux\"}".getBytes(), "index.json.manifests[0].platform"),
                        "index.json.manifests[0].platform"));
        assertEquals("index.json.manifests[0].platform: field 'architecture': missing", e.getMessage());
    }
}
