package dev.kiln.builder.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;

/** Shared helpers for the recipe tests. */
final class RecipeTesting {
    static final Map<String, String> AMD64 = Map.of(
            "TARGETPLATFORM", "linux/amd64", "TARGETOS", "linux", "TARGETARCH", "amd64", "TARGETVARIANT", "",
            "BUILDPLATFORM", "linux/arm64", "BUILDOS", "linux", "BUILDARCH", "arm64", "BUILDVARIANT", "");

    private RecipeTesting() {
    }

    static Recipe parse(String text) {
        return RecipeParser.parse("Dockerfile", text, Map.of(), AMD64);
    }

    static Recipe parse(String text, Map<String, String> buildArgs) {
        return RecipeParser.parse("Dockerfile", text, buildArgs, AMD64);
    }

    /** The only instruction of the last stage, cast. */
    static <T extends Instruction> T only(String text, Class<T> type) {
        Recipe recipe = parse(text);
        assertEquals(1, recipe.lastStage().instructions().size(), "instructions");
        return assertInstanceOf(type, recipe.lastStage().instructions().get(0));
    }

    /** The error message of parsing {@code text}, which must fail. */
    static String error(String text) {
        return assertThrows(RecipeException.class, () -> parse(text)).getMessage();
    }
}
