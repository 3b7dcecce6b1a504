package dev.kiln.builder.recipe;

import static dev.kiln.builder.recipe.RecipeTesting.error;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every error names the file and the line where the offending instruction starts. */
class RecipeErrorsTest {
    private static final String FROM = "FROM scratch\n";

    @Test
    void runIsRefusedBeforeAnythingIsBuilt() {
        RecipeException e = assertThrows(RecipeException.class, () -> RecipeParser.parse("app/Dockerfile",
                "FROM alpine\nCOPY . /src\n\nRUN apk add \\\n    curl\n", Map.of(), Map.of()));
        assertEquals("app/Dockerfile:4: RUN needs a container; kiln runs nothing \u2014 copy prebuilt files with COPY"
                + " instead", e.getMessage());
        assertEquals("app/Dockerfile", e.file());
        assertEquals(4, e.line());
        assertFalse(e.getMessage().contains("\n"));
        assertEquals("Dockerfile:2: RUN needs a container; kiln runs nothing \u2014 copy prebuilt files with COPY"
                + " instead", error(FROM + "run [\"make\"]\n"));
    }

    @Test
    void unknownInstructions() {
        assertEquals("Dockerfile:3: unknown instruction: COPPY (did you mean COPY?)", error(FROM + "\nCOPPY a b\n"));
        assertEquals("Dockerfile:2: unknown instruction: FROBNICATE", error(FROM + "frobnicate\n"));
    }

    @Test
    void onlyArgBeforeFromAndAtLeastOneFrom() {
        assertEquals("Dockerfile:2: ENV before the first FROM: only ARG may come before FROM (no build stage in"
                + " current context)", error("ARG A=1\nENV B=2\nFROM scratch\n"));
        assertEquals("Dockerfile:1: the recipe has no FROM instruction, so no stage to build", error("ARG A=1\n"));
        assertEquals("Dockerfile:1: the recipe is empty", error("\n  \n"));
        assertEquals("Dockerfile:1: the recipe has no instructions, only comments", error("# nothing\n"));
    }

    @Test
    void badChmod() {
        assertEquals("Dockerfile:2: invalid chmod parameter: '64a'. it should be octal string and between 0 and 07777",
                error(FROM + "COPY --chmod=64a foo /\n"));
        assertEquals("Dockerfile:3: invalid chmod parameter: '10000'. it should be octal string and between 0 and"
                + " 07777", error(FROM + "ARG M=10000\nADD --chmod=$M foo /\n"));
        // symbolic modes are valid since Dockerfile 1.14 (ChmodTest); a bad one is a syntax error
        assertEquals("Dockerfile:2: invalid chmod parameter: 'u+q': invalid syntax", error(FROM + "COPY --chmod=u+q foo /\n"));
        assertEquals("Dockerfile:2: invalid chmod parameter: 'x': invalid syntax", error(FROM + "COPY --chmod=x foo /\n"));
    }

    @Test
    void missingArguments() {
        assertEquals("Dockerfile:2: COPY requires at least two arguments, but only one was provided. Destination"
                + " could not be determined.", error(FROM + "COPY onlyone\n"));
        assertEquals("Dockerfile:2: WORKDIR requires exactly one argument", error(FROM + "WORKDIR\n"));
        assertEquals("Dockerfile:2: ENV must have two arguments", error(FROM + "ENV ONLY\n"));
        assertEquals("Dockerfile:2: ENV requires at least one argument", error(FROM + "ENV\n"));
        assertEquals("Dockerfile:2: LABEL requires at least one argument", error(FROM + "LABEL\n"));
        assertEquals("Dockerfile:2: ARG requires at least one argument", error(FROM + "ARG\n"));
        assertEquals("Dockerfile:2: EXPOSE requires at least one argument", error(FROM + "EXPOSE\n"));
        assertEquals("Dockerfile:2: VOLUME requires at least one argument", error(FROM + "VOLUME []\n"));
        assertEquals("Dockerfile:1: FROM requires either one or three arguments", error("FROM\n"));
        assertEquals("Dockerfile:1: FROM requires either one or three arguments", error("FROM a b\n"));
        assertEquals("Dockerfile:2: Missing command after HEALTHCHECK CMD", error(FROM + "HEALTHCHECK CMD\n"));
        assertEquals("Dockerfile:2: SHELL requires at least one argument", error(FROM + "SHELL []\n"));
        assertEquals("Dockerfile:2: ONBUILD requires at least one argument", error(FROM + "ONBUILD\n"));
    }

    @Test
    void unterminatedQuotes() {
        assertEquals("Dockerfile:2: failed to process \"\"unterminated\": unexpected end of statement while looking"
                + " for matching double-quote", error(FROM + "ENV A=\"unterminated\n"));
        assertEquals("Dockerfile:3: failed to process \"'x\": unexpected end of statement while looking for matching"
                + " single-quote", error(FROM + "\nLABEL a='x\n"));
        assertEquals("Dockerfile:2: failed to process \"\"a\": unexpected end of statement while looking for matching"
                + " double-quote", error(FROM + "COPY \"a b\" /x\n"));
    }

    @Test
    void badSubstitution() {
        assertEquals("Dockerfile:2: failed to process \"${A\": syntax error: missing '}'", error(FROM + "WORKDIR ${A\n"));
        assertEquals("Dockerfile:1: failed to process \"${}\": syntax error: bad substitution", error("FROM ${}\n"));
    }

