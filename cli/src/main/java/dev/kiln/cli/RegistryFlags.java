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

    RegistryOptions options(int jobs, boolean debug, PrintWriter err) {
        RegistryOptions o = RegistryOptions.defaults().withSystemCredentials().withJobs(jobs);
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
