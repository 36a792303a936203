package dev.sekisho.account;

import dev.sekisho.state.memory.MemoryStateStore;
import dev.sekisho.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Recent logins expire the retention after an account's last one; its settings stay. */
class AccountBookTest {
    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    private final MutableClock clock = new MutableClock(T0);
    private final MemoryStateStore store = MemoryStateStore.inMemory(MemoryStateStore.Options.defaults().withMaintenanceThread(false), clock);
    private final AccountBook book = new AccountBook(store, 2, Duration.ofDays(7));

    @AfterEach
    void close() {
        store.close();
    }

    private static LoginRecord login(Instant at, String country) {
        return new LoginRecord(at, "192.0.2.7", country, "imap", "ok");
    }

    @Test
    void anAccountThatLogsInKeepsItsHistoryAndAnIdleOneLeavesTheStore() {
        book.refuseAbroad("Alice@example.jp", true, "cli:desk", T0);
        book.recordLogin("alice@example.jp", login(T0, "JP"));
        book.recordLogin("bob@example.jp", login(T0, "JP"));
        Instant sixDays = T0.plus(Duration.ofDays(6));
        book.recordLogin("ALICE@example.jp", login(sixDays, "KR"));
        book.recordLogin("alice@example.jp", login(sixDays.plusSeconds(1), "US"));

        Instant tenDays = T0.plus(Duration.ofDays(10));
        assertThat(book.logins("alice@example.jp", tenDays)).as("at most the history size, newest first, kept alive by the last login")
                .extracting(LoginRecord::country).containsExactly("US", "KR");
        assertThat(book.logins("bob@example.jp", tenDays)).as("idle for the retention").isEmpty();

        clock.set(tenDays);
        assertThat(store.sweepExpired()).as("bob's list is swept").isEqualTo(1);
        assertThat(store.stats().keys()).isEqualTo(1);

        clock.set(sixDays.plus(Duration.ofDays(8)));
        store.sweepExpired();
        assertThat(store.stats().keys()).isZero();
        assertThat(book.settings("alice@example.jp").refuseAbroad()).as("settings never expire").isTrue();
    }

    @Test
    void aRetentionMustBePositive() {
        assertThatThrownBy(() -> new AccountBook(store, 20, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("historyRetention must be positive");
    }
}
