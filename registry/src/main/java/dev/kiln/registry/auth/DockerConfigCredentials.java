package dev.kiln.registry.auth;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Credentials from the files Docker, podman and skopeo keep, in {@link AuthEnvironment#credentialFiles()}
 * order; the first file with an answer for the registry wins. Files that do not exist are skipped.
 */
public final class DockerConfigCredentials implements CredentialStore {
    private final AuthEnvironment environment;

    public DockerConfigCredentials(AuthEnvironment environment) {
        this.environment = environment;
    }

    /** The real home folder and environment. */
    public static DockerConfigCredentials system() {
        return new DockerConfigCredentials(AuthEnvironment.system());
    }

    @Override
    public Optional<Credentials> find(String registry, String repository) {
        List<Path> files = environment.credentialFiles();
        for (Path file : files) {
            if (!java.nio.file.Files.isRegularFile(file)) {
                continue;
            }
            Optional<Credentials> c = DockerConfigFile.read(file).find(registry, repository, environment);
            if (c.isPresent()) {
                return c;
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "DockerConfigCredentials[" + environment.credentialFiles() + "]";
    }
}
