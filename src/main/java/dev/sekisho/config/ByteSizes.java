package dev.sekisho.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes as operators write them, and as RFC 7489 6.2 writes a report URI's size limit: digits, then optionally
 * {@code k}, {@code m}, {@code g} or {@code t} (either case) for powers of 1024: 1000000, 64k, 512m, 1g, 2t.
 */
public final class ByteSizes {
    private static final Pattern SIZE = Pattern.compile("([0-9]+)([kKmMgGtT]?)");

    private ByteSizes() {
    }

    /**
     * The size in bytes; one too large for a long is {@link Long#MAX_VALUE} (no real limit is that large, and the
     * grammar sets no bound on the digits).
     *
     * @throws IllegalArgumentException saying which forms are accepted, for text in none of them; the caller prefixes
     *                                  the key or option it came from
     */
    public static long parse(String text) {
        Matcher m = SIZE.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("must be a size like 1000000, 64k, 512m or 1g (k, m, g, t: powers of 1024), was \"" + text + "\"");
        }
        int shift = switch (m.group(2)) {
            case "k", "K" -> 10;
            case "m", "M" -> 20;
            case "g", "G" -> 30;
            case "t", "T" -> 40;
            default -> 0;
        };
        String digits = m.group(1).replaceFirst("^0+(?=.)", "");
        if (digits.length() > 18) return Long.MAX_VALUE; // 19 digits may already pass a long
        long n = Long.parseLong(digits);
        return n > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : n << shift;
    }
}
