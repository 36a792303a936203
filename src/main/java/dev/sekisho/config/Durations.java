package dev.sekisho.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as operators write them: 500ms, 300s, 5m, 1h, 2d, 1w; a bare number is seconds. */
public final class Durations {
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d|w)");

    private Durations() {
    }

    public static Duration parse(String text) {
        if (text.matches("\\d+")) return Duration.ofSeconds(Long.parseLong(text));
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) throw new IllegalArgumentException("must be a duration like 500ms, 300s, 5m, 1h or 35d, was \"" + text + "\"");
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofDays(7 * n);
        };
    }
}
