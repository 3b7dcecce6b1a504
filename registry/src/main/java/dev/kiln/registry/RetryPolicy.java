package dev.kiln.registry;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How often and how patiently failed requests are tried again: on 5xx answers, 429 (waiting what
 * {@code Retry-After} asks, up to {@link #maxRetryAfter}), and connection failures of requests that
 * can be repeated (uploads resume instead). Backoff doubles from {@link #initialBackoff} up to
 * {@link #maxBackoff}, with up to 25% jitter.
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration maxRetryAfter) {
    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("retry policy: maxAttempts must be at least 1");
        }
        if (initialBackoff.isNegative() || maxBackoff.isNegative() || maxRetryAfter.isNegative()) {
            throw new IllegalArgumentException("retry policy: durations must not be negative");
        }
    }

    /** Five tries, 500 ms doubling to 10 s, Retry-After honoured up to 60 s. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(5, Duration.ofMillis(500), Duration.ofSeconds(10), Duration.ofSeconds(60));
    }

    /** One try only. */
    public static RetryPolicy none() {
        return new RetryPolicy(1, Duration.ZERO, Duration.ZERO, Duration.ZERO);
    }

    /** The wait before try {@code attempt + 1} after try {@code attempt} (1-based) failed. */
    public Duration backoff(int attempt) {
        long base = initialBackoff.toMillis();
        long ms = base << Math.min(Math.max(attempt - 1, 0), 20);
        ms = Math.min(ms, maxBackoff.toMillis());
        long jitter = ms <= 0 ? 0 : ThreadLocalRandom.current().nextLong(ms / 4 + 1);
        return Duration.ofMillis(ms + jitter);
    }

    /** The wait a 429 or 503 asks for, capped; the backoff when it asks nothing usable. */
    public Duration waitFor(Duration retryAfter, int attempt) {
        if (retryAfter == null) {
            return backoff(attempt);
        }
        return retryAfter.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : retryAfter;
    }
}
