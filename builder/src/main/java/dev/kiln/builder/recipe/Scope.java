package dev.kiln.builder.recipe;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The variables one stage's instructions are expanded against, as BuildKit keeps them: the base's
 * environment, then each ENV and each valued ARG in order, a later one replacing an earlier one
 * of the same name. ARG values come from build args, else the ARG's default, else (for a bare
 * {@code ARG NAME}) the global scope: platform args and ARGs declared before the first FROM.
 *
 * <p>A lenient scope is used while the base image's environment is unknown: value checks that
 * fail on an instruction that used an unset variable are left for the real expansion.
 */
final class Scope {
    private final Variables variables;
    private final Map<String, String> env;
    private final Map<String, String> globals;
    private final Map<String, String> buildArgs;
    private final Set<String> declared;
    private final boolean lenient;
    private boolean touchedUnset;

    Scope(Variables variables, Map<String, String> base, Map<String, String> globals, Map<String, String> buildArgs,
          Set<String> declared, boolean lenient) {
        this.variables = variables;
        this.env = new LinkedHashMap<>(base);
        this.globals = globals;
        this.buildArgs = buildArgs;
        this.declared = declared;
        this.lenient = lenient;
    }

    char escape() {
        return variables.escapeToken();
    }

    Variables variables() {
        return variables;
    }

    /** Called before each instruction. */
    void begin() {
        touchedUnset = false;
    }

    String expand(String word) {
        Variables.Expansion e = variables.process(word, env, lenient);
        touchedUnset |= !e.unset().isEmpty();
        return e.value();
    }

    List<String> expandWords(String word) {
        Variables.Expansion e = variables.process(word, env, lenient);
        touchedUnset |= !e.unset().isEmpty();
        return e.words();
    }

    /**
     * Fails with {@code message} unless the check may wait for the real expansion (lenient scope,
     * and this instruction used a variable that the base image may still define). Returns false
     * when deferred, so the caller can skip the bad value.
     */
    boolean check(boolean ok, String message) {
        if (ok) {
            return true;
        }
        if (lenient && touchedUnset) {
            return false;
        }
        throw new IllegalArgumentException(message);
    }

    void set(String name, String value) {
        env.put(name, value);
    }

    /** Declares {@code ARG name[=default]} and returns its value, or null when it has none. */
    String declareArg(String name, String rawDefault) {
        declared.add(name);
        String value;
        if (buildArgs.containsKey(name)) {
            value = buildArgs.get(name);
        } else if (rawDefault != null) {
            value = expand(rawDefault);
        } else {
            value = globals.get(name);
        }
        if (value != null) {
            env.put(name, value);
        }
        return value;
    }

    /** A fresh scope like this one whose variables start as {@code base}. */
    Scope startingFrom(Map<String, String> base) {
        return new Scope(variables, base, globals, buildArgs, declared, lenient);
    }

    /** A copy of the current variables (what a stage built on this one starts with). */
    Map<String, String> snapshot() {
        return new LinkedHashMap<>(env);
    }
}