    @Test
    void escapeDirectivePlacement() {
        assertEquals("Dockerfile:3: the escape directive must come before any instruction, comment or blank line;"
                + " here it would be an ordinary comment", error("# copyright\n\n# escape=`\nFROM scratch\n"));
    }

    @Test
    void flags() {
        assertEquals("Dockerfile:2: unknown flag: foo", error(FROM + "COPY --foo=1 a b\n"));
        assertEquals("Dockerfile:2: unknown flag: from", error(FROM + "ADD --from=x a b\n"));
        assertEquals("Dockerfile:2: duplicate flag specified: chown", error(FROM + "COPY --chown=a --chown=b a b\n"));
        assertEquals("Dockerfile:2: missing a value on flag: chown", error(FROM + "COPY --chown a b\n"));
        assertEquals("Dockerfile:2: expecting boolean value for flag link, not: maybe", error(FROM + "COPY --link=maybe a b\n"));
        assertEquals("Dockerfile:2: unknown flag: help", error(FROM + "CMD --help\n"));
        assertEquals("Dockerfile:1: unknown flag: plat", error("FROM --plat=linux/amd64 scratch\n"));
    }

    @Test
    void copyFromMustBeLiteralAndSomeFlagsAreRefused() {
        assertEquals("Dockerfile:3: variable expansion is not supported for --from, define a new stage with FROM"
                + " using ARG from global scope as a workaround", error(FROM + "ARG S=build\nCOPY --from=$S a b\n"));
        assertEquals("Dockerfile:2: COPY --parents is not supported by kiln; list the sources explicitly or use a"
                + " .dockerignore", error(FROM + "COPY --parents a/./b /x\n"));
        assertEquals("Dockerfile:2: ADD --exclude is not supported by kiln; list the sources explicitly or use a"
                + " .dockerignore", error(FROM + "ADD --exclude=*.md . /x\n"));
        assertEquals("Dockerfile:2: COPY with a heredoc (<<EOF) is not supported by kiln; put the content in a file"
                + " and copy that", error(FROM + "COPY <<EOF /etc/motd\nhello\nEOF\n"));
    }

    @Test
    void jsonAndShellForms() {
        assertEquals("Dockerfile:2: when using JSON array syntax, arrays must be comprised of strings only",
                error(FROM + "CMD [\"a\", 1]\n"));
        assertEquals("Dockerfile:2: SHELL requires the arguments to be in JSON form", error(FROM + "SHELL bash -c\n"));
    }

    @Test
    void envAndLabelSyntax() {
        assertEquals("Dockerfile:2: Syntax error - can't find = in \"b\". Must be of the form: name=value",
                error(FROM + "ENV a=1 b\n"));
        assertEquals("Dockerfile:2: ENV names can not be blank", error(FROM + "ENV =x\n"));
        assertEquals("Dockerfile:2: ARG names can not be blank", error(FROM + "ARG =x\n"));
    }

    @Test
    void healthcheckOptions() {
        assertEquals("Dockerfile:2: time: unknown unit \"x\" in duration \"5x\"",
                error(FROM + "HEALTHCHECK --interval=5x CMD true\n"));
        assertEquals("Dockerfile:2: time: missing unit in duration \"5\"", error(FROM + "HEALTHCHECK --timeout=5 CMD true\n"));
        assertEquals("Dockerfile:2: Interval \"interval\" cannot be less than 1ms",
                error(FROM + "HEALTHCHECK --interval=10us CMD true\n"));
        assertEquals("Dockerfile:2: --retries cannot be negative (-1)", error(FROM + "HEALTHCHECK --retries=-1 CMD true\n"));
        assertEquals("Dockerfile:2: HEALTHCHECK NONE takes no arguments", error(FROM + "HEALTHCHECK NONE true\n"));
        assertEquals("Dockerfile:2: Unknown type \"TEST\" in HEALTHCHECK (try CMD)", error(FROM + "HEALTHCHECK TEST true\n"));
    }

    @Test
    void exposeAndStopsignalValues() {
        assertEquals("Dockerfile:2: invalid proto: icmp", error(FROM + "EXPOSE 80/icmp\n"));
        assertEquals("Dockerfile:2: invalid containerPort: 90-80", error(FROM + "EXPOSE 90-80\n"));
        assertEquals("Dockerfile:2: invalid containerPort: 70000", error(FROM + "EXPOSE 70000\n"));
        assertEquals("Dockerfile:2: invalid signal: SIGFOO", error(FROM + "STOPSIGNAL SIGFOO\n"));
        assertEquals("Dockerfile:2: invalid signal: 0", error(FROM + "STOPSIGNAL 0\n"));
    }

    @Test
    void onbuildTriggers() {
        assertEquals("Dockerfile:2: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
                error(FROM + "ONBUILD ONBUILD COPY a b\n"));
        assertEquals("Dockerfile:2: FROM isn't allowed as an ONBUILD trigger", error(FROM + "ONBUILD from alpine\n"));
    }

    @Test
    void fromLine() {
        assertEquals("Dockerfile:1: invalid name for build stage: \"1st\", name can't start with a number or contain"
                + " symbols", error("FROM alpine AS 1st\n"));
        assertEquals("Dockerfile:2: base name ($NOPE) should not be blank", error("ARG X\nFROM $NOPE\n"));
        assertEquals("Dockerfile:1: empty platform value from expression $NOPE", error("FROM --platform=$NOPE alpine\n"));
    }
}
