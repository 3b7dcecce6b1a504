package dev.kiln.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code kiln} command: picocli commands over the layout, builder and registry libraries. */
@Command(name = "kiln",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Builds, inspects and copies OCI container images without a container engine.",
            "",
            "References use skopeo's transport syntax:",
            "  oci:DIR[:TAG]                      an OCI image layout folder",
            "  oci-archive:FILE[:TAG]             an OCI layout as one tar",
            "  docker-archive:FILE[:NAME:TAG]     a tar that `docker load` and `podman load` accept",
            "  docker://HOST[:PORT]/REPO[:TAG]    a registry (push, pull)",
        },
        footer = {
            "",
            "Examples:",
            "  kiln build testdata/example -t example.com/hello:1.0 --platform linux/amd64,linux/arm64 -o oci:out",
            "  kiln ls oci:out",
            "  kiln inspect --platform linux/arm64 oci:out:1.0",
            "  kiln verify --deep oci:out",
            "  kiln copy oci:out:1.0 docker-archive:hello.tar:example.com/hello:1.0",
            "",
            "Exit status: 0 ok, 1 failed, 2 bad usage. Add --debug to see stack traces.",
        })
public final class Kiln implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        int code = run(out, err, args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /**
     * The subcommands, in the order help lists them, by name and alias. picocli builds a command's
     * model by reflection over its annotations, which costs ~0.1-0.2 s of start-up for all of them:
     * a run that names a subcommand only builds that one (see {@link #commandsFor}).
     */
    static final Map<String, Class<?>> COMMANDS = commands();

    private static Map<String, Class<?>> commands() {
        Map<String, Class<?>> m = new LinkedHashMap<>();
        m.put("ls", LsCommand.class);
        m.put("tag", TagCommand.class);
        m.put("copy", CopyCommand.class);
        m.put("cp", CopyCommand.class);
        m.put("inspect", InspectCommand.class);
        m.put("verify", VerifyCommand.class);
        m.put("gc", GcCommand.class);
        m.put("build", BuildCommand.class);
        m.put("index", IndexCommand.class);
        m.put("push", PushCommand.class);
        m.put("pull", PullCommand.class);
        m.put("login", LoginCommand.class);
        m.put("logout", LogoutCommand.class);
        m.put("help", CommandLine.HelpCommand.class);
        return Collections.unmodifiableMap(m);
    }

    /**
     * The subcommands a run needs: the one its first argument names, else all of them (no
     * argument, an option such as --help, {@code help}, a mistyped name that picocli answers with
     * the list).
     */
    static Collection<Class<?>> commandsFor(String... args) {
        Class<?> named = args.length == 0 || args[0].equals("help") ? null : COMMANDS.get(args[0]);
        return named != null ? List.of(named) : new LinkedHashSet<>(COMMANDS.values());
    }

    /** Runs kiln in-process (tests call this); returns the exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Kiln());
        for (Class<?> c : commandsFor(args)) {
            cl.addSubcommand(c); // before the settings below, which apply to the subcommands present
        }
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler(new Failures());
        cl.setParameterExceptionHandler(Failures::usage);
        cl.setExitCodeExceptionMapper(Failures::exitCode);
        return cl.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
