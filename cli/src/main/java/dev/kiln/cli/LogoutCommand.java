package dev.kiln.cli;

import dev.kiln.registry.auth.AuthEnvironment;
import dev.kiln.registry.auth.DockerConfigFile;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "logout", description = "Remove a registry's credentials from the Docker config file.",
        footer = {"", "Examples:", "  kiln logout registry.example.com"})
final class LogoutCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Parameters(paramLabel = "REGISTRY") String registry;

    @Override
    public Integer call() {
        boolean removed = DockerConfigFile.erase(AuthEnvironment.system(), registry);
        spec.commandLine().getOut().println(removed ? "Removing login credentials for " + registry : "Not logged in to " + registry);
        return 0;
    }
}
