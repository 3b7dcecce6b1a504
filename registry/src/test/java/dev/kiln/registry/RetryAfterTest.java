package dev.kiln.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
    static final Instant NOW = Instant.parse("2015-10-21T07:28:00Z");

    @Test
    void seconds() {
        assertEquals(Optional.of(Duration.ofSeconds(120)), RetryAfter.parse("120", NOW));
        assertEquals(Optional.of(Duration.ZERO), RetryAfter.parse(" 0 ", NOW));
    }

    @Test
    void httpDates() {
        assertEquals(Optional.of(Duration.ofSeconds(90)), RetryAfter.parse("Wed, 21 Oct 2015 07:29:30 GMT", NOW));
        assertEquals(Optional.of(Duration.ZERO), RetryAfter.parse("Wed, 21 Oct 2015 07:00:00 GMT", NOW), "a date in the past");
    }

    @Test
    void garbageIsIgnored() {
        assertEquals(Optional.empty(), RetryAfter.parse(null, NOW));
        assertEquals(Optional.empty(), RetryAfter.parse("", NOW));
        assertEquals(Optional.empty(), RetryAfter.parse("soon", NOW));
        assertEquals(Optional.empty(), RetryAfter.parse("-5", NOW));
        assertEquals(Optional.empty(), RetryAfter.parse("1.5", NOW));
    }

    @Test
    void hugeWaitsAreCappedByThePolicy() {
        RetryPolicy p = RetryPolicy.defaults();
        Duration asked = RetryAfter.parse("99999999999999999999999", NOW).orElseThrow();
        assertEquals(p.maxRetryAfter(), p.waitFor(asked, 1));
        assertEquals(Duration.ofSeconds(3), p.waitFor(Duration.ofSeconds(3), 1));
        Duration backoff = p.waitFor(null, 3);
        assertTrue(backoff.compareTo(Duration.ofSeconds(2)) >= 0 && backoff.compareTo(Duration.ofMillis(2500)) <= 0, backoff.toString());
        assertTrue(p.backoff(30).compareTo(Duration.ofMillis(12_500)) <= 0, "capped at maxBackoff plus jitter");
    }
}
