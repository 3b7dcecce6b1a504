package dev.kiln.cli;

import picocli.CommandLine.Option;

/**
 * The per-registry options of a copy, one set per side, as skopeo has them: credentials for the
 * source never reach the destination and the other way round. Each applies only to a docker://
 * reference on its side.
 */
final class SideRegistryFlags {
    @Option(names = "--src-creds", paramLabel = "USER:PASS", description = "Credentials for the source registry only.")
    String srcCreds;

    @Option(names = "--dest-creds", paramLabel = "USER:PASS", description = "Credentials for the destination registry only.")
    String destCreds;

    @Option(names = "--src-cert-dir", paramLabel = "DIR", description = "ca.crt, client.cert, client.key for the source registry's TLS.")
    String srcCertDir;

    @Option(names = "--dest-cert-dir", paramLabel = "DIR", description = "ca.crt, client.cert, client.key for the destination registry's TLS.")
    String destCertDir;

    @Option(names = "--src-tls-verify", arity = "1", paramLabel = "true|false",
            description = "Verify the source registry's TLS (default true); false also allows plain HTTP to it.")
    Boolean srcTlsVerify;

    @Option(names = "--dest-tls-verify", arity = "1", paramLabel = "true|false",
            description = "Verify the destination registry's TLS (default true); false also allows plain HTTP to it.")
    Boolean destTlsVerify;

    boolean anySource() {
        return srcCreds != null || srcCertDir != null || srcTlsVerify != null;
    }

    boolean anyDestination() {
        return destCreds != null || destCertDir != null || destTlsVerify != null;
    }

    /**
     * The registry options of each side of a copy. On a copy between two registries only the
     * {@code --src-*} and {@code --dest-*} options count, and the plain ones are bad usage (they name
     * no side); with one registry, the plain ones or that side's apply to it (not both kinds). Options
     * for a side that is not a registry are bad usage too.
     */
    Sides resolve(RegistryFlags plain, boolean sourceIsRegistry, boolean destinationIsRegistry) {
        if (sourceIsRegistry && destinationIsRegistry && plain.namesARegistry()) {
            throw new Failures.UsageException("--creds, --cert-dir, --insecure and --tls-verify name no side on a copy between two"
                    + " registries: use --src-creds/--dest-creds, --src-cert-dir/--dest-cert-dir, --src-tls-verify/--dest-tls-verify");
        }
        if (!sourceIsRegistry && anySource()) {
            throw new Failures.UsageException("--src-creds, --src-cert-dir and --src-tls-verify apply to a docker:// source; SOURCE is not one");
        }
        if (!destinationIsRegistry && anyDestination()) {
            throw new Failures.UsageException("--dest-creds, --dest-cert-dir and --dest-tls-verify apply to a docker:// destination; DEST is not one");
        }
        if (plain.namesARegistry() && (anySource() || anyDestination())) {
            throw new Failures.UsageException("give --creds/--cert-dir/--insecure/--tls-verify or the --src-*/--dest-* options, not both");
        }
        boolean plainInsecure = plain.insecure || Boolean.FALSE.equals(plain.tlsVerify);
        RegistryFlags.Side source = anySource() || !sourceIsRegistry
                ? new RegistryFlags.Side("--src-creds", srcCreds, srcCertDir, Boolean.FALSE.equals(srcTlsVerify))
                : new RegistryFlags.Side("--creds", plain.creds, plain.certDir, plainInsecure);
        RegistryFlags.Side destination = anyDestination() || !destinationIsRegistry
                ? new RegistryFlags.Side("--dest-creds", destCreds, destCertDir, Boolean.FALSE.equals(destTlsVerify))
                : new RegistryFlags.Side("--creds", plain.creds, plain.certDir, plainInsecure);
        return new Sides(source, destination);
    }

    record Sides(RegistryFlags.Side source, RegistryFlags.Side destination) {
    }
}
