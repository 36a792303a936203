package dev.sekisho.notify;

import dev.sekisho.backoff.Backoff;
import dev.sekisho.engine.Restriction;
import dev.sekisho.engine.Subject;
import dev.sekisho.state.StateStore;
import dev.sekisho.testing.MutableClock;
import dev.sekisho.testing.TestStores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.sekisho.state.memory.MemoryStateStore;

import java.time.Duration;
import java.time.Instant;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

import static org.assertj.core.api.Assertions.assertThat;

/** The queue, the retry schedule and the store decorator, with destinations written in the test. */
class NotifierTest {
    private final MutableClock clock = MutableClock.at("2026-12-02T06:00:00Z");

    /** A destination that records what it was given and answers what the test says. */
    private static final class Recording implements Destination {
        final List<String> delivered = Collections.synchronizedList(new ArrayList<>());
        final BiFunction<Restriction, Integer, DeliveryOutcome> answer;

        Recording(BiFunction<Restriction, Integer, DeliveryOutcome> answer) {
            this.answer = answer;
        }

        @Override
        public boolean wants(Restriction r) {
            return true;
        }

        @Override
        public DeliveryOutcome deliver(Restriction r, Instant now) {
            delivered.add(r.id());
            return answer.apply(r, delivered.size());
        }

        @Override
        public String key() {
            return "recording";
        }

        @Override
        public String describe(Restriction r) {
            return "recording";
        }
    }

    private Restriction restriction(String id) {
        Instant at = clock.instant();
        return new Restriction(id, Subject.parse(Subject.Kind.ACCOUNT, "hanako"), "test", "rule:test", "", at, at.plusSeconds(3600), null, "");
    }

    @Test
    void whenTheQueueIsFullTheOldestAreDroppedAndCounted() {
        Recording d = new Recording((r, n) -> new DeliveryOutcome.Delivered(""));
        Notifier notifier = new Notifier(List.of(d), new Notifier.RetryPolicy(3, Backoff.doubling(Duration.ofSeconds(30), Duration.ofMinutes(5))), 3, clock);
        for (int i = 1; i <= 5; i++) notifier.accept(restriction("r-" + i));

        assertThat(notifier.stats().dropped()).isEqualTo(2);
        assertThat(notifier.stats().waiting()).isEqualTo(3);
        notifier.runDue();
        assertThat(d.delivered).containsExactly("r-3", "r-4", "r-5");
    }

    @Test
    void aRetryKeepsItsPlaceInLineSoNewerNotificationsAreKeptFirst() {
        Recording d = new Recording((r, n) -> r.id().equals("r-1") ? new DeliveryOutcome.Retry("down") : new DeliveryOutcome.Delivered(""));
        Notifier notifier = new Notifier(List.of(d), new Notifier.RetryPolicy(5, Backoff.doubling(Duration.ofSeconds(30), Duration.ofMinutes(5))), 2, clock);
        notifier.accept(restriction("r-1"));
        notifier.runDue(); // r-1 waits for its retry
        notifier.accept(restriction("r-2"));
        notifier.accept(restriction("r-3")); // over capacity: r-1, the oldest, goes
        assertThat(notifier.stats().dropped()).isEqualTo(1);
        clock.advance(Duration.ofMinutes(1));
        notifier.runDue();
        assertThat(d.delivered).containsExactly("r-1", "r-2", "r-3");
    }

    @Test
    void aDestinationThatThrowsIsRetriedNotFatal() {
        Recording d = new Recording((r, n) -> {
            if (n == 1) throw new IllegalStateException("bug");
            return new DeliveryOutcome.Delivered("");
        });
        Notifier notifier = new Notifier(List.of(d), new Notifier.RetryPolicy(3, Backoff.doubling(Duration.ofSeconds(30), Duration.ofMinutes(5))), 10, clock);
        notifier.accept(restriction("r-1"));
        notifier.runDue();
        clock.advance(Duration.ofSeconds(30));
        notifier.runDue();
        assertThat(notifier.stats().delivered()).isEqualTo(1);
        assertThat(notifier.stats().retried()).isEqualTo(1);
    }

