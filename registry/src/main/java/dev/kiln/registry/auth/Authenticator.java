package dev.kiln.registry.auth;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides the {@code Authorization} header of requests to one registry. It learns the registry's
 * scheme from the {@code WWW-Authenticate} challenge of the ping or of a 401: Basic sends the
 * credentials; Bearer gets a token for the request's scopes (see {@link BearerTokens}). After a
 * 401 it says whether trying again can help: a refused token is dropped and fetched anew (an
 * expired token mid-push); refused Basic credentials cannot get better.
 */
public final class Authenticator {
    private final String registry;
    private final CredentialStore store;
    private final BearerTokens tokens;
    private final Map<String, Optional<Credentials>> found = new ConcurrentHashMap<>();
    private volatile Challenge challenge;

    public Authenticator(String registry, CredentialStore store, BearerTokens tokens) {
        this.registry = registry;
        this.store = store;
        this.tokens = tokens;
    }

    /** Remembers the challenge of an answer (the ping's 401), when it has a usable one. */
    public void learn(List<String> wwwAuthenticate) {
        pick(Challenge.parseAll(wwwAuthenticate)).ifPresent(c -> challenge = c);
    }

    /** The credentials for a repository (looked up once per repository). */
    public Optional<Credentials> credentials(String repository) {
        String key = repository == null ? "" : repository;
        return found.computeIfAbsent(key, k -> store.find(registry, repository));
    }

    /** True when requests carry something derived from credentials (not an anonymous token). */
    public boolean usesCredentials(String repository) {
        return challenge != null && credentials(repository).isPresent();
    }

    /** The header for a request needing these scopes, or null when the registry has asked for nothing. */
    public String authorization(Set<String> scopes, String repository) {
        Challenge c = challenge;
        if (c == null) {
            return null;
        }
        Optional<Credentials> creds = credentials(repository);
        if (c.isBasic()) {
            return creds.filter(x -> !x.isIdentityToken()).map(Credentials::basicAuthorization).orElse(null);
        }
        return "Bearer " + tokens.token(c, scopes, creds.orElse(null));
    }

    /**
     * Handles a 401. Adds the scopes the challenge names to {@code scopes} and returns true when a
     * retry may succeed with the (new) header.
     *
     * @param sent the Authorization header the refused request carried, or null
     */
    public boolean unauthorized(List<String> wwwAuthenticate, Set<String> scopes, String repository, String sent) {
        Optional<Challenge> picked = pick(Challenge.parseAll(wwwAuthenticate));
        if (picked.isEmpty()) {
            return false;
        }
        Challenge c = picked.get();
        challenge = c;
        if (c.isBearer()) {
            scopes.addAll(c.scopes());
            if (sent != null && sent.startsWith("Bearer ")) {
                tokens.invalidate(sent.substring("Bearer ".length()));
            }
            return true;
        }
        if (sent != null && sent.startsWith("Basic ")) {
            return false; // the credentials themselves were refused
        }
        return credentials(repository).filter(x -> !x.isIdentityToken()).isPresent();
    }

    private static Optional<Challenge> pick(List<Challenge> challenges) {
        Optional<Challenge> bearer = challenges.stream().filter(Challenge::isBearer).findFirst();
        return bearer.isPresent() ? bearer : challenges.stream().filter(Challenge::isBasic).findFirst();
    }

    /** The scheme the registry asked for ("Bearer", "Basic"), or null before any challenge. */
    public String scheme() {
        Challenge c = challenge;
        return c == null ? null : c.scheme();
    }

    @Override
    public String toString() {
        return "Authenticator[" + registry + ", " + scheme() + "]";
    }
}
