package dev.sekisho.checks;

import java.time.Duration;
import java.time.Instant;

/** "Try again in N seconds" for SMTP replies: rounded up, so a client that waits N seconds is never early. */
final class WholeSeconds {
    private WholeSeconds() {
    }

    static long until(Instant now, Instant then) {
        if (then.equals(Instant.MAX)) return Long.MAX_VALUE;
        Duration d = Duration.between(now, then);
        long seconds = d.toSeconds() + (d.toNanosPart() > 0 ? 1 : 0);
        return Math.max(1, seconds);
    }
}
