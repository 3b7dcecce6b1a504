package dev.kiln.builder.recipe;

import static dev.kiln.builder.recipe.RecipeTesting.error;
import static dev.kiln.builder.recipe.RecipeTesting.only;
import static dev.kiln.builder.recipe.RecipeTesting.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class RecipeLinesTest {
    @Test
    void continuationJoinsLinesKeepingLeadingWhitespaceOfLaterLines() {
        Instruction.Label label = only("FROM scratch\nLABEL a=1 \\\n    b=2\n", Instruction.Label.class);
        assertEquals(List.of("a", "b"), List.copyOf(label.labels().keySet()));
        assertEquals("LABEL a=1     b=2", label.text());
        assertEquals(2, label.line());
    }

    @Test
    void continuationTokenMayBeFollowedBySpacesAndTabs() {
        Instruction.Workdir w = only("FROM scratch\nWORKDIR /a\\ \t\n/b\n", Instruction.Workdir.class);
        assertEquals("/a/b", w.path());
    }

    @Test
    void commentAndBlankLinesInsideContinuationAreDropped() {
        Instruction.Cmd cmd = only("FROM scratch\nCMD echo c\\\n# a comment\n   # indented comment\n\nd\n",
                Instruction.Cmd.class);
        assertEquals(List.of("echo cd"), cmd.command().arguments());
        assertEquals(2, cmd.line());
    }

    @Test
    void escapedEscapeAtEndOfLineIsNotAContinuation() {
        Recipe r = parse("FROM scratch\nCMD echo \\\\\nUSER bob\n");
        assertEquals(2, r.lastStage().instructions().size());
        assertEquals(List.of("echo \\\\"),
                ((Instruction.Cmd) r.lastStage().instructions().get(0)).command().arguments());
    }

    @Test
    void commentsAndBlankLinesAreSkippedAndLineNumbersKept() {
        Recipe r = parse("# header\n\nFROM scratch\n  # indented comment\nUSER bob # not a comment\n");
        Instruction.User user = assertInstanceOf(Instruction.User.class, r.lastStage().instructions().get(0));
        assertEquals("bob # not a comment", user.user());
        assertEquals(5, user.line());
        assertEquals(3, r.lastStage().line());
    }

    @Test
    void crlfAndByteOrderMarkAreAccepted() {
        Recipe r = parse("\uFEFFFROM scratch\r\nUSER a\\\r\nb\r\n");
        assertEquals("ab", ((Instruction.User) r.lastStage().instructions().get(0)).user());
        assertEquals("scratch", r.lastStage().base());
    }

    @Test
    void continuationAtEndOfFileEndsTheInstruction() {
        assertEquals("/x", only("FROM scratch\nWORKDIR /x\\", Instruction.Workdir.class).path());
    }

    @Test
    void instructionKeywordsAreCaseInsensitive() {
        Recipe r = parse("from scratch AS Base\nworkdir /w\nCopy a b\n");
        assertEquals("base", r.lastStage().name());
        assertEquals(2, r.lastStage().instructions().size());
    }

    @Test
    void escapeDirectiveWithBacktickForWindowsRecipes() {
        Recipe r = parse("# escape=`\nFROM mcr.microsoft.com/windows/nanoserver\n"
                + "COPY testfile.txt c:\\ \n"
                + "WORKDIR c:\\app\\dir `\n  sub\n");
        assertEquals('`', r.escapeToken());
        Instruction.Copy copy = assertInstanceOf(Instruction.Copy.class, r.lastStage().instructions().get(0));
        assertEquals("c:\\", copy.destination());
        Instruction.Workdir w = assertInstanceOf(Instruction.Workdir.class, r.lastStage().instructions().get(1));
        assertEquals("c:\\app\\dir   sub", w.path());
        assertEquals(4, w.line());
    }

    @Test
    void backslashIsLiteralWithBacktickEscape() {
        Recipe r = parse("# escape=`\nFROM scratch\nENV P=\"C:\\Program Files\\x\" Q=a`$b\n");
        Instruction.Env env = assertInstanceOf(Instruction.Env.class, r.lastStage().instructions().get(0));
        assertEquals("C:\\Program Files\\x", env.variables().get("P"));
        assertEquals("a$b", env.variables().get("Q"));
    }

    @Test
    void directivesAreCaseInsensitiveAllowSpacesAndSyntaxIsRecorded() {
        Recipe r = parse("  #  SYNTAX = docker/dockerfile:1\n# Escape =  `\nFROM scratch\n");
        assertEquals("docker/dockerfile:1", r.syntax());
        assertEquals('`', r.escapeToken());
    }

    @Test
    void unknownDirectiveEndsTheDirectiveSectionAndLaterEscapeIsRefused() {
        assertEquals("Dockerfile:2: the escape directive must come before any instruction, comment or blank line;"
                + " here it would be an ordinary comment", error("# foo=bar\n# escape=`\nFROM scratch\n"));
    }

    @Test
    void escapeDirectiveAfterBlankLineOrInstructionIsRefused() {
        assertEquals("Dockerfile:2: the escape directive must come before any instruction, comment or blank line;"
                + " here it would be an ordinary comment", error("\n# escape=`\nFROM scratch\n"));
        assertEquals("Dockerfile:3: the escape directive must come before any instruction, comment or blank line;"
                + " here it would be an ordinary comment", error("FROM scratch\n\n# escape=\\\n"));
    }

    @Test
    void badEscapeTokenAndRepeatedDirectiveAreErrors() {
        assertEquals("Dockerfile:1: invalid escape token 'x' does not match ` or \\", error("# escape=x\nFROM a\n"));
        assertEquals("Dockerfile:2: only one escape parser directive can be used",
                error("# escape=`\n# escape=`\nFROM a\n"));
    }

    @Test
    void syntaxDirectiveLaterIsJustAComment() {
        Recipe r = parse("FROM scratch\n# syntax=whatever\n");
        assertNull(r.syntax());
    }
}
