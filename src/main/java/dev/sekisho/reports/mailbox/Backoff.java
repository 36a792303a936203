package dev.sekisho.reports.mailbox;

import java.time.Duration;
import java.util.Objects;

/**
 * How long to wait before reconnecting after the {@code n}th failure in a row: {@code first}, doubling each time,
 * never more than {@code max}. Doubling keeps a server that is down from being hammered while a short outage is
 * bridged within seconds.
 */
public record Backoff(Duration first, Duration max) {
    public Backoff {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(max, "max");
        if (first.isNegative() || first.isZero()) throw new IllegalArgumentException("the first backoff must be positive, was " + first);
        if (max.compareTo(first) < 0) throw new IllegalArgumentException("the longest backoff " + max + " is shorter than the first " + first);
    }

    public static Backoff defaults() {
        return new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5));
    }

    /** The wait after {@code failures} failures in a row (1 for the first). */
    public Duration delay(int failures) {
        if (failures < 1) throw new IllegalArgumentException("failures must be at least 1, was " + failures);
        Duration delay = first;
        for (int i = 1; i < failures && delay.compareTo(max) < 0; i++) delay = delay.multipliedBy(2);
        return delay.compareTo(max) > 0 ? max : delay;
    }
}
