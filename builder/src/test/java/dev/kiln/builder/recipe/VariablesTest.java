package dev.kiln.builder.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VariablesTest {
    private final Variables v = new Variables('\\');
    private final Map<String, String> env = Map.of("A", "alpha", "E", "", "P", "/usr/local/bin/tool.tar.gz");

    private String x(String word) {
        return v.expand(word, env);
    }

    @Test
    void simpleAndBracedForms() {
        assertEquals("alpha", x("$A"));
        assertEquals("alpha-x", x("${A}-x"));
        assertEquals("alpha_x", x("${A}_x"));
        assertEquals("", x("$A_x"), "A_x is one (unset) name");
        assertEquals("", x("$UNSET"));
        assertEquals("$", x("$"));
        assertEquals("a$", x("a$"));
        assertEquals("$ b", x("$ b"));
    }

    @Test
    void defaultAndAlternativeWithAndWithoutColon() {
        assertEquals("def", x("${UNSET:-def}"));
        assertEquals("def", x("${E:-def}"), ":- treats empty as unset");
        assertEquals("", x("${E-def}"), "- only replaces unset");
        assertEquals("def", x("${UNSET-def}"));
        assertEquals("alpha", x("${A:-def}"));
        assertEquals("alt", x("${A:+alt}"));
        assertEquals("", x("${E:+alt}"));
        assertEquals("alt", x("${E+alt}"), "+ applies to set-but-empty");
        assertEquals("", x("${UNSET+alt}"));
        assertEquals("alpha/x", x("${UNSET:-$A/x}"), "defaults expand too");
    }

    @Test
    void requiredVariables() {
        assertEquals("alpha", x("${A:?}"));
        assertEquals("failed to process \"${UNSET:?must be set}\": UNSET: must be set",
                assertThrows(IllegalArgumentException.class, () -> x("${UNSET:?must be set}")).getMessage());
        assertEquals("failed to process \"${E:?}\": E: is not allowed to be empty",
                assertThrows(IllegalArgumentException.class, () -> x("${E:?}")).getMessage());
        assertEquals("", x("${E?}"));
        assertEquals("failed to process \"${UNSET?}\": UNSET: is not allowed to be unset",
                assertThrows(IllegalArgumentException.class, () -> x("${UNSET?}")).getMessage());
    }

    @Test
    void patternRemovalAndReplacement() {
        assertEquals("local/bin/tool.tar.gz", x("${P#/usr/}"));
        assertEquals("tool.tar.gz", x("${P##*/}"));
        assertEquals("/usr/local/bin/tool.tar", x("${P%.*}"));
        assertEquals("/usr/local/bin/tool", x("${P%%.*}"));
        assertEquals("Alpha", x("${A/a/A}"));
        assertEquals("AlphA", x("${A//a/A}"));
    }

    @Test
    void escapesAndQuotes() {
        assertEquals("$A", x("\\$A"));
        assertEquals("anb", x("a\\nb"), "outside quotes the escape is dropped");
        assertEquals("a\\nb", x("\"a\\nb\""), "inside double quotes only \" $ and \\ are escapable");
        assertEquals("say \"hi\" $A", x("\"say \\\"hi\\\" \\$A\""));
        assertEquals("$A literal", x("'$A literal'"));
        assertEquals("alpha and alpha", x("\"$A and ${A}\""));
        assertEquals("it's", x("it\\'s"));
        assertEquals("a  b", x("a  b"), "a single word keeps inner whitespace");
    }

    @Test
    void backtickEscapeToken() {
        Variables w = new Variables('`');
        assertEquals("$A", w.expand("`$A", env));
        assertEquals("\\alpha", w.expand("\\$A", env), "backslash is literal");
        assertEquals("C:\\dir", w.expand("C:\\dir", env));
    }

    @Test
    void wordsSplitAfterExpansionButNotInsideQuotes() {
        Map<String, String> ports = Map.of("PORTS", "80  443/udp");
        assertEquals(List.of("80", "443/udp"), v.expandWords("$PORTS", ports));
        assertEquals(List.of("80  443/udp"), v.expandWords("\"$PORTS\"", ports));
        assertEquals(List.of("a", "b c"), v.expandWords("a 'b c'", ports));
    }

    @Test
    void reportsUnsetNames() {
        assertEquals(Set.of("X", "Y"), v.process("$X ${Y:-d} $A", env).unset());
    }

    @Test
    void syntaxErrors() {
        assertEquals("failed to process \"${A\": syntax error: missing '}'",
                assertThrows(IllegalArgumentException.class, () -> x("${A")).getMessage());
        assertEquals("failed to process \"${}\": syntax error: bad substitution",
                assertThrows(IllegalArgumentException.class, () -> x("${}")).getMessage());
        assertEquals("failed to process \"${A!x}\": unsupported modifier (!) in substitution",
                assertThrows(IllegalArgumentException.class, () -> x("${A!x}")).getMessage());
        assertEquals("failed to process \"'abc\": unexpected end of statement while looking for matching single-quote",
                assertThrows(IllegalArgumentException.class, () -> x("'abc")).getMessage());
        assertEquals("failed to process \"\"abc\": unexpected end of statement while looking for matching double-quote",
                assertThrows(IllegalArgumentException.class, () -> x("\"abc")).getMessage());
    }
}
