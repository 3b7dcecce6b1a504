package dev.kiln.builder.recipe;

import static dev.kiln.builder.recipe.RecipeTesting.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MultiStageTest {
    private static final String RECIPE = """
            # syntax=docker/dockerfile:1
            ARG GO=1.22
            FROM --platform=linux/amd64 golang:${GO} AS Build
            WORKDIR /src
            COPY . .

            FROM build AS test
            COPY --from=build /src/out /out

            FROM gcr.io/distroless/static
            COPY --from=0 /src/app /app
            COPY --from=TEST /out /out
            COPY --from=nginx:latest /etc/nginx/nginx.conf /etc/nginx/
            ENTRYPOINT ["/app"]
            """;

    @Test
    void stagesHaveIndexNameBasePlatformAndInstructions() {
        Recipe r = parse(RECIPE);
        assertEquals(3, r.stages().size());
        Stage build = r.stages().get(0);
        assertEquals(0, build.index());
        assertEquals("build", build.name());
        assertEquals("golang:1.22", build.base());
        assertEquals("linux/amd64", build.platform());
        assertEquals(3, build.line());
        assertEquals(2, build.instructions().size());
        Stage last = r.lastStage();
        assertNull(last.name());
        assertNull(last.platform());
        assertEquals("gcr.io/distroless/static", last.base());
        assertEquals(4, last.instructions().size());
        assertEquals("docker/dockerfile:1", r.syntax());
    }

    @Test
    void copyFromIsRecordedAsGivenAndResolvedByNameOrIndex() {
        Recipe r = parse(RECIPE);
        List<String> froms = r.lastStage().instructions().stream()
                .filter(Instruction.Copy.class::isInstance).map(i -> ((Instruction.Copy) i).from()).toList();
        assertEquals(List.of("0", "TEST", "nginx:latest"), froms);
        assertEquals(0, r.stage("0").orElseThrow().index());
        assertEquals(1, r.stage("TEST").orElseThrow().index());
        assertTrue(r.stage("nginx:latest").isEmpty());
        assertTrue(r.stage("3").isEmpty());
    }

    @Test
    void fromAnEarlierStageNamesItsBase() {
        Recipe r = parse(RECIPE);
        assertEquals(0, r.baseStage(r.stages().get(1)).orElseThrow().index());
        assertTrue(r.baseStage(r.stages().get(0)).isEmpty());
        assertTrue(r.baseStage(r.lastStage()).isEmpty());
    }

    @Test
    void duplicateNamesBindLikeBuildKit() {
        Recipe r = parse("FROM a AS x\nFROM b AS x\nFROM x\nCOPY --from=x / /\n");
        assertEquals(1, r.baseStage(r.stages().get(2)).orElseThrow().index(), "FROM binds the latest earlier one");
        assertEquals(1, r.stage("x").orElseThrow().index(), "--from binds the last one");
        Instruction.Copy c = assertInstanceOf(Instruction.Copy.class, r.lastStage().instructions().get(0));
        assertEquals("x", c.from());
    }
}
