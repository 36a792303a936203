package dev.sekisho.state;

import java.time.Duration;
import java.util.Objects;

/** At most {@code limit} units per {@code period}, with no boundary bursts (GCRA). */
public record RateWindow(long limit, Duration period) {
    public RateWindow {
        Objects.requireNonNull(period, "period");
        if (limit <= 0) throw new IllegalArgumentException("limit must be positive, was " + limit);
        if (period.compareTo(Duration.ofSeconds(1)) < 0) throw new IllegalArgumentException("period must be at least 1s, was " + period);
    }

    /** GCRA emission interval: the time one unit takes to drain, in nanoseconds (may be fractional). */
    public double emissionIntervalNanos() {
        return (double) period.toNanos() / limit;
    }

    @Override
    public String toString() {
        return limit + "/" + DurationText.format(period);
    }
}
