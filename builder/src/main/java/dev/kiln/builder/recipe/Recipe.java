package dev.kiln.builder.recipe;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A parsed recipe: its stages in file order, the ARGs declared before the first FROM, the escape
 * token and the {@code # syntax=} directive (recorded, otherwise ignored). Immutable.
 */
public final class Recipe {
    /**
     * The PATH BuildKit gives a Linux stage whose base image sets none; add it to the base
     * environment passed to {@link #expand} in that case.
     */
    public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final String fileName;
    private final Variables variables;
    private final String syntax;
    private final Map<String, String> globalArgs;
    private final Map<String, String> globalScope;
    private final Map<String, String> buildArgs;
    private final List<Stage> stages;
    private final List<List<LogicalLine>> stageLines;
    private final Set<String> unusedBuildArgs;

    Recipe(String fileName, Variables variables, String syntax, Map<String, String> globalArgs,
           Map<String, String> globalScope, Map<String, String> buildArgs, List<Stage> stages,
           List<List<LogicalLine>> stageLines, Set<String> unusedBuildArgs) {
        this.fileName = fileName;
        this.variables = variables;
        this.syntax = syntax;
        this.globalArgs = Collections.unmodifiableMap(new LinkedHashMap<>(globalArgs));
        this.globalScope = Map.copyOf(globalScope);
        this.buildArgs = Map.copyOf(buildArgs);
        this.stages = List.copyOf(stages);
        this.stageLines = List.copyOf(stageLines);
        this.unusedBuildArgs = Collections.unmodifiableSet(new TreeSet<>(unusedBuildArgs));
    }

    /** A stage with its instructions expanded against the base's environment. */
    public record ExpandedStage(Stage stage, List<Instruction> instructions, Map<String, String> variables) {
        public ExpandedStage {
            Objects.requireNonNull(stage, "stage");
            instructions = List.copyOf(instructions);
            variables = Collections.unmodifiableMap(new LinkedHashMap<>(variables));
        }
    }

    public String fileName() {
        return fileName;
    }

    /** {@code \} or {@code `} (from {@code # escape=}). */
    public char escapeToken() {
        return variables.escapeToken();
    }

    /** The expansion engine with this recipe's escape token. */
    public Variables variables() {
        return variables;
    }

    /** The {@code # syntax=} directive's value, or null. kiln does not act on it. */
    public String syntax() {
        return syntax;
    }

    /** ARGs declared before the first FROM, in order, with their values (null when unset). */
    public Map<String, String> globalArgs() {
        return globalArgs;
    }

    public List<Stage> stages() {
        return stages;
    }

    /** The last stage: what a build produces without a target. */
    public Stage lastStage() {
        return stages.get(stages.size() - 1);
    }

    /** Build args that no ARG declares (the classic builder warned about these). */
    public Set<String> unusedBuildArgs() {
        return unusedBuildArgs;
    }

    /**
     * A stage by 0-based index ({@code "0"}) or by name (case-insensitive; the last stage of that
     * name, as {@code COPY --from} and {@code --target} bind it). Empty when there is none, which
     * for {@code COPY --from} means an image reference.
     */
    public Optional<Stage> stage(String nameOrIndex) {
        Objects.requireNonNull(nameOrIndex, "nameOrIndex");
        try {
            int index = Integer.parseInt(nameOrIndex);
            return index >= 0 && index < stages.size() ? Optional.of(stages.get(index)) : Optional.empty();
        } catch (NumberFormatException e) {
            String name = nameOrIndex.toLowerCase(Locale.ROOT);
            for (int i = stages.size() - 1; i >= 0; i--) {
                if (name.equals(stages.get(i).name())) {
                    return Optional.of(stages.get(i));
                }
            }
            return Optional.empty();
        }
    }

    /** The earlier stage a stage's FROM names (exact name, the latest before it), if any. */
    public Optional<Stage> baseStage(Stage stage) {
        for (int i = stage.index() - 1; i >= 0; i--) {
            if (stage.base().equals(stages.get(i).name())) {
                return Optional.of(stages.get(i));
            }
        }
        return Optional.empty();
    }

    /**
     * Expands a stage's instructions for the build: {@code baseEnvironment} is the base image's
     * {@code Env} as a map (with Docker's default PATH added when the image has none), or, when
     * the base is an earlier stage, that stage's {@link ExpandedStage#variables()}. Value errors
     * that depended on the base environment surface here as {@link RecipeException}s.
     */
    public ExpandedStage expand(Stage stage, Map<String, String> baseEnvironment) {
        return expand(stage, baseEnvironment, List.of());
    }

    /**
     * Like {@link #expand(Stage, Map)}, with the base's ONBUILD triggers (e.g. {@code COPY . /app})
     * run first, as BuildKit runs them: each is parsed as one instruction of this stage, located at
     * its FROM line, and expanded with the stage's variables. RUN and anything else kiln cannot do
     * fail as they would in the recipe.
     */
    public ExpandedStage expand(Stage stage, Map<String, String> baseEnvironment, List<String> triggers) {
        Objects.requireNonNull(baseEnvironment, "baseEnvironment");
        if (stage.index() >= stages.size() || stages.get(stage.index()) != stage) {
            throw new IllegalArgumentException("stage " + stage.index() + " is not from this recipe");
        }
        List<LogicalLine> lines = new ArrayList<>();
        for (String trigger : triggers) {
            lines.add(new LogicalLine(stage.line(), trigger));
        }
        lines.addAll(stageLines.get(stage.index()));
        Scope scope = new Scope(variables, baseEnvironment, globalScope, buildArgs, new HashSet<>(), false);
        List<Instruction> instructions = evaluate(fileName, lines, scope);
        return new ExpandedStage(stage, instructions, scope.snapshot());
    }

    static List<Instruction> evaluate(String fileName, List<LogicalLine> lines, Scope scope) {
        InstructionParser parser = new InstructionParser(fileName);
        List<Instruction> out = new ArrayList<>(lines.size());
        for (LogicalLine line : lines) {
            out.add(parser.parse(line, scope));
        }
        return out;
    }
}
