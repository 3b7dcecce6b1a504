package dev.kiln.builder.recipe;

import static dev.kiln.builder.recipe.RecipeTesting.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ArgScopingTest {
    private static <T extends Instruction> T at(Recipe r, int stage, int index, Class<T> type) {
        return assertInstanceOf(type, r.stages().get(stage).instructions().get(index));
    }

    @Test
    void globalArgsExpandInFromOnly() {
        Recipe r = parse("ARG BASE=alpine\nARG TAG=3.20\nFROM ${BASE}:${TAG} AS app\nWORKDIR /$BASE\n");
        assertEquals("alpine:3.20", r.lastStage().base());
        assertEquals("/", at(r, 0, 0, Instruction.Workdir.class).path(), "not visible without ARG BASE");
        assertEquals(Map.of("BASE", "alpine", "TAG", "3.20"), r.globalArgs());
    }

    @Test
    void redeclaredGlobalArgTakesTheGlobalValue() {
        Recipe r = parse("ARG V=1.2\nFROM scratch\nARG V\nWORKDIR /opt/$V\n", Map.of("V", "2.0"));
        assertEquals(Map.of("V", "2.0"), at(r, 0, 0, Instruction.Arg.class).values());
        assertEquals("/opt/2.0", at(r, 0, 1, Instruction.Workdir.class).path());
    }

    @Test
    void buildArgsOverrideDefaultsAndGlobalDefaultsSeeEarlierGlobals() {
        Recipe r = parse("ARG REG=docker.io\nARG IMG=$REG/library/busybox\nFROM $IMG\nARG X=default\n"
                + "ARG Y\nENV X=$X Y=${Y:-unset}\n", Map.of("X", "given"));
        assertEquals("docker.io/library/busybox", r.lastStage().base());
        Map<String, String> values = new HashMap<>();
        values.put("Y", null);
        assertEquals(values, at(r, 0, 1, Instruction.Arg.class).values());
        assertEquals(Map.of("X", "given", "Y", "unset"), at(r, 0, 2, Instruction.Env.class).variables());
        assertEquals(Set.of(), r.unusedBuildArgs());
    }

    @Test
    void buildArgOverridesGlobalAndDefaultIsNotEvaluatedThen() {
        Recipe r = parse("ARG REQUIRED=\"${NOPE:?must be given}\"\nFROM busybox:$REQUIRED\n", Map.of("REQUIRED", "1.36"));
        assertEquals("busybox:1.36", r.lastStage().base());
        assertEquals("Dockerfile:1: failed to process \"\"${NOPE:?must be given}\"\": NOPE: must be given",
                assertThrows(RecipeException.class, () -> parse("ARG R=\"${NOPE:?must be given}\"\nFROM x\n"))
                        .getMessage());
    }

    @Test
    void platformArgsAreGlobalAndNeedDeclaringInAStage() {
        Recipe r = parse("FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nARG TARGETARCH\nARG TARGETOS\n"
                + "COPY bin/${TARGETOS}-${TARGETARCH}/app /app\n"
                + "FROM alpine\nCOPY bin/${TARGETARCH}/app /app\n");
        assertEquals("linux/arm64", r.stages().get(0).platform());
        assertEquals(List.of("bin/linux-amd64/app"), at(r, 0, 2, Instruction.Copy.class).sources());
        assertEquals(List.of("bin//app"), at(r, 1, 0, Instruction.Copy.class).sources(),
                "TARGETARCH is not visible in a stage that does not declare it");
    }

    @Test
    void buildArgOverridesAPlatformArg() {
        Recipe r = parse("FROM img-$TARGETARCH\nARG TARGETARCH\nWORKDIR /$TARGETARCH\n", Map.of("TARGETARCH", "riscv64"));
        assertEquals("img-riscv64", r.lastStage().base());
        assertEquals("/riscv64", at(r, 0, 1, Instruction.Workdir.class).path());
        assertEquals(Set.of(), r.unusedBuildArgs());
    }

    @Test
    void envAfterArgWinsAndArgAfterEnvWinsAsInBuildKit() {
        Recipe r = parse("FROM scratch\nARG V=from-arg\nENV V=from-env\nWORKDIR /$V\nARG V=arg-again\nUSER $V\n",
                Map.of());
        assertEquals("/from-env", at(r, 0, 2, Instruction.Workdir.class).path());
        assertEquals("arg-again", at(r, 0, 4, Instruction.User.class).user());
    }

    @Test
    void argsAreEvaluatedInOrderWithinOneInstruction() {
        Recipe r = parse("FROM scratch\nARG A=1 B=${A}2\nWORKDIR /$B\n");
        assertEquals("/12", at(r, 0, 1, Instruction.Workdir.class).path());
    }

    @Test
    void theBaseEnvironmentComesFromTheBuilder() {
        Recipe r = parse("FROM debian\nENV PATH=/opt/app/bin:$PATH\nVOLUME $DATA\nEXPOSE ${PORT}/udp\n");
        Instruction.Env env = at(r, 0, 0, Instruction.Env.class);
        assertEquals("/opt/app/bin:", env.variables().get("PATH"), "parse time knows no image environment");
        assertEquals(List.of(), at(r, 0, 1, Instruction.Volume.class).paths(), "deferred: DATA may come from the image");

        Recipe.ExpandedStage s = r.expand(r.lastStage(), Map.of("PATH", "/usr/bin:/bin", "DATA", "/data", "PORT", "53"));
        assertEquals("/opt/app/bin:/usr/bin:/bin", ((Instruction.Env) s.instructions().get(0)).variables().get("PATH"));
        assertEquals(List.of("/data"), ((Instruction.Volume) s.instructions().get(1)).paths());
        assertEquals(List.of("53/udp"), ((Instruction.Expose) s.instructions().get(2)).ports());
        assertEquals("/opt/app/bin:/usr/bin:/bin", s.variables().get("PATH"));

        RecipeException e = assertThrows(RecipeException.class, () -> r.expand(r.lastStage(), Map.of()));
        assertEquals("Dockerfile:3: VOLUME specified can not be an empty string", e.getMessage());
    }

    @Test
    void childStagesStartFromTheParentStageVariables() {
        Recipe r = parse("FROM alpine AS base\nARG VERSION=1.0\nENV HOME_DIR=/home/app\n"
                + "FROM base\nWORKDIR $HOME_DIR/$VERSION\n");
        assertEquals("/home/app/1.0", at(r, 1, 0, Instruction.Workdir.class).path());
        Recipe.ExpandedStage parent = r.expand(r.stages().get(0), Map.of());
        Recipe.ExpandedStage child = r.expand(r.stages().get(1), parent.variables());
        assertEquals("/home/app/1.0", ((Instruction.Workdir) child.instructions().get(0)).path());
    }

    @Test
    void unusedBuildArgsAreReported() {
        Recipe r = parse("ARG A\nFROM scratch\nARG B\n", Map.of("A", "1", "B", "2", "C", "3"));
        assertEquals(Set.of("C"), r.unusedBuildArgs());
        assertNull(parse("ARG A\nFROM scratch\n").globalArgs().get("A"));
    }
}
