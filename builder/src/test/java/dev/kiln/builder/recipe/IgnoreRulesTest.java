package dev.kiln.builder.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class IgnoreRulesTest {
    private static boolean excluded(IgnoreRules rules, String path) {
        return rules.isExcluded(path, false);
    }

    @Test
    void dockerDocumentationExample() {
        IgnoreRules rules = IgnoreRules.parse("# comment\n*/temp*\n*/*/temp*\ntemp?\n");
        assertTrue(excluded(rules, "somedir/temporary.txt"));
        assertTrue(excluded(rules, "somedir/temp"));
        assertFalse(excluded(rules, "temporary.txt"), "*/temp* needs one directory level");
        assertTrue(excluded(rules, "somedir/subdir/temp.txt"));
        assertTrue(excluded(rules, "tempa"));
        assertFalse(excluded(rules, "tempab"));
        assertFalse(excluded(rules, "# comment"));
    }

    @Test
    void exceptionsReincludeAndTheLastMatchingRuleWins() {
        IgnoreRules rules = IgnoreRules.parse("*.md\n!README*.md\nREADME-secret.md\n");
        assertTrue(excluded(rules, "CHANGELOG.md"));
        assertFalse(excluded(rules, "README.md"));
        assertFalse(excluded(rules, "README-public.md"));
        assertTrue(excluded(rules, "README-secret.md"));
        assertFalse(excluded(rules, "docs/guide.md"), "patterns are anchored at the root");
        assertTrue(rules.hasExceptions());
    }

    @Test
    void doubleStarMatchesAnyNumberOfDirectories() {
        IgnoreRules rules = IgnoreRules.parse("**/*.go\n**/node_modules\nlogs/**\n");
        assertTrue(excluded(rules, "main.go"));
        assertTrue(excluded(rules, "cmd/app/main.go"));
        assertTrue(excluded(rules, "node_modules"));
        assertTrue(excluded(rules, "web/node_modules/react/index.js"));
        assertTrue(excluded(rules, "logs/2024/app.log"));
        assertFalse(excluded(rules, "logs"), "logs/** matches below logs, not logs itself");
        assertFalse(excluded(rules, "logsx/a"));
        assertFalse(excluded(rules, "main.golden"));
    }

    @Test
    void aDirectoryPatternExcludesItsContentsAndPatternsAreCleaned() {
        for (String pattern : List.of("build", "/build", "./build", "build/", "build/./", "x/../build")) {
            IgnoreRules rules = IgnoreRules.parse(pattern + "\n");
            assertEquals(List.of("build"), rules.patterns(), pattern);
            assertTrue(excluded(rules, "build"), pattern);
            assertTrue(excluded(rules, "build/out/app.jar"), pattern);
            assertTrue(excluded(rules, "./build/../build/out"), pattern);
            assertFalse(excluded(rules, "src/build"), pattern);
            assertFalse(excluded(rules, "builds"), pattern);
        }
    }

    @Test
    void whitespaceAndComments() {
        IgnoreRules rules = IgnoreRules.parse("  secret.txt  \n # not a comment\n\n#real comment\n!  keep\n");
        assertEquals(List.of("secret.txt", "# not a comment", "!keep"), rules.patterns());
        assertTrue(excluded(rules, "secret.txt"));
        assertTrue(excluded(rules, "# not a comment"));
    }

    @Test
    void characterClassesAndEscapes() {
        IgnoreRules rules = IgnoreRules.parse("[a-c].txt\n[^x]y.log\n\\*.bak\nfile?.[0-9]\n");
        assertTrue(excluded(rules, "b.txt"));
        assertFalse(excluded(rules, "d.txt"));
        assertTrue(excluded(rules, "zy.log"));
        assertFalse(excluded(rules, "xy.log"));
        assertTrue(excluded(rules, "*.bak"));
        assertFalse(excluded(rules, "a.bak"));
        assertTrue(excluded(rules, "file1.7"));
        assertFalse(excluded(rules, "file1.x"));
    }

    @Test
    void excludedDirectoryWithReincludedFile() {
        IgnoreRules rules = IgnoreRules.parse("docs\n!docs/keep.txt\nnode_modules\n");
        assertTrue(excluded(rules, "docs"));
        assertTrue(excluded(rules, "docs/other.txt"));
        assertFalse(excluded(rules, "docs/keep.txt"));
        assertFalse(rules.canSkipDirectory("docs"), "an exception may re-include something below it");
        assertTrue(rules.canSkipDirectory("node_modules"));
        assertTrue(rules.canSkipDirectory("node_modules/lib"));
        assertFalse(rules.canSkipDirectory("src"), "not excluded at all");
    }

    @Test
    void canSkipDirectoryConsidersWildcardsInExceptions() {
        IgnoreRules rules = IgnoreRules.parse("vendor\ntmp\n!vendor/*/LICENSE\n!docs/*.md\n");
        assertFalse(rules.canSkipDirectory("vendor"));
        assertFalse(rules.canSkipDirectory("vendor/lib"));
        assertTrue(rules.canSkipDirectory("tmp"), "no exception could match below tmp");
        assertFalse(excluded(rules, "vendor/lib/LICENSE"));
        assertTrue(excluded(rules, "vendor/lib/code.go"));
        assertFalse(IgnoreRules.parse("cache\n!**/important\n").canSkipDirectory("cache"));
    }

    @Test
    void everythingButSomeFiles() {
        IgnoreRules rules = IgnoreRules.parse("*\n!src\nsrc/tmp\n!Dockerfile\n");
        assertTrue(excluded(rules, "README.md"));
        assertFalse(excluded(rules, "Dockerfile"));
        assertFalse(excluded(rules, "src/main.c"));
        assertTrue(excluded(rules, "src/tmp/x.o"));
        assertFalse(excluded(rules, "."), "the root itself is never excluded");
    }

    @Test
    void noRules() {
        assertFalse(excluded(IgnoreRules.none(), "anything"));
        assertFalse(excluded(IgnoreRules.parse("\n# only comments\n"), "anything"));
        assertFalse(IgnoreRules.none().canSkipDirectory("x"));
    }

    @Test
    void malformedPatternsNameTheLine() {
        assertEquals(".dockerignore:2: syntax error in pattern: [a",
                assertThrows(RecipeException.class, () -> IgnoreRules.parse("ok\n[a\n")).getMessage());
        assertEquals("ctx/.dockerignore:3: illegal exclusion pattern: \"!\"",
                assertThrows(RecipeException.class, () -> IgnoreRules.parse("ctx/.dockerignore", "a\n\n!\n"))
                        .getMessage());
        assertEquals(".dockerignore:1: syntax error in pattern: trailing\\",
                assertThrows(RecipeException.class, () -> IgnoreRules.parse("trailing\\\n")).getMessage());
        assertEquals(".dockerignore:1: syntax error in pattern: []a]",
                assertThrows(RecipeException.class, () -> IgnoreRules.parse("[]a]\n")).getMessage());
    }
}
