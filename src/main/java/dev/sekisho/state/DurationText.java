package dev.sekisho.state;

import java.time.Duration;

/** Durations as operators write them: 300s, 5m, 1h, 35d. */
public final class DurationText {
    private DurationText() {
    }

    public static String format(Duration d) {
        long s = d.toSeconds();
        if (d.toMillis() % 1000 != 0) return d.toMillis() + "ms";
        if (s != 0 && s % 86400 == 0) return s / 86400 + "d";
        if (s != 0 && s % 3600 == 0) return s / 3600 + "h";
        if (s != 0 && s % 60 == 0) return s / 60 + "m";
        return s + "s";
    }
}
