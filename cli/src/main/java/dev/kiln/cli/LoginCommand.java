package dev.kiln.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.layout.json.Json;
import dev.kiln.registry.RegistryClient;
import dev.kiln.registry.RegistryOptions;
import dev.kiln.registry.auth.AuthEnvironment;
import dev.kiln.registry.auth.Credentials;
import dev.kiln.registry.auth.DockerConfigFile;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "login", sortOptions = false,
        description = {"Check credentials against a registry and store them in the Docker config file",
            "($HOME/.docker/config.json, or $DOCKER_CONFIG/config.json), as `docker login` does.",
            "The registry is asked GET /v2/ with the credentials (a Bearer challenge is followed to its token",
            "server); nothing is written unless it accepts them. A registry that asks for no authentication",
            "at all cannot check them: they are stored, and the output says they were not checked."},
        footer = {"", "Examples:", "  echo \"$TOKEN\" | kiln login registry.example.com -u alice --password-stdin",
            "  kiln login --json 127.0.0.1:5000 -u alice --password-stdin < pw.txt"})
final class LoginCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = "--cert-dir", paramLabel = "DIR", description = "ca.crt, client.cert and client.key for TLS, like Docker's certs.d.")
    String certDir;

    @Option(names = "--insecure", description = "Allow plain HTTP and unverified TLS (loopback registries are always allowed plain HTTP).")
    boolean insecure;

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
        PrintWriter err = spec.commandLine().getErr();
        RegistryOptions options = RegistryOptions.defaults().withCredentials(credentials).withInsecure(insecure);
        if (certDir != null) {
            options = options.withCertDir(java.nio.file.FileSystems.getDefault().getPath(certDir));
        }
        if (common.debug) {
            options = options.withDebug(RegistryFlags.debugTo(err));
        }
        boolean checked;
        RegistryClient client = RegistryClient.connect(registry, options);
        try {
            checked = client.authenticate();
        } finally {
            client.close();
        }
        AuthEnvironment environment = AuthEnvironment.system();
        DockerConfigFile.store(environment, registry, credentials);
        PrintWriter out = spec.commandLine().getOut();
        if (common.json) {
            ObjectNode o = Json.object();
            o.put("registry", registry);
            o.put("username", username);
            o.put("checked", checked);
            o.put("configFile", environment.dockerConfigFile().toString());
            out.println(Json.pretty(o));
        } else {
            out.println("Login Succeeded (" + registry + (checked ? "" : "; it asks for no authentication, so the credentials were not checked") + ")");
        }
        return 0;
    }
}
