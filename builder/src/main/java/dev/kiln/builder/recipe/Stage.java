package dev.kiln.builder.recipe;

import java.util.List;
import java.util.Objects;

/**
 * One build stage: its 0-based index, its FROM line (base image or earlier stage name, expanded
 * with the global ARGs; {@code --platform}; {@code AS name}) and its instructions.
 *
 * <p>The instructions are expanded as if the base had no environment variables of its own. The
 * builder, which knows the base image's {@code Env}, gets the final values from
 * {@link Recipe#expand(Stage, java.util.Map)}.
 */
public record Stage(int index, Instruction.From from, List<Instruction> instructions) {
    public Stage {
        Objects.requireNonNull(from, "from");
        instructions = List.copyOf(instructions);
    }

    /** The stage name (lower case), or null for an unnamed stage. */
    public String name() {
        return from.stageName();
    }

    /** The base: an image reference, {@code scratch}, or the name of an earlier stage. */
    public String base() {
        return from.image();
    }

    /** The {@code --platform} value after expansion, or null. */
    public String platform() {
        return from.platform();
    }

    /** The line of the FROM instruction. */
    public int line() {
        return from.line();
    }
}
