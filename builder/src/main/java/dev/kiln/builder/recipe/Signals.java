package dev.kiln.builder.recipe;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/** STOPSIGNAL's check (moby/sys/signal on Linux): a nonzero number, or a name with or without SIG. */
final class Signals {
    private static final Set<String> NAMES = names();

    private Signals() {
    }

    static boolean valid(String raw) {
        try {
            return Long.parseLong(raw) != 0;
        } catch (NumberFormatException e) {
            String name = raw.toUpperCase(Locale.ROOT);
            return NAMES.contains(name.startsWith("SIG") ? name.substring(3) : name);
        }
    }

    private static Set<String> names() {
        Set<String> names = new HashSet<>(Set.of("ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL",
                "INT", "IO", "IOT", "KILL", "PIPE", "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS",
                "TERM", "TRAP", "TSTP", "TTIN", "TTOU", "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ",
                "RTMIN", "RTMAX"));
        for (int i = 1; i <= 15; i++) {
            names.add("RTMIN+" + i);
        }
        for (int i = 1; i <= 14; i++) {
            names.add("RTMAX-" + i);
        }
        return Set.copyOf(names);
    }
}
