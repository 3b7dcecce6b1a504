package dev.kiln.builder.recipe;

import dev.kiln.layout.spec.Platform;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses a Dockerfile-like recipe with Docker's (BuildKit's) rules, refusing anything that needs a
 * container, before anything is built. See {@link RecipeLines} for lines, comments and
 * directives, {@link Variables} for expansion, {@link Recipe} for the result.
 *
 * <p>Scoping follows BuildKit: ARGs before the first FROM are global and expand in FROM lines and
 * later global defaults; a stage sees one only after {@code ARG NAME}. The automatic platform args
 * ({@code TARGETPLATFORM TARGETOS TARGETARCH TARGETVARIANT BUILDPLATFORM BUILDOS BUILDARCH
 * BUILDVARIANT}) come from the caller, are global, and a build arg of the same name overrides
 * them. A build arg overrides an ARG's default. ENV and valued ARGs update a stage's variables in
 * order, so an ENV after an ARG of the same name wins (and an ARG after an ENV wins, as in
 * BuildKit).
 */
public final class RecipeParser {
    private static final Pattern STAGE_NAME = Pattern.compile("^[a-z][a-z0-9-_.]*$");
    private static final Set<String> NONE = Set.of();

    private RecipeParser() {
    }

    /**
     * Parses {@code text}. {@code fileName} is used in error messages; {@code buildArgs} are the
     * {@code --build-arg} values; {@code platformArgs} the automatic args for the target platform.
     *
     * @throws RecipeException naming the file and line of the first problem
     */
    public static Recipe parse(String fileName, String text, Map<String, String> buildArgs,
                               Map<String, String> platformArgs) {
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(text, "text");
        Map<String, String> args = Map.copyOf(Objects.requireNonNull(buildArgs, "buildArgs"));
        Map<String, String> platform = Map.copyOf(Objects.requireNonNull(platformArgs, "platformArgs"));

        RecipeLines.Result split = RecipeLines.split(fileName, text);
        if (split.lines().isEmpty()) {
            throw new RecipeException(fileName, 1, text.isBlank() ? "the recipe is empty"
                    : "the recipe has no instructions, only comments");
        }
        Variables variables = new Variables(split.escape());

        Map<String, String> globalScope = new LinkedHashMap<>(platform);
        platform.keySet().forEach(k -> {
            if (args.containsKey(k)) {
                globalScope.put(k, args.get(k));
            }
        });
        Map<String, String> globalArgs = new LinkedHashMap<>();
        Set<String> declared = new HashSet<>();
        List<Stage> stages = new ArrayList<>();
        List<List<LogicalLine>> stageLines = new ArrayList<>();
        List<Map<String, String>> finalScopes = new ArrayList<>();
        Instruction.From from = null;
        Scope fresh = new Scope(variables, Map.of(), globalScope, args, declared, true);

        // Stages are evaluated as soon as they end, so errors come in file order.
        for (LogicalLine line : split.lines()) {
            Words.Split s = Words.splitCommand(line.text());
            if (from != null && !s.keyword().equalsIgnoreCase("FROM")) {
                stageLines.get(stageLines.size() - 1).add(line);
                continue;
            }
            if (from != null) {
                stages.add(stage(fileName, from, stages, stageLines, finalScopes, fresh));
            }
            try {
                String keyword = InstructionParser.keyword(s);
                if (keyword.equals("FROM")) {
                    from = from(line, s, variables, globalScope);
                    stageLines.add(new ArrayList<>());
                } else if (keyword.equals("ARG")) {
                    globalArg(s, variables, globalScope, args, globalArgs, declared);
                } else {
                    throw new IllegalArgumentException(keyword + " before the first FROM: only ARG may come"
                            + " before FROM (no build stage in current context)");
                }
            } catch (IllegalArgumentException e) {
                throw new RecipeException(fileName, line.line(), e.getMessage());
            }
        }
        if (from == null) {
            throw new RecipeException(fileName, split.lines().get(0).line(),
                    "the recipe has no FROM instruction, so no stage to build");
        }
        stages.add(stage(fileName, from, stages, stageLines, finalScopes, fresh));

        Set<String> unused = new HashSet<>(args.keySet());
        unused.removeAll(declared);
        unused.removeAll(platform.keySet());
        return new Recipe(fileName, variables, split.syntax(), globalArgs, globalScope, args, stages,
                stageLines, unused);
    }

    /** Evaluates the stage that {@code from} starts, leniently (the base image's environment is unknown). */
    private static Stage stage(String fileName, Instruction.From from, List<Stage> stages,
                               List<List<LogicalLine>> stageLines, List<Map<String, String>> finalScopes, Scope fresh) {
        int index = stages.size();
        Map<String, String> base = Map.of();
        for (int j = index - 1; j >= 0; j--) {
            if (from.image().equals(stages.get(j).name())) {
                base = finalScopes.get(j);
                break;
            }
        }
        Scope scope = fresh.startingFrom(base);
        List<Instruction> instructions = Recipe.evaluate(fileName, stageLines.get(index), scope);
        finalScopes.add(scope.snapshot());
        return new Stage(index, from, instructions);
    }

    private static void globalArg(Words.Split s, Variables variables, Map<String, String> globalScope,
                                  Map<String, String> buildArgs, Map<String, String> globalArgs, Set<String> declared) {
        List<String> words = Words.quoteAware(s.rest(), variables.escapeToken());
        if (words.isEmpty()) {
            throw new IllegalArgumentException("ARG requires at least one argument");
        }
        Flags.parse(s.flags(), NONE, NONE);
        for (String[] decl : InstructionParser.argDeclarations(words)) {
            String name = decl[0];
            declared.add(name);
            String value = buildArgs.containsKey(name) ? buildArgs.get(name)
                    : decl[1] == null ? null : variables.expand(decl[1], globalScope);
            if (value != null) {
                globalScope.put(name, value);
            }
            globalArgs.put(name, value);
        }
    }

    private static Instruction.From from(LogicalLine line, Words.Split s, Variables variables,
                                         Map<String, String> globalScope) {
        List<String> words = Words.whitespaceDelimited(s.rest());
        String stageName = null;
        if (words.size() == 3 && words.get(1).equalsIgnoreCase("AS")) {
            stageName = words.get(2).toLowerCase(Locale.ROOT);
            if (!STAGE_NAME.matcher(stageName).matches()) {
                throw new IllegalArgumentException("invalid name for build stage: \"" + words.get(2)
                        + "\", name can't start with a number or contain symbols");
            }
        } else if (words.size() != 1) {
            throw new IllegalArgumentException("FROM requires either one or three arguments");
        }
        Flags flags = Flags.parse(s.flags(), Set.of("platform"), NONE);
        String image = variables.expand(words.get(0), globalScope);
        if (image.isEmpty()) {
            throw new IllegalArgumentException("base name (" + words.get(0) + ") should not be blank");
        }
        String platform = flags.string("platform");
        if (platform != null && !platform.isEmpty()) {
            String expression = platform;
            platform = variables.expand(platform, globalScope);
            if (platform.isEmpty()) {
                throw new IllegalArgumentException("empty platform value from expression " + expression);
            }
            try {
                Platform.parse(platform);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("failed to parse platform " + expression + ": " + e.getMessage(), e);
            }
        } else {
            platform = null;
        }
        return new Instruction.From(line.line(), line.text().strip(), image, platform, stageName);
    }
}
