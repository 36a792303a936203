package dev.sekisho.backoff;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackoffTest {
    @Test
    void startsAtFirstGrowsByTheFactorAndStopsAtMaxWithoutJitter() {
        Backoff backoff = new Backoff(Duration.ofMinutes(15), 3, Duration.ofHours(3));
        assertThat(LongStream.rangeClosed(1, 6).mapToObj(backoff::after)).containsExactly(Duration.ofMinutes(15), Duration.ofMinutes(45),
                Duration.ofMinutes(135), Duration.ofHours(3), Duration.ofHours(3), Duration.ofHours(3));
        assertThat(backoff.after(2)).as("no jitter: the same answer every time").isEqualTo(backoff.after(2));

        Backoff doubling = Backoff.doubling(Duration.ofSeconds(1), Duration.ofMinutes(5));
        assertThat(LongStream.of(1, 2, 9, 10, 1000, Long.MAX_VALUE).mapToObj(doubling::after)).containsExactly(Duration.ofSeconds(1),
                Duration.ofSeconds(2), Duration.ofSeconds(256), Duration.ofMinutes(5), Duration.ofMinutes(5), Duration.ofMinutes(5));
        assertThat(new Backoff(Duration.ofSeconds(7), 1, Duration.ofMinutes(1)).after(50)).as("growth 1: constant").isEqualTo(Duration.ofSeconds(7));
        assertThat(Backoff.doubling(Duration.ofDays(1), Duration.ofSeconds(Long.MAX_VALUE)).after(200))
                .as("a huge max saturates instead of overflowing").isEqualTo(Duration.ofSeconds(Long.MAX_VALUE));
    }

    @Test
    void refusesWhatCannotBeABackoffNamingTheValue() {
        assertThatThrownBy(() -> Backoff.doubling(Duration.ZERO, Duration.ofSeconds(1))).hasMessage("the first wait must be positive, was PT0S");
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), 0, Duration.ofSeconds(1))).hasMessage("growth must be at least 1, was 0");
        assertThatThrownBy(() -> Backoff.doubling(Duration.ofMinutes(1), Duration.ofSeconds(1)))
                .hasMessage("the longest wait PT1S is shorter than the first PT1M");
        assertThatThrownBy(() -> Backoff.doubling(Duration.ofSeconds(1), Duration.ofSeconds(1)).after(0)).hasMessage("failures must be at least 1, was 0");
    }
}
