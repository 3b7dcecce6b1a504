package dev.kiln.builder.recipe;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Parses one stage instruction and expands its variables in the stage's {@link Scope}, which ENV
 * and ARG update. Errors become {@link RecipeException}s naming the file and line.
 */
final class InstructionParser {
    static final List<String> KEYWORDS = List.of("FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV",
            "ADD", "COPY", "ENTRYPOINT", "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL",
            "HEALTHCHECK", "SHELL");
    private static final Set<String> NONE = Set.of();

    private final String file;

    InstructionParser(String file) {
        this.file = file;
    }

    Instruction parse(LogicalLine l, Scope scope) {
        scope.begin();
        Words.Split s = Words.splitCommand(l.text());
        try {
            return dispatch(l, s, scope);
        } catch (IllegalArgumentException e) {
            throw new RecipeException(file, l.line(), e.getMessage());
        }
    }

    /** The keyword, upper case, after checking that it is one kiln can run (not RUN, not unknown). */
    static String keyword(Words.Split s) {
        String keyword = s.keyword().toUpperCase(Locale.ROOT);
        if (keyword.equals("RUN")) {
            throw new IllegalArgumentException(
                    "RUN needs a container; kiln runs nothing \u2014 copy prebuilt files with COPY instead");
        }
        if (!KEYWORDS.contains(keyword)) {
            String suggestion = suggest(keyword);
            throw new IllegalArgumentException("unknown instruction: " + keyword
                    + (suggestion == null ? "" : " (did you mean " + suggestion + "?)"));
        }
        return keyword;
    }

    private Instruction dispatch(LogicalLine l, Words.Split s, Scope scope) {
        String text = l.text().strip();
        int line = l.line();
        String rest = s.rest();
        String keyword = keyword(s);
        switch (keyword) {
            case "COPY":
                return CopyParser.copy(l, s, scope);
            case "ADD":
                return CopyParser.add(l, s, scope);
            case "ENV":
                return new Instruction.Env(line, text, keyValues("ENV", s, scope));
            case "LABEL":
                return new Instruction.Label(line, text, keyValues("LABEL", s, scope));
            case "ARG":
                return arg(l, s, scope);
            case "WORKDIR":
                return new Instruction.Workdir(line, text, scope.expand(single("WORKDIR", s)));
            case "USER":
                return new Instruction.User(line, text, scope.expand(single("USER", s)));
            case "MAINTAINER":
                return new Instruction.Maintainer(line, text, single("MAINTAINER", s));
            case "STOPSIGNAL": {
                String signal = scope.expand(single("STOPSIGNAL", s));
                scope.check(Signals.valid(signal), "invalid signal: " + signal);
                return new Instruction.StopSignal(line, text, signal);
            }
            case "CMD":
                Flags.parse(s.flags(), NONE, NONE);
                return new Instruction.Cmd(line, text, commandLine(rest));
            case "ENTRYPOINT":
                Flags.parse(s.flags(), NONE, NONE);
                return new Instruction.Entrypoint(line, text, commandLine(rest));
            case "SHELL":
                return shell(l, s);
            case "EXPOSE":
                return expose(l, s, scope);
            case "VOLUME":
                return volume(l, s, scope);
            case "HEALTHCHECK":
                return HealthcheckParser.parse(l, s);
            case "ONBUILD":
                return onbuild(l, s);
            case "FROM":
                throw new IllegalStateException("FROM is handled by the recipe parser");
            default:
                throw new IllegalArgumentException("unknown instruction: " + keyword);
        }
    }

