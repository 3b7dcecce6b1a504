package dev.kiln.registry.auth;

import java.util.Optional;

/** Where credentials for a registry come from: given on the command line, or config files. */
@FunctionalInterface
public interface CredentialStore {
    /**
     * The credentials for a repository of a registry, if any.
     *
     * @param registry   the registry as written in image names ({@code docker.io}, {@code 127.0.0.1:5000})
     * @param repository the repository ({@code library/alpine}), or null for registry-wide credentials
     */
    Optional<Credentials> find(String registry, String repository);

    /** No credentials at all (anonymous access). */
    static CredentialStore none() {
        return (registry, repository) -> Optional.empty();
    }

    /** The same credentials for every registry (as {@code --creds} gives them). */
    static CredentialStore of(Credentials credentials) {
        return (registry, repository) -> Optional.of(credentials);
    }

    /** The credentials of this store, else of {@code next}. */
    default CredentialStore orElse(CredentialStore next) {
        CredentialStore self = this;
        return (registry, repository) -> {
            Optional<Credentials> c = self.find(registry, repository);
            return c.isPresent() ? c : next.find(registry, repository);
        };
    }
}
