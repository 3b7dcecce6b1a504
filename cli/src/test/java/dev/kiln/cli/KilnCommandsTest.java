package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;

/** Kiln registers only the subcommand a run names; the name table must match the annotations. */
class KilnCommandsTest {
    @Test
    void everyNameAndAliasOfEveryCommandIsInTheTable() {
        Set<Class<?>> classes = new LinkedHashSet<>(Kiln.COMMANDS.values());
        int names = 0;
        for (Class<?> c : classes) {
            Command command = c.getAnnotation(Command.class);
            List<String> all = new ArrayList<>(List.of(command.aliases()));
            all.add(0, command.name());
            for (String n : all) {
                assertEquals(c, Kiln.COMMANDS.get(n), "kiln " + n);
                names++;
            }
        }
        assertEquals(names, Kiln.COMMANDS.size(), "a name in the table that no command has: " + Kiln.COMMANDS.keySet());
    }

    @Test
    void aNamedCommandAloneElseAll() {
        assertEquals(List.of(BuildCommand.class), List.copyOf(Kiln.commandsFor("build", ".", "-o", "oci:x")));
        assertEquals(List.of(CopyCommand.class), List.copyOf(Kiln.commandsFor("cp", "a", "b")));
        int all = new LinkedHashSet<>(Kiln.COMMANDS.values()).size();
        assertEquals(all, Kiln.commandsFor().size());
        assertEquals(all, Kiln.commandsFor("help", "build").size());
        assertEquals(all, Kiln.commandsFor("--help").size());
        assertEquals(all, Kiln.commandsFor("biuld").size());
    }

    @Test
    void helpStillListsEveryCommandAndHelpForOneStillWorks() {
        String top = run("--help");
        for (String n : List.of("ls", "tag", "copy", "inspect", "verify", "gc", "build", "index", "push", "pull",
                "login", "logout", "help")) {
            assertTrue(top.contains("\n  " + n + " ") || top.contains("\n  " + n + ","), n + " missing from:\n" + top);
        }
        assertTrue(run("help", "ls").startsWith("Usage: kiln ls "));
        assertTrue(run("cp", "--help").startsWith("Usage: kiln copy "));
    }

    private static String run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Kiln.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        assertEquals(0, code, err.toString());
        return out.toString();
    }
}
