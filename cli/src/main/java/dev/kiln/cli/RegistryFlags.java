package dev.kiln.cli;

import dev.kiln.registry.RegistryOptions;
import dev.kiln.registry.auth.Credentials;
import dev.kiln.registry.auth.CredentialsException;
import dev.kiln.registry.auth.KnownSecrets;
import java.io.PrintWriter;
import java.nio.file.FileSystems;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/**
 * Options for commands that talk to one registry (docker:// references). On a copy between two
 * registries the per-registry ones (credentials, certificates, TLS) name no side and are refused:
 * {@link SideRegistryFlags} has the {@code --src-*} and {@code --dest-*} forms.
 */
final class RegistryFlags {
    @Option(names = "--creds", paramLabel = "USER:PASS",
            description = "Credentials for the registry (else $HOME/.docker/config.json, $DOCKER_CONFIG, $REGISTRY_AUTH_FILE, "
                    + "containers auth.json, looked up per host). Not on a copy between two registries: use --src-creds, --dest-creds.")
    String creds;

    @Option(names = "--cert-dir", paramLabel = "DIR", description = "ca.crt, client.cert and client.key for TLS, like Docker's certs.d.")
    String certDir;

    @Option(names = "--insecure", description = "Allow plain HTTP and unverified TLS (loopback registries are always allowed plain HTTP, as in Docker).")
    boolean insecure;

    @Option(names = "--tls-verify", arity = "1", paramLabel = "true|false", description = "Verify TLS certificates (default true); false is --insecure.")
    Boolean tlsVerify;

    @Option(names = "--read-timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "Longest silence from the registry while reading an answer; a stalled download is then resumed (default ${DEFAULT-VALUE}).")
    int readTimeoutSeconds;

    /** True when one of the options that belong to one registry (credentials, certificates, TLS) was given. */
    boolean namesARegistry() {
        return creds != null || certDir != null || insecure || tlsVerify != null;
    }

    /** The options for the one registry of the command. */
    RegistryOptions options(int jobs, boolean debug, PrintWriter err) {
        return options(jobs, debug, err, new Side("--creds", creds, certDir, insecure || Boolean.FALSE.equals(tlsVerify)));
    }

    /** Credentials, certificates and TLS of one registry, with the option that gave the credentials (for messages). */
    record Side(String credsOption, String creds, String certDir, boolean insecure) {
    }

    /** The options for one registry: the shared ones (jobs, read timeout, debug) with that registry's own. */
    RegistryOptions options(int jobs, boolean debug, PrintWriter err, Side side) {
        if (readTimeoutSeconds < 1 || readTimeoutSeconds > 3600) {
            throw new Failures.UsageException("--read-timeout must be between 1 and 3600 seconds");
        }
        RegistryOptions o = RegistryOptions.defaults().withSystemCredentials().withJobs(jobs)
                .withReadTimeout(java.time.Duration.ofSeconds(readTimeoutSeconds));
        if (side.creds() != null) {
            try {
                o = o.withCredentials(Credentials.parse(side.creds()));
            } catch (CredentialsException | IllegalArgumentException e) {
                throw new Failures.UsageException(side.credsOption() + ": " + e.getMessage().replace("--creds: ", ""));
            }
        }
        if (side.certDir() != null) {
            o = o.withCertDir(FileSystems.getDefault().getPath(side.certDir()));
        }
        if (side.insecure()) {
            o = o.withInsecure(true);
        }
        if (debug) {
            o = o.withDebug(debugTo(err));
        }
        return o;
    }

    /** Debug lines on stderr, one at a time, each redacted of every secret the process knows. */
    static Consumer<String> debugTo(PrintWriter err) {
        return line -> {
            synchronized (err) {
                err.println("debug: " + KnownSecrets.redact(line));
            }
        };
    }
}
