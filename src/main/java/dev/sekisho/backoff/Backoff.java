package dev.sekisho.backoff;

import java.time.Duration;
import java.util.Objects;

/**
 * How long to wait after the {@code n}th failure in a row: {@code first}, multiplied by {@code growth} for each
 * failure before it, never more than {@code max}. Used for reconnecting to a mailbox, retrying a notification and the
 * length of a repeated login block.
 *
 * <p>No jitter: every user spaces out the repeats of one thing (one mailbox, one delivery, one subject's blocks), not
 * a crowd of clients that could synchronise, and a block's length is evidence shown to people, so it must be
 * predictable.
 */
public record Backoff(Duration first, int growth, Duration max) {
    public Backoff {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(max, "max");
        if (first.isNegative() || first.isZero()) throw new IllegalArgumentException("the first wait must be positive, was " + first);
        if (growth < 1) throw new IllegalArgumentException("growth must be at least 1, was " + growth);
        if (max.compareTo(first) < 0) throw new IllegalArgumentException("the longest wait " + max + " is shorter than the first " + first);
    }

    /** {@code first}, doubling each time, up to {@code max}. */
    public static Backoff doubling(Duration first, Duration max) {
        return new Backoff(first, 2, max);
    }

    /** The wait after {@code failures} failures in a row (1 for the first). */
    public Duration after(long failures) {
        if (failures < 1) throw new IllegalArgumentException("failures must be at least 1, was " + failures);
        if (growth == 1) return first;
        Duration wait = first;
        for (long i = 1; i < failures && wait.compareTo(max) < 0; i++) {
            // Past max / growth the product would pass max anyway; stopping there also keeps it from overflowing.
            if (wait.compareTo(max.dividedBy(growth)) > 0) return max;
            wait = wait.multipliedBy(growth);
        }
        return wait.compareTo(max) > 0 ? max : wait;
    }
}
