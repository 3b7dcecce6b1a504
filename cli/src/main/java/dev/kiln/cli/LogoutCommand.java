package dev.kiln.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.layout.json.Json;
import dev.kiln.registry.auth.AuthEnvironment;
import dev.kiln.registry.auth.DockerConfigFile;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "logout", description = {"Remove a registry's credentials from the Docker config file",
        "($HOME/.docker/config.json, or $DOCKER_CONFIG/config.json) and from its credential helper."},
        footer = {"", "Examples:", "  kiln logout registry.example.com", "  kiln logout --json 127.0.0.1:5000"})
final class LogoutCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Parameters(paramLabel = "REGISTRY") String registry;

    @Override
    public Integer call() {
        AuthEnvironment environment = AuthEnvironment.system();
        boolean removed = DockerConfigFile.erase(environment, registry);
        PrintWriter out = spec.commandLine().getOut();
        if (common.json) {
            ObjectNode o = Json.object();
            o.put("registry", registry);
            o.put("removed", removed);
            o.put("configFile", environment.dockerConfigFile().toString());
            out.println(Json.pretty(o));
        } else {
            out.println(removed ? "Removing login credentials for " + registry : "Not logged in to " + registry);
        }
        return 0;
    }
}
