package dev.sekisho.state;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One call on a sliding-window tally: what failure counters ("failed logins of this account in the
 * last hour"), distinct sets ("accounts this address failed on", "passwords tried on this account")
 * and offence counts are made of.
 *
 * @param key    the tally, qualified by its purpose ("login-failures|account:bob@example.test")
 * @param member what to add: a value counted once however often it is seen; null to add an event
 *               that counts on its own every time (a plain counter)
 * @param now    the caller's clock
 * @param window how long a member counts after it was last seen
 * @param cap    most members kept for the key; past it the least recently seen go, so the count
 *               saturates at the cap (callers set it to the largest threshold they compare with)
 * @param dryRun answer without adding (the member is ignored)
 */
public record TallyRequest(String key, String member, Instant now, Duration window, int cap, boolean dryRun) {
    /** More members than any threshold needs; keeps one key's state small. */
    public static final int MAX_CAP = 10_000;

    public TallyRequest {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(window, "window");
        if (window.compareTo(Duration.ofSeconds(1)) < 0) throw new IllegalArgumentException("window must be at least 1s, was " + window);
        if (cap < 1 || cap > MAX_CAP) throw new IllegalArgumentException("cap must be 1.." + MAX_CAP + ", was " + cap);
    }

    /** Count one more event. */
    public static TallyRequest event(String key, Instant now, Duration window, int cap) {
        return new TallyRequest(key, null, now, window, cap, false);
    }

    /** Add a member (seen again: its time is refreshed, the count stays). */
    public static TallyRequest member(String key, String member, Instant now, Duration window, int cap) {
        return new TallyRequest(key, Objects.requireNonNull(member, "member"), now, window, cap, false);
    }

    /** Read the count as it is now. */
    public static TallyRequest peek(String key, Instant now, Duration window, int cap) {
        return new TallyRequest(key, null, now, window, cap, true);
    }
}
