package dev.sekisho.logs;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

class LineTimestampTest {
    private static final ZoneId TOKYO = ZoneId.of("Asia/Tokyo");

    private static Instant bsd(String text, String received, ZoneId zone) {
        return LineTimestamp.parse(text, 0, Instant.parse(received), zone).orElseThrow().at();
    }

    @Test
    void bsdTimestampTakesTheConfiguredZoneAndTheReceivingYear() {
        assertThat(bsd("Dec  2 15:00:01 host x: y", "2026-12-02T06:00:05Z", TOKYO)).isEqualTo("2026-12-02T06:00:01Z");
        // postlogd and Dovecot's log_path pad the day with a zero
        assertThat(bsd("Dec 02 15:00:01 x: y", "2026-12-02T06:00:05Z", TOKYO)).isEqualTo("2026-12-02T06:00:01Z");
        assertThat(LineTimestamp.parse("Dec 02 15:00:01 x", 0, Instant.parse("2026-12-02T06:00:05Z"), TOKYO).orElseThrow().end())
                .isEqualTo(15);
    }

    @Test
    void lineOfNewYearsEveReadAfterMidnightBelongsToTheOldYear() {
        // 23:59:59 on 31 December in Tokyo, read at 00:00:02 on 1 January (Tokyo) = 15:00:02 UTC on 31 December
        assertThat(bsd("Dec 31 23:59:59 host x: y", "2026-12-31T15:00:02Z", TOKYO)).isEqualTo("2026-12-31T14:59:59Z");
        // read a little later, in the new year's UTC too
        assertThat(bsd("Dec 31 23:59:59 host x: y", "2027-01-01T00:10:00Z", ZoneOffset.UTC)).isEqualTo("2026-12-31T23:59:59Z");
    }

    @Test
    void senderWhoseClockIsAlreadyInTheNewYearKeepsIt() {
        assertThat(bsd("Jan  1 00:00:05 host x: y", "2026-12-31T23:59:58Z", ZoneOffset.UTC)).isEqualTo("2027-01-01T00:00:05Z");
    }

    @Test
    void lineDatedDaysAheadIsLastYears() {
        assertThat(bsd("Dec 11 20:15:37 host x: y", "2026-12-02T06:00:00Z", ZoneOffset.UTC)).isEqualTo("2025-12-11T20:15:37Z");
    }

    @Test
    void leapDayFindsTheLeapYear() {
        assertThat(bsd("Feb 29 10:00:00 host x: y", "2029-01-10T00:00:00Z", ZoneOffset.UTC)).isEqualTo("2028-02-29T10:00:00Z");
    }

    @Test
    void rfc3339TimestampIsTakenAsItIs() {
        assertThat(bsd("2026-12-02T15:00:01.123456+09:00 host x: y", "2030-01-01T00:00:00Z", ZoneOffset.UTC))
                .isEqualTo("2026-12-02T06:00:01.123456Z");
    }

    @Test
    void noTimestampIsEmpty() {
        Instant now = Instant.parse("2026-12-02T06:00:00Z");
        assertThat(LineTimestamp.parse("Foo  2 15:00:01 host", 0, now, TOKYO)).isEmpty();
        assertThat(LineTimestamp.parse("Dec  2 25:00:01 host", 0, now, TOKYO)).isEmpty();
        assertThat(LineTimestamp.parse("Dec 2", 0, now, TOKYO)).isEmpty();
        assertThat(LineTimestamp.parse("2026-13-02T15:00:01Z host", 0, now, TOKYO)).isEmpty();
    }
}
