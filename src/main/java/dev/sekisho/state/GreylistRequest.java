package dev.sekisho.state;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * postgrey's semantics: a triplet must be retried after {@code delay} and within
 * {@code retryWindow} of its first sighting; entries unseen for {@code maxAge} are forgotten; a
 * client whose triplets passed {@code autoAllowAfter} times is let through without delay (0: never).
 * A client's passes are counted, and an allowed client's {@code maxAge} renewed, at most once an hour.
 *
 * @param triplet the normalised (client network, sender, recipient) key
 * @param client  the client's key for auto-allow: its IP address, as postgrey's --auto-whitelist-clients
 */
public record GreylistRequest(String triplet, String client, Instant now, Duration delay, Duration retryWindow,
                              Duration maxAge, int autoAllowAfter, boolean dryRun) {
    public GreylistRequest {
        Objects.requireNonNull(triplet, "triplet");
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(now, "now");
        if (delay.isNegative()) throw new IllegalArgumentException("delay must be >= 0, was " + delay);
        if (retryWindow.compareTo(delay) <= 0) throw new IllegalArgumentException("retry window " + retryWindow + " must exceed delay " + delay);
        if (maxAge.compareTo(retryWindow) < 0) throw new IllegalArgumentException("max age " + maxAge + " must be at least the retry window " + retryWindow);
        if (autoAllowAfter < 0) throw new IllegalArgumentException("autoAllowAfter must be >= 0, was " + autoAllowAfter);
    }
}
