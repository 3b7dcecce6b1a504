package dev.kiln.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
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
        },
        subcommands = {
            LsCommand.class,
            TagCommand.class,
            CopyCommand.class,
            InspectCommand.class,
            VerifyCommand.class,
            GcCommand.class,
            BuildCommand.class,
            IndexCommand.class,
            PushCommand.class,
            PullCommand.class,
            LoginCommand.class,
            LogoutCommand.class,
            CommandLine.HelpCommand.class,
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

    /** Runs kiln in-process (tests call this); returns the exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Kiln());
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
