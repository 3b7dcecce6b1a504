package dev.kiln.cli;

import dev.kiln.registry.RegistryClient;
import dev.kiln.registry.RegistryOptions;
import dev.kiln.registry.auth.AuthEnvironment;
import dev.kiln.registry.auth.Credentials;
import dev.kiln.registry.auth.DockerConfigFile;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "login", sortOptions = false,
        description = {"Check credentials against a registry and store them in the Docker config file",
            "(~/.docker/config.json, or $DOCKER_CONFIG/config.json), as `docker login` does."},
        footer = {"", "Examples:", "  echo \"$TOKEN\" | kiln login registry.example.com -u alice --password-stdin"})
final class LoginCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = "--cert-dir", paramLabel = "DIR") String certDir;
    @Option(names = "--insecure") boolean insecure;

    @Option(names = {"-u", "--username"}, required = true) String username;
    @Option(names = {"-p", "--password"}, description = "The password (prefer --password-stdin: a password here shows in the process list).") String password;
    @Option(names = "--password-stdin", description = "Read the password from standard input.") boolean passwordStdin;

    @Parameters(paramLabel = "REGISTRY", description = "HOST[:PORT]") String registry;

    @Override
    public Integer call() throws IOException {
        String secret = password;
        if (passwordStdin) {
            if (password != null) {
                throw new Failures.UsageException("give --password or --password-stdin, not both");
            }
            secret = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        }
        if (secret == null || secret.isEmpty()) {
            throw new Failures.UsageException("no password given (use --password-stdin)");
        }
        Credentials credentials = new Credentials(username, secret);
        RegistryOptions options = RegistryOptions.defaults().withCredentials(credentials).withInsecure(insecure);
        if (certDir != null) {
            options = options.withCertDir(java.nio.file.FileSystems.getDefault().getPath(certDir));
        }
        RegistryClient.connect(registry, options).ping();
        DockerConfigFile.store(AuthEnvironment.system(), registry, credentials);
        spec.commandLine().getOut().println("Login Succeeded (" + registry + ")");
        return 0;
    }
}
