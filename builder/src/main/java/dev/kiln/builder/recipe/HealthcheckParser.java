package dev.kiln.builder.recipe;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code HEALTHCHECK NONE} or {@code HEALTHCHECK [--interval=D] [--timeout=D] [--start-period=D]
 * [--start-interval=D] [--retries=N] CMD command}, parsed as BuildKit does. Not expanded.
 */
final class HealthcheckParser {
    private static final long MINIMUM = 1_000_000L; // 1ms
    private static final Set<String> FLAGS = Set.of("interval", "timeout", "start-period", "start-interval", "retries");

    private HealthcheckParser() {
    }

    static Instruction.Healthcheck parse(LogicalLine l, Words.Split s) {
        String rest = s.rest();
        int sep = 0;
        while (sep < rest.length() && !Words.isSpace(rest.charAt(sep))) {
            sep++;
        }
        if (sep == 0) {
            throw new IllegalArgumentException("HEALTHCHECK requires at least one argument");
        }
        String type = rest.substring(0, sep).toUpperCase(Locale.ROOT);
        String command = RecipeLines.leftTrim(rest.substring(sep));
        List<String> json = command.isEmpty() ? null : Words.jsonArray(command);
        String text = l.text().strip();
        if (type.equals("NONE")) {
            if (!command.isEmpty()) {
                throw new IllegalArgumentException("HEALTHCHECK NONE takes no arguments");
            }
            return new Instruction.Healthcheck(l.line(), text, List.of("NONE"), null, null, null, null, null);
        }
        Flags flags = Flags.parse(s.flags(), FLAGS, Set.of());
        if (!type.equals("CMD")) {
            throw new IllegalArgumentException("Unknown type \"" + type + "\" in HEALTHCHECK (try CMD)");
        }
        List<String> test = new ArrayList<>();
        if (json != null) {
            if (json.isEmpty()) {
                throw new IllegalArgumentException("Missing command after HEALTHCHECK CMD");
            }
            test.add("CMD");
            test.addAll(json);
        } else {
            if (command.isEmpty()) {
                throw new IllegalArgumentException("Missing command after HEALTHCHECK CMD");
            }
            test.add("CMD-SHELL");
            test.add(command);
        }
        return new Instruction.Healthcheck(l.line(), text, test, interval(flags, "interval"),
                interval(flags, "timeout"), interval(flags, "start-period"), interval(flags, "start-interval"),
                retries(flags.string("retries")));
    }

    private static Long interval(Flags flags, String name) {
        String value = flags.string(name);
        if (value == null || value.isEmpty()) {
            return null;
        }
        long d = GoDuration.parse(value);
        if (d == 0) {
            return null;
        }
        if (d < MINIMUM) {
            throw new IllegalArgumentException("Interval \"" + name + "\" cannot be less than 1ms");
        }
        return d;
    }

    private static Integer retries(String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        int retries;
        try {
            retries = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--retries: strconv.ParseInt: parsing \"" + value + "\": invalid syntax");
        }
        if (retries < 0) {
            throw new IllegalArgumentException("--retries cannot be negative (" + retries + ")");
        }
        return retries == 0 ? null : retries;
    }
}
