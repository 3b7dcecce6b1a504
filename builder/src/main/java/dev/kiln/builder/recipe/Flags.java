package dev.kiln.builder.recipe;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An instruction's {@code --name=value} and {@code --name} flags, checked like BuildKit's BFlags:
 * names are case-sensitive, string flags need {@code =value}, boolean flags take nothing or
 * {@code =true}/{@code =false}, a flag given twice and an unknown flag are errors.
 */
final class Flags {
    private final Map<String, String> values;

    private Flags(Map<String, String> values) {
        this.values = values;
    }

    static Flags parse(List<String> raw, Set<String> stringFlags, Set<String> boolFlags) {
        Map<String, String> values = new HashMap<>();
        for (String arg : raw) {
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("arg should start with -- : " + arg);
            }
            if (arg.equals("--")) {
                break;
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            boolean isString = stringFlags.contains(name);
            if (!isString && !boolFlags.contains(name)) {
                throw new IllegalArgumentException("unknown flag: " + name);
            }
            if (values.containsKey(name)) {
                throw new IllegalArgumentException("duplicate flag specified: " + name);
            }
            if (isString) {
                if (value == null) {
                    throw new IllegalArgumentException("missing a value on flag: " + name);
                }
                values.put(name, value);
            } else {
                if (value != null && value.isEmpty()) {
                    throw new IllegalArgumentException("missing a value on flag: " + name);
                }
                String lower = value == null ? "true" : value.toLowerCase(Locale.ROOT);
                if (!lower.equals("true") && !lower.equals("false")) {
                    throw new IllegalArgumentException(
                            "expecting boolean value for flag " + name + ", not: " + value);
                }
                values.put(name, lower);
            }
        }
        return new Flags(values);
    }

    /** The string flag's value, or null when it was not given. */
    String string(String name) {
        return values.get(name);
    }

    /** Whether the flag was given at all. */
    boolean has(String name) {
        return values.containsKey(name);
    }

    /** The boolean flag's value, false when it was not given. */
    boolean bool(String name) {
        return "true".equals(values.get(name));
    }
}
