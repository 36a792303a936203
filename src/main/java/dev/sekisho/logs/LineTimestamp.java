package dev.sekisho.logs;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The timestamp at the start of a log line or syslog message, in either of the two shapes mail logs use:
 * <ul>
 *     <li>BSD {@code Mmm dd hh:mm:ss} (RFC 3164 section 4.1.2), as syslogd writes files and as Postfix's postlogd
 *     and Dovecot's log_path write theirs ("Dec  2" space-padded, "Dec 02" zero-padded). It has no year and no
 *     zone: the zone is the configured one, and the year is the one that puts the line nearest to when it was
 *     received, so a line of 31 December read on 1 January belongs to the year before.</li>
 *     <li>RFC 3339 (RFC 5424 section 6.2.3), complete with its offset, e.g. {@code 2026-12-02T06:00:01.123+09:00}.</li>
 * </ul>
 *
 * @param at  the moment
 * @param end index in the text just past the timestamp
 */
public record LineTimestamp(Instant at, int end) {
    private static final Duration FUTURE_SLACK = Duration.ofDays(1);
    private static final List<String> MONTHS = List.of("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
            "Oct", "Nov", "Dec");

    /** The BSD or RFC 3339 timestamp at {@code start}, or empty when there is none there. */
    public static Optional<LineTimestamp> parse(String text, int start, Instant received, ZoneId zone) {
        Optional<LineTimestamp> bsd = bsd(text, start, received, zone);
        return bsd.isPresent() ? bsd : rfc3339(text, start);
    }

    /** RFC 3164 section 4.1.2: "Mmm dd hh:mm:ss", day space-padded; zero-padded and unpadded days are accepted too. */
    static Optional<LineTimestamp> bsd(String text, int start, Instant received, ZoneId zone) {
        if (text.length() < start + 14) return Optional.empty();
        int month = MONTHS.indexOf(text.substring(start, start + 3)) + 1;
        if (month == 0 || text.charAt(start + 3) != ' ') return Optional.empty();
        int i = start + 4;
        if (text.charAt(i) == ' ') i++; // "Dec  2"
        int dayStart = i;
        while (i < text.length() && i < dayStart + 2 && Character.isDigit(text.charAt(i))) i++;
        if (i == dayStart || i >= text.length() || text.charAt(i) != ' ') return Optional.empty();
        int day = Integer.parseInt(text, dayStart, i, 10);
        i++;
        if (text.length() < i + 8 || text.charAt(i + 2) != ':' || text.charAt(i + 5) != ':') return Optional.empty();
        int hour = twoDigits(text, i);
        int minute = twoDigits(text, i + 3);
        int second = twoDigits(text, i + 6);
        if (hour < 0 || minute < 0 || second < 0) return Optional.empty();
        Instant at = withYearFilledIn(month, day, hour, minute, second, received, zone);
        if (at == null) return Optional.empty();
        return Optional.of(new LineTimestamp(at, i + 8));
    }

    /**
     * The year is not in the line. Lines are read after they were written, so it is the latest year (of last,
     * this and next, in the configured zone) that does not put the line more than a day after it was received:
     * a line of 31 December read on 1 January belongs to the old year, one dated a week ahead is last year's, and
     * a sender whose clock runs a little into the new year keeps it. The day of slack also covers a zone
     * configured a few hours wrong.
     */
    static Instant withYearFilledIn(int month, int day, int hour, int minute, int second, Instant received, ZoneId zone) {
        int year = received.atZone(zone).getYear();
        Instant latestAllowed = received.plus(FUTURE_SLACK);
        for (int y = year + 1; y >= year - 1; y--) {
            Instant candidate;
            try {
                candidate = ZonedDateTime.of(LocalDateTime.of(y, month, day, hour, minute, second), zone).toInstant();
            } catch (DateTimeException noSuchDay) { // 29 February of a common year, 31 April
                continue;
            }
            if (!candidate.isAfter(latestAllowed)) return candidate;
        }
        return null;
    }

    /** RFC 5424 section 6.2.3: FULL-DATE "T" FULL-TIME with TIME-OFFSET "Z" or +hh:mm (RFC 3339 section 5.6). */
    static Optional<LineTimestamp> rfc3339(String text, int start) {
        int end = text.indexOf(' ', start);
        if (end < 0) end = text.length();
        if (end - start < 20 || !Character.isDigit(text.charAt(start))) return Optional.empty();
        String token = text.substring(start, end);
        try {
            return Optional.of(new LineTimestamp(OffsetDateTime.parse(token.toUpperCase(Locale.ROOT),
                    DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant(), end));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static int twoDigits(String text, int i) {
        char a = text.charAt(i);
        char b = text.charAt(i + 1);
        if (a < '0' || a > '9' || b < '0' || b > '9') return -1;
        return (a - '0') * 10 + (b - '0');
    }
}