    @Test
    void theSenderThreadDeliversWithoutAnyoneCallingRunDue() throws Exception {
        CountDownLatch sent = new CountDownLatch(1);
        Recording d = new Recording((r, n) -> {
            sent.countDown();
            return new DeliveryOutcome.Delivered("");
        });
        try (Notifier notifier = new Notifier(List.of(d), new Notifier.RetryPolicy(3, Backoff.doubling(Duration.ofSeconds(30), Duration.ofMinutes(5))), 10, clock).start()) {
            notifier.accept(restriction("r-1"));
            assertThat(sent.await(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(d.delivered).containsExactly("r-1");
    }

    @Test
    void acceptDoesNotWaitForASlowReceiver() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch inside = new CountDownLatch(1);
        Recording d = new Recording((r, n) -> {
            inside.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new DeliveryOutcome.Delivered("");
        });
        try (Notifier notifier = new Notifier(List.of(d), new Notifier.RetryPolicy(3, Backoff.doubling(Duration.ofSeconds(30), Duration.ofMinutes(5))), 10, clock).start()) {
            notifier.accept(restriction("r-1"));
            assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
            // the sender is stuck in the receiver; the engine's side still returns at once and queues
            for (int i = 2; i <= 5; i++) notifier.accept(restriction("r-" + i));
            assertThat(notifier.stats().queued()).isEqualTo(5);
            release.countDown();
        }
    }

    @Test
    void theStoreDecoratorNotifiesANewIdOnceAndNothingElse() {
        List<String> told = new ArrayList<>();
        try (StateStore store = new NotifyingStateStore(TestStores.inMemory(), r -> told.add(r.id()), () -> { })) {
            Restriction first = restriction("r-1");
            store.impose(first);
            store.impose(new Restriction("r-1", first.subject(), "extended", "rule:test", "", first.createdAt(),
                    first.expiresAt().plusSeconds(3600), null, ""));
            store.lift("r-1", clock.instant(), "cli:support");
            store.impose(restriction("r-2"));

            assertThat(told).containsExactly("r-1", "r-2");
            assertThat(store.restrictions()).extracting(Restriction::id).containsExactlyInAnyOrder("r-1", "r-2");
        }
    }

    @Test
    void insideAnAtomicUnitTheDecoratorPassesTheUnitOnAndNotifiesOnceWhenTheOutermostUnitIsOver() {
        List<String> told = new ArrayList<>();
        try (StateStore store = new NotifyingStateStore(TestStores.inMemory(), r -> told.add(r.id()), () -> { })) {
            String result = store.atomically(() -> {
                store.impose(restriction("r-1"));
                store.atomically(() -> {
                    store.impose(restriction("r-2"));
                    store.impose(restriction("r-1")); // the same id again: nothing new
                    return null;
                });
                // stored already (the unit isolates nothing), but not told while the unit may still be lost whole
                assertThat(store.restrictions()).extracting(Restriction::id).containsExactly("r-1", "r-2");
                assertThat(told).isEmpty();
                return "done";
            });
            assertThat(result).isEqualTo("done");
            assertThat(told).containsExactly("r-1", "r-2");

            IllegalStateException boom = new IllegalStateException("boom");
            try {
                store.atomically(() -> {
                    store.impose(restriction("r-3"));
                    throw boom;
                });
            } catch (IllegalStateException e) {
                assertThat(e).isSameAs(boom);
            }
            // what a failed unit imposed stays imposed, so it is told of too; and the next impose outside a unit at once
            store.impose(restriction("r-4"));
            assertThat(told).containsExactly("r-1", "r-2", "r-3", "r-4");
        }
    }

    @Test
    void withoutDestinationsTheStoreIsNotWrapped() {
        StateStore plain = TestStores.inMemory();
        assertThat(NotifyingStateStore.wrap(plain, Notifier.none(clock))).isSameAs(plain);
        plain.close();
    }

    @Test
    void whatWaitsWhenTheProcessStopsIsSentByTheNextStartAndWhatWasDoneIsNot(@TempDir Path dir) throws Exception {
        Notifier.RetryPolicy policy = new Notifier.RetryPolicy(5, Backoff.doubling(Duration.ofSeconds(30), Duration.ofMinutes(5)));
        Restriction sent = restriction("r-sent");
        Restriction waiting = restriction("r-waiting");
        try (StateStore store = MemoryStateStore.open(dir, MemoryStateStore.Options.defaults(), clock)) {
            Recording relayDown = new Recording((r, n) -> r.id().equals("r-sent") ? new DeliveryOutcome.Delivered("") : new DeliveryOutcome.Retry("down"));
            Notifier first = new Notifier(List.of(relayDown), policy, 10, clock, NotificationOutbox.in(store));
            for (Restriction r : List.of(sent, waiting)) {
                store.impose(r);
                first.accept(r);
            }
            first.runDue();
            assertThat(store.fields(NotificationOutbox.key("r-waiting"))).containsOnlyKeys("recording");
            assertThat(store.fields(NotificationOutbox.key("r-sent"))).isEmpty();
            first.close();
        }
        clock.advance(Duration.ofMinutes(1));
        try (StateStore store = MemoryStateStore.open(dir, MemoryStateStore.Options.defaults(), clock)) {
            Recording relayUp = new Recording((r, n) -> new DeliveryOutcome.Delivered(""));
            Notifier second = new Notifier(List.of(relayUp), policy, 10, clock, NotificationOutbox.in(store));

            assertThat(second.resume()).isEqualTo(1);
            second.runDue();

            assertThat(relayUp.delivered).containsExactly("r-waiting");
            assertThat(store.fields(NotificationOutbox.key("r-waiting"))).isEmpty();
        }
    }

    @Test
    void theOutboxHoldsNoMoreThanTheQueueForgetsWhatCannotBeResumedAndNeverQueuesADeliveryTwice() {
        StateStore store = TestStores.inMemory();
        Recording d = new Recording((r, n) -> new DeliveryOutcome.Retry("down"));
        Notifier.RetryPolicy policy = new Notifier.RetryPolicy(5, Backoff.doubling(Duration.ofSeconds(30), Duration.ofMinutes(5)));
        Notifier notifier = new Notifier(List.of(d), policy, 2, clock, NotificationOutbox.in(store));
        for (int i = 1; i <= 3; i++) {
            store.impose(restriction("r-" + i));
            notifier.accept(restriction("r-" + i));
        }
        assertThat(store.fields(NotificationOutbox.key("r-1"))).isEmpty(); // dropped from the full queue
        assertThat(store.fields(NotificationOutbox.key("r-2"))).containsOnlyKeys("recording");
        assertThat(store.fields(NotificationOutbox.key("r-3"))).containsOnlyKeys("recording");
        assertThat(notifier.resume()).as("already queued: not again").isZero();
        assertThat(notifier.stats().waiting()).isEqualTo(2);
        // A delivery for a destination this configuration no longer has.
        store.putFields(NotificationOutbox.key("r-2"), java.util.Map.of("webhook https://gone.example/", "2026-12-02T05:00:00Z"));
        notifier.close();
        store.impose(restriction("r-4"));
        notifier.accept(restriction("r-4")); // after close: kept for the next start only
        assertThat(notifier.stats().waiting()).isEqualTo(2);

        Notifier next = new Notifier(List.of(d), policy, 10, clock, NotificationOutbox.in(store));
        assertThat(next.resume()).isEqualTo(3); // r-2, r-3, r-4
        assertThat(store.fields(NotificationOutbox.key("r-2"))).containsOnlyKeys("recording");
    }

    @Test
    void aRestrictionImposedThroughTheNotifyingStoreIsNotedInTheOutboxWithItAndSentAfterAKill(@TempDir Path dir) throws Exception {
        Notifier.RetryPolicy policy = new Notifier.RetryPolicy(5, Backoff.doubling(Duration.ofSeconds(30), Duration.ofMinutes(5)));
        Path live = dir.resolve("live");
        Path killed = dir.resolve("killed");
        StateStore raw = MemoryStateStore.open(live, MemoryStateStore.Options.defaults(), clock);
        Recording neverCalled = new Recording((r, n) -> new DeliveryOutcome.Delivered(""));
        Notifier first = new Notifier(List.of(neverCalled), policy, 10, clock, NotificationOutbox.in(raw));
        StateStore store = NotifyingStateStore.wrap(raw, first);
        store.impose(restriction("r-1"));
        assertThat(first.stats().waiting()).isEqualTo(1);
        // What a process killed now leaves behind: the data directory as it is (the journal is mapped memory).
        try (var files = java.nio.file.Files.walk(live)) {
            for (Path from : files.toList()) {
                Path to = killed.resolve(live.relativize(from).toString());
                if (java.nio.file.Files.isDirectory(from)) java.nio.file.Files.createDirectories(to);
                else java.nio.file.Files.copy(from, to);
            }
        }
        store.close();

        try (StateStore restarted = MemoryStateStore.open(killed, MemoryStateStore.Options.defaults(), clock)) {
            Recording relay = new Recording((r, n) -> new DeliveryOutcome.Delivered(""));
            Notifier second = new Notifier(List.of(relay), policy, 10, clock, NotificationOutbox.in(restarted));
            assertThat(second.resume()).isEqualTo(1);
            second.runDue();
            assertThat(relay.delivered).containsExactly("r-1");
            assertThat(neverCalled.delivered).isEmpty();
        }
    }
}
