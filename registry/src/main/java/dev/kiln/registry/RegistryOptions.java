package dev.kiln.registry;

import dev.kiln.registry.auth.CredentialStore;
import dev.kiln.registry.auth.Credentials;
import dev.kiln.registry.auth.DockerConfigCredentials;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How kiln talks to a registry.
 *
 * @param credentials     explicit credentials ({@code --creds}), used before the store; null for none
 * @param credentialStore where to look up credentials otherwise (anonymous when it has none)
 * @param certDir         a folder like Docker's {@code certs.d/HOST}: {@code *.crt} CA certificates added
 *                        to the trusted ones, {@code client.cert} + {@code client.key} (PEM) for mutual
 *                        TLS; null for none
 * @param insecure        skip TLS verification and allow plain HTTP (registries on loopback allow plain
 *                        HTTP without this, but their HTTPS is still verified)
 * @param jobs            blobs pushed at the same time ({@code -j})
 * @param retry           tries and backoff
 * @param chunkSize       blobs up to this size go in one PUT. Bigger blobs from content that can be
 *                        reopened at an offset go in one streamed PATCH (given the request timeout
 *                        once per chunk size); other content goes in PATCHes of this size, which is
 *                        then the memory each running upload holds (so an interrupted chunk can be
 *                        sent again)
 * @param connectTimeout  to open a connection
 * @param requestTimeout  for an answer to one request (a chunk or manifest), not a whole blob download
 * @param readTimeout     the longest silence while a body is being read; a blob download that stalls
 *                        longer is cut off and resumed from where it stopped (as after a dropped
 *                        connection), any other request is tried again
 * @param debug           receives one line per request and answer, with credentials, tokens and
 *                        query values redacted; null for none
 * @param progress        hears per-blob events
 * @param userAgent       the User-Agent header
 */
public record RegistryOptions(Credentials credentials, CredentialStore credentialStore, Path certDir, boolean insecure,
                              int jobs, RetryPolicy retry, long chunkSize, Duration connectTimeout,
                              Duration requestTimeout, Duration readTimeout, Consumer<String> debug,
                              ProgressListener progress, String userAgent) {
    public static final long DEFAULT_CHUNK_SIZE = 8L << 20;
    public static final int DEFAULT_JOBS = 4;

    public RegistryOptions {
        credentialStore = credentialStore == null ? CredentialStore.none() : credentialStore;
        if (jobs < 1 || jobs > 64) {
            throw new IllegalArgumentException("jobs must be between 1 and 64, not " + jobs);
        }
        Objects.requireNonNull(retry, "retry");
        if (chunkSize < 64 * 1024 || chunkSize > 512L << 20) {
            throw new IllegalArgumentException("chunk size must be between 64 KiB and 512 MiB, not " + chunkSize);
        }
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(readTimeout, "readTimeout");
        if (readTimeout.isNegative() || readTimeout.isZero()) {
            throw new IllegalArgumentException("read timeout must be positive, not " + readTimeout);
        }
        progress = progress == null ? ProgressListener.NONE : progress;
        userAgent = userAgent == null || userAgent.isBlank() ? "kiln" : userAgent;
    }

    /** Anonymous, TLS verified, 4 jobs, 8 MiB chunks, default retries, 60 s read timeout, no logging. */
    public static RegistryOptions defaults() {
        return new RegistryOptions(null, CredentialStore.none(), null, false, DEFAULT_JOBS, RetryPolicy.defaults(),
                DEFAULT_CHUNK_SIZE, Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofSeconds(60), null, ProgressListener.NONE, "kiln");
    }

    public RegistryOptions withCredentials(Credentials c) {
        return new RegistryOptions(c, credentialStore, certDir, insecure, jobs, retry, chunkSize, connectTimeout,
                requestTimeout, readTimeout, debug, progress, userAgent);
    }

    public RegistryOptions withCredentialStore(CredentialStore store) {
        return new RegistryOptions(credentials, store, certDir, insecure, jobs, retry, chunkSize, connectTimeout,
                requestTimeout, readTimeout, debug, progress, userAgent);
    }

    /** Looks credentials up in the real Docker and containers files ({@link DockerConfigCredentials#system()}). */
    public RegistryOptions withSystemCredentials() {
        return withCredentialStore(DockerConfigCredentials.system());
    }

    public RegistryOptions withCertDir(Path dir) {
        return new RegistryOptions(credentials, credentialStore, dir, insecure, jobs, retry, chunkSize, connectTimeout,
                requestTimeout, readTimeout, debug, progress, userAgent);
    }

    public RegistryOptions withInsecure(boolean value) {
        return new RegistryOptions(credentials, credentialStore, certDir, value, jobs, retry, chunkSize, connectTimeout,
                requestTimeout, readTimeout, debug, progress, userAgent);
    }

    public RegistryOptions withJobs(int n) {
        return new RegistryOptions(credentials, credentialStore, certDir, insecure, n, retry, chunkSize, connectTimeout,
                requestTimeout, readTimeout, debug, progress, userAgent);
    }

    public RegistryOptions withRetry(RetryPolicy policy) {
        return new RegistryOptions(credentials, credentialStore, certDir, insecure, jobs, policy, chunkSize, connectTimeout,
                requestTimeout, readTimeout, debug, progress, userAgent);
    }

    public RegistryOptions withChunkSize(long bytes) {
        return new RegistryOptions(credentials, credentialStore, certDir, insecure, jobs, retry, bytes, connectTimeout,
                requestTimeout, readTimeout, debug, progress, userAgent);
    }

    public RegistryOptions withTimeouts(Duration connect, Duration request) {
        return new RegistryOptions(credentials, credentialStore, certDir, insecure, jobs, retry, chunkSize, connect,
                request, readTimeout, debug, progress, userAgent);
    }

    /** The longest silence while a body is read (see {@link #readTimeout}). */
    public RegistryOptions withReadTimeout(Duration read) {
        return new RegistryOptions(credentials, credentialStore, certDir, insecure, jobs, retry, chunkSize, connectTimeout,
                requestTimeout, read, debug, progress, userAgent);
    }

    public RegistryOptions withDebug(Consumer<String> log) {
        return new RegistryOptions(credentials, credentialStore, certDir, insecure, jobs, retry, chunkSize, connectTimeout,
                requestTimeout, readTimeout, log, progress, userAgent);
    }

    public RegistryOptions withProgress(ProgressListener listener) {
        return new RegistryOptions(credentials, credentialStore, certDir, insecure, jobs, retry, chunkSize, connectTimeout,
                requestTimeout, readTimeout, debug, listener, userAgent);
    }

    public RegistryOptions withUserAgent(String agent) {
        return new RegistryOptions(credentials, credentialStore, certDir, insecure, jobs, retry, chunkSize, connectTimeout,
                requestTimeout, readTimeout, debug, progress, agent);
    }

    /** The credential store this client consults: the explicit credentials first. */
    CredentialStore effectiveStore() {
        return credentials == null ? credentialStore : CredentialStore.of(credentials);
    }

    @Override
    public String toString() {
        return "RegistryOptions[credentials=" + credentials + ", certDir=" + certDir + ", insecure=" + insecure
                + ", jobs=" + jobs + ", retry=" + retry + ", chunkSize=" + chunkSize + "]";
    }
}
