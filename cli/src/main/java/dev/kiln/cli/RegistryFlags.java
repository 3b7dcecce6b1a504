package dev.kiln.cli;

import dev.kiln.registry.RegistryOptions;
import dev.kiln.registry.auth.Credentials;
import java.io.PrintWriter;
import java.nio.file.FileSystems;
import picocli.CommandLine.Option;

/** Options for commands that talk to registries (docker:// references). */
final class RegistryFlags {
    @Option(names = "--creds", paramLabel = "USER:PASS", description = "Credentials for the registry (else ~/.docker/config.json, REGISTRY_AUTH_FILE, containers auth.json).")
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

    RegistryOptions options(int jobs, boolean debug, PrintWriter err) {
        if (readTimeoutSeconds < 1 || readTimeoutSeconds > 3600) {
            throw new Failures.UsageException("--read-timeout must be between 1 and 3600 seconds");
        }
        RegistryOptions o = RegistryOptions.defaults().withSystemCredentials().withJobs(jobs)
                .withReadTimeout(java.time.Duration.ofSeconds(readTimeoutSeconds));
        if (creds != null) {
            try {
                o = o.withCredentials(Credentials.parse(creds));
            } catch (IllegalArgumentException e) {
                throw new Failures.UsageException("--creds: " + e.getMessage());
            }
        }
        if (certDir != null) {
            o = o.withCertDir(FileSystems.getDefault().getPath(certDir));
        }
        if (insecure || Boolean.FALSE.equals(tlsVerify)) {
            o = o.withInsecure(true);
        }
        if (debug) {
            o = o.withDebug(line -> {
                synchronized (err) {
                    err.println("debug: " + line);
                }
            });
        }
        return o;
    }
}
