package dev.sekisho.checks;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OpenTransactionsTest {
    private static final Instant T0 = Instant.parse("2026-12-04T10:00:00Z");
    private final List<String> warnings = new ArrayList<>();

    @Test
    void countsPerTransactionLimitAndKeyUntilTheTransactionEnds() {
        OpenTransactions held = new OpenTransactions(64, Duration.ofHours(1), warnings::add);
        held.add("T1", "per-domain", "one.example", 1, T0);
        held.add("T1", "per-domain", "one.example", 1, T0);
        held.add("T1", "per-domain", "two.example", 1, T0);
        held.add("T1", "per-account", "alice", 3, T0);
        held.add("T2", "per-account", "alice", 1, T0);
        assertThat(held.count("T1", "per-domain", "one.example")).isEqualTo(2);
        assertThat(held.count("T1", "per-account", "alice")).isEqualTo(3);
        assertThat(held.count("T3", "per-account", "alice")).isZero();
        assertThat(held.counts("T1", "per-domain")).isEqualTo(Map.of("one.example", 2L, "two.example", 1L));

        assertThat(held.end("T1", "per-domain")).isEqualTo(Map.of("one.example", 2L, "two.example", 1L));
        assertThat(held.count("T1", "per-domain", "one.example")).isZero();
        assertThat(held.count("T1", "per-account", "alice")).as("another limit's count stays until its own end").isEqualTo(3);
        assertThat(held.open()).isEqualTo(2);
        assertThat(held.end("T1", "per-account")).isEqualTo(Map.of("alice", 3L));
        assertThat(held.open()).as("a transaction no limit holds anything in is gone").isEqualTo(1);
        assertThat(held.abandoned()).isZero();
    }

    @Test
    void endingTheWholeTransactionForgetsEveryCountOfItsServiceOnly() {
        OpenTransactions held = new OpenTransactions(64, Duration.ofHours(1), warnings::add);
        held.add("T1", "mx/per-ip", "203.0.113.7", 2, T0);
        held.add("T1", "mx/per-domain", "one.example", 1, T0);
        held.add("T1", "relay/per-ip", "203.0.113.7", 1, T0);
        held.add("T2", "mx/per-ip", "203.0.113.7", 1, T0);
        held.endAll("T1", "mx");
        assertThat(held.count("T1", "mx/per-ip", "203.0.113.7")).isZero();
        assertThat(held.counts("T1", "mx/per-domain")).isEmpty();
        assertThat(held.count("T1", "relay/per-ip", "203.0.113.7")).as("another service asked about the same transaction").isEqualTo(1);
        assertThat(held.count("T2", "mx/per-ip", "203.0.113.7")).isEqualTo(1);
        held.endAll("T1", "relay");
        assertThat(held.open()).isEqualTo(1);
        assertThat(held.abandoned()).isZero();
    }

    @Test
    void givingBackNeverGoesBelowZeroAndATransactionWithoutAnIdIsNotHeld() {
        OpenTransactions held = new OpenTransactions(64, Duration.ofHours(1), warnings::add);
        held.add("T1", "limit", "k", 1, T0);
        held.add("T1", "limit", "k", -1, T0);
        held.add("T1", "limit", "k", -1, T0);
        assertThat(held.count("T1", "limit", "k")).isZero();
        held.add("T9", "limit", "k", -1, T0);
        assertThat(held.count("T9", "limit", "k")).as("giving back to a transaction not held opens nothing").isZero();
        held.add("", "limit", "k", 5, T0);
        assertThat(held.count("", "limit", "k")).isZero();
        assertThat(held.end("", "limit")).isEmpty();
    }

    @Test
    void transactionsOpenLongerThanTheMaximumAgeAreForgotten() {
        OpenTransactions held = new OpenTransactions(1600, Duration.ofHours(1), warnings::add);
        held.add("old", "per-ip", "203.0.113.7", 2, T0);
        held.add("new", "per-ip", "203.0.113.7", 1, T0.plus(Duration.ofMinutes(59)));
        // Age is judged within a stripe when it opens another transaction: open enough that every stripe does.
        for (int i = 0; i < 200; i++) held.add("later-" + i, "per-ip", "198.51.100.1", 1, T0.plus(Duration.ofMinutes(61)));
        assertThat(held.count("old", "per-ip", "203.0.113.7")).isZero();
        assertThat(held.count("new", "per-ip", "203.0.113.7")).as("59 minutes old at 61: kept").isEqualTo(1);
        assertThat(held.abandoned()).as("room for all: only the old one went").isEqualTo(1);
        assertThat(held.open()).isEqualTo(201);
    }

    @Test
    void aLimitThatLetsMailThroughButNeverSeesEndOfMessageIsNamedOnce() {
        OpenTransactions held = new OpenTransactions(64, Duration.ofHours(1), warnings::add);
        for (int i = 1; i < OpenTransactions.LET_THROUGH_BEFORE_WARNING; i++) held.letThroughAtRcpt("mx", "per-ip", T0.plusSeconds(6L * i));
        assertThat(warnings).as("99, over ten minutes: fewer than the threshold").isEmpty();
        Instant hundredth = T0.plus(Duration.ofMinutes(10));
        held.letThroughAtRcpt("mx", "per-ip", hundredth);
        held.letThroughAtRcpt("mx", "per-ip", hundredth.plus(OpenTransactions.QUIET_BEFORE_WARNING).minusMillis(1));
        assertThat(warnings).as("the 100th, and not yet five minutes after it").isEmpty();
        for (int i = 1; i < OpenTransactions.LET_THROUGH_BEFORE_WARNING + 10; i++) held.letThroughAtRcpt("submission", "per-ip", hundredth);
        held.letThroughAtRcpt("mx", "per-ip", hundredth.plus(OpenTransactions.QUIET_BEFORE_WARNING));
        assertThat(warnings).singleElement().asString().contains("rate limit per-ip of service mx", "102 times",
                "for 5 minutes since the 100th", "smtpd_end_of_data_restrictions", "policy_context=mx");
        for (int i = 0; i < 500; i++) held.letThroughAtRcpt("mx", "per-ip", hundredth.plus(Duration.ofHours(1)));
        assertThat(warnings).as("once; and another service's limit of the same name counts on its own").hasSize(1);
    }

    @Test
    void oneLetThroughLongAgoAndAMorningBurstAreNotFiveQuietMinutes() {
        OpenTransactions held = new OpenTransactions(64, Duration.ofHours(1), warnings::add);
        held.letThroughAtRcpt("mx", "per-ip", T0); // a transaction abandoned at midnight
        Instant morning = T0.plus(Duration.ofHours(8));
        for (int i = 0; i < 500; i++) held.letThroughAtRcpt("mx", "per-ip", morning.plusMillis(i));
        assertThat(warnings).as("the burst before the first message's data is in").isEmpty();
    }

    @Test
    void aLimitThatHasSeenEndOfMessageIsNotWarnedOf() {
        OpenTransactions held = new OpenTransactions(64, Duration.ofHours(1), warnings::add);
        for (int i = 0; i < 50; i++) held.letThroughAtRcpt("submission", "per-account", T0);
        held.endOfMessageCame("submission", "per-account");
        for (int i = 0; i < 500; i++) held.letThroughAtRcpt("submission", "per-account", T0.plus(Duration.ofHours(1)));
        assertThat(warnings).isEmpty();
    }

    @Test
    void beyondCapacityTheOldestAreForgottenAndNothingIsSaidOfIt() {
        OpenTransactions held = new OpenTransactions(64, Duration.ofHours(1), warnings::add);
        for (int i = 0; i < 200; i++) held.add("abandoned-" + i, "per-ip", "k", 1, T0.plusSeconds(i));
        assertThat(held.abandoned()).as("over capacity, the oldest go").isPositive();
        assertThat(held.open()).isLessThanOrEqualTo(64);
        assertThat(warnings).as("only a limit that never sees END-OF-MESSAGE is named").isEmpty();
    }

    @Test
    void beyondCapacityTheOldestAreForgotten() {
        OpenTransactions held = new OpenTransactions(16, Duration.ofDays(1), warnings::add);
        for (int i = 0; i < 1000; i++) held.add("T" + i, "limit", "k", 1, T0.plusSeconds(i));
        assertThat(held.open()).isLessThanOrEqualTo(16);
        assertThat(held.abandoned()).isEqualTo(1000 - held.open());
        assertThat(held.count("T999", "limit", "k")).as("the newest stays").isEqualTo(1);
        assertThat(held.count("T0", "limit", "k")).isZero();
    }

    @Test
    void threadsThatOpenAndEndTransactionsSideBySideLoseNoCount() throws Exception {
        OpenTransactions held = new OpenTransactions(100_000, Duration.ofHours(1), warnings::add);
        int perThread = 20_000;
        java.util.concurrent.atomic.AtomicLong ended = new java.util.concurrent.atomic.AtomicLong();
        Runnable[] work = new Runnable[4];
        for (int t = 0; t < work.length; t++) {
            String prefix = "thread" + t + "-";
            work[t] = () -> {
                for (int i = 0; i < perThread; i++) {
                    String id = prefix + i;
                    held.add(id, "per-ip", "k", 1, T0);
                    held.add(id, "per-ip", "k", 1, T0);
                    held.add(id, "per-domain", "one.example", 1, T0);
                    ended.addAndGet(held.end(id, "per-ip").getOrDefault("k", 0L));
                    ended.addAndGet(held.end(id, "per-domain").getOrDefault("one.example", 0L));
                }
            };
        }
        Thread[] threads = new Thread[work.length];
        for (int t = 0; t < threads.length; t++) threads[t] = Thread.ofPlatform().start(work[t]);
        for (Thread thread : threads) thread.join();
        assertThat(ended.get()).isEqualTo(3L * perThread * work.length);
        assertThat(held.open()).isZero();
        assertThat(held.abandoned()).isZero();
    }

    @Test
    void settingsAreChecked() {
        assertThatThrownBy(() -> new OpenTransactions(8, Duration.ofHours(1), warnings::add)).hasMessageContaining("capacity");
        assertThatThrownBy(() -> new OpenTransactions(64, Duration.ZERO, warnings::add)).hasMessageContaining("maxAge");
    }
}
