package dev.sekisho.state;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * @param key     the counted thing, qualified by the limit's name ("per-client-ip|203.0.113.7")
 * @param windows the limit's windows; each is kept as its own counter
 * @param cost    units to charge (1 message, n recipients, n bytes)
 * @param now     the caller's clock
 * @param dryRun  answer without charging
 */
public record RateRequest(String key, List<RateWindow> windows, long cost, Instant now, boolean dryRun) {
    public RateRequest {
        Objects.requireNonNull(key, "key");
        windows = List.copyOf(windows);
        if (windows.isEmpty()) throw new IllegalArgumentException("a rate request needs at least one window");
        if (cost < 0) throw new IllegalArgumentException("cost must be >= 0, was " + cost);
        Objects.requireNonNull(now, "now");
    }
}