    /** ENV and LABEL pairs, all expanded against the variables before the instruction. */
    private static Map<String, String> keyValues(String command, Words.Split s, Scope scope) {
        List<String[]> pairs = nameValues(command, s.rest(), scope.escape());
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException(command + " requires at least one argument");
        }
        Flags.parse(s.flags(), NONE, NONE);
        Map<String, String> out = new LinkedHashMap<>();
        for (String[] pair : pairs) {
            if (pair[0].isEmpty()) {
                throw new IllegalArgumentException(command + " names can not be blank");
            }
            String key = scope.expand(pair[0]);
            String value = scope.expand(pair[1]);
            if (scope.check(!key.isEmpty(), command + " names can not be blank")) {
                out.put(key, value);
            }
        }
        if (command.equals("ENV")) {
            out.forEach(scope::set);
        }
        return out;
    }

    /** {@code KEY value} (legacy: the rest of the line) or {@code KEY=value KEY2="v 2" ...}. */
    static List<String[]> nameValues(String command, String rest, char escape) {
        List<String> words = Words.quoteAware(rest, escape);
        List<String[]> pairs = new ArrayList<>();
        if (words.isEmpty()) {
            return pairs;
        }
        if (!words.get(0).contains("=")) {
            String[] parts = Words.splitFirst(rest);
            if (parts.length < 2) {
                throw new IllegalArgumentException(command + " must have two arguments");
            }
            pairs.add(parts);
            return pairs;
        }
        for (String word : words) {
            int eq = word.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("Syntax error - can't find = in \"" + word
                        + "\". Must be of the form: name=value");
            }
            pairs.add(new String[] {word.substring(0, eq), word.substring(eq + 1)});
        }
        return pairs;
    }

    private static Instruction arg(LogicalLine l, Words.Split s, Scope scope) {
        List<String> words = Words.quoteAware(s.rest(), scope.escape());
        if (words.isEmpty()) {
            throw new IllegalArgumentException("ARG requires at least one argument");
        }
        Flags.parse(s.flags(), NONE, NONE);
        Map<String, String> values = new LinkedHashMap<>();
        for (String[] decl : argDeclarations(words)) {
            values.put(decl[0], scope.declareArg(decl[0], decl[1]));
        }
        return new Instruction.Arg(l.line(), l.text().strip(), values);
    }

    /** {@code [name, rawDefault-or-null]} for each word of an ARG. */
    static List<String[]> argDeclarations(List<String> words) {
        List<String[]> out = new ArrayList<>();
        for (String word : words) {
            int eq = word.indexOf('=');
            if (eq == 0) {
                throw new IllegalArgumentException("ARG names can not be blank");
            }
            out.add(eq < 0 ? new String[] {word, null} : new String[] {word.substring(0, eq), word.substring(eq + 1)});
        }
        return out;
    }

    /** The whole rest of the line as one argument (WORKDIR, USER, STOPSIGNAL, MAINTAINER). */
    private static String single(String command, Words.Split s) {
        if (s.rest().isEmpty()) {
            throw new IllegalArgumentException(command + " requires exactly one argument");
        }
        Flags.parse(s.flags(), NONE, NONE);
        return s.rest();
    }

    static Instruction.CommandLine commandLine(String rest) {
        if (rest.isEmpty()) {
            return new Instruction.CommandLine(List.of(), false);
        }
        List<String> json = Words.jsonArray(rest);
        return json != null ? new Instruction.CommandLine(json, true) : new Instruction.CommandLine(List.of(rest), false);
    }

    private static Instruction shell(LogicalLine l, Words.Split s) {
        Flags.parse(s.flags(), NONE, NONE);
        List<String> json = s.rest().isEmpty() ? List.of() : Words.jsonArray(s.rest());
        if (json != null && json.isEmpty()) {
            throw new IllegalArgumentException("SHELL requires at least one argument");
        }
        if (json == null) {
            throw new IllegalArgumentException("SHELL requires the arguments to be in JSON form");
        }
        return new Instruction.Shell(l.line(), l.text().strip(), json);
    }

    private static Instruction expose(LogicalLine l, Words.Split s, Scope scope) {
        List<String> raw = new ArrayList<>(Words.whitespaceDelimited(s.rest()));
        if (raw.isEmpty()) {
            throw new IllegalArgumentException("EXPOSE requires at least one argument");
        }
        Flags.parse(s.flags(), NONE, NONE);
        raw.sort(null);
        List<String> ports = new ArrayList<>();
        for (String word : raw) {
            for (String spec : scope.expandWords(word)) {
                try {
                    ports.addAll(PortSpecs.parse(spec));
                } catch (IllegalArgumentException e) {
                    scope.check(false, e.getMessage());
                }
            }
        }
        return new Instruction.Expose(l.line(), l.text().strip(), ports);
    }

    private static Instruction volume(LogicalLine l, Words.Split s, Scope scope) {
        List<String> json = Words.jsonArray(s.rest());
        List<String> raw = json != null ? json : Words.whitespaceDelimited(s.rest());
        if (raw.isEmpty()) {
            throw new IllegalArgumentException("VOLUME requires at least one argument");
        }
        Flags.parse(s.flags(), NONE, NONE);
        List<String> paths = new ArrayList<>();
        for (String word : raw) {
            if (word.strip().isEmpty()) {
                throw new IllegalArgumentException("VOLUME specified can not be an empty string");
            }
            String path = scope.expand(word.strip());
            if (scope.check(!path.isEmpty(), "VOLUME specified can not be an empty string")) {
                paths.add(path);
            }
        }
        return new Instruction.Volume(l.line(), l.text().strip(), paths);
    }

    private static Instruction onbuild(LogicalLine l, Words.Split s) {
        if (s.rest().isEmpty()) {
            throw new IllegalArgumentException("ONBUILD requires at least one argument");
        }
        Flags.parse(s.flags(), NONE, NONE);
        Words.Split trigger = Words.splitCommand(s.rest());
        String keyword = trigger.keyword().toUpperCase(Locale.ROOT);
        if (keyword.equals("ONBUILD")) {
            throw new IllegalArgumentException("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
        }
        if (keyword.equals("FROM") || keyword.equals("MAINTAINER")) {
            throw new IllegalArgumentException(keyword + " isn't allowed as an ONBUILD trigger");
        }
        if (Set.of("RUN", "CMD", "ENTRYPOINT", "SHELL", "COPY", "ADD", "VOLUME").contains(keyword)) {
            Words.jsonArray(trigger.rest()); // a JSON array of non-strings is an error here too
        }
        String expression = l.text().strip().replaceFirst("(?i)^\\s*ONBUILD\\s*", "");
        return new Instruction.Onbuild(l.line(), l.text().strip(), expression);
    }

    /** A known keyword within edit distance 2, like BuildKit's suggestion. */
    private static String suggest(String word) {
        String best = null;
        int bestDistance = 3;
        for (String k : KEYWORDS) {
            int d = distance(word, k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return best;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
