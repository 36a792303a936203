package dev.sekisho.state;

import dev.sekisho.engine.Restriction;
import dev.sekisho.engine.Subject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.sekisho.state.GreylistOutcome.Status.CLIENT_ALLOWED;
import static dev.sekisho.state.GreylistOutcome.Status.EARLY;
import static dev.sekisho.state.GreylistOutcome.Status.KNOWN;
import static dev.sekisho.state.GreylistOutcome.Status.NEW;
import static dev.sekisho.state.GreylistOutcome.Status.PASSED;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every {@link StateStore} must do. An implementation's test class implements this interface
 * and supplies fresh stores. Time comes from the requests, so tests move it by passing later
 * instants.
 */
public interface StateStoreContract {

    Instant T0 = Instant.parse("2026-03-01T00:00:00Z");
    RateWindow TEN_PER_MINUTE = new RateWindow(10, Duration.ofMinutes(1));

    /** A new, empty store; the test closes it. */
    StateStore newStore();

    private static RateRequest charge(String key, long cost, Instant now, RateWindow... windows) {
        return new RateRequest(key, List.of(windows), cost, now, false);
    }

    private static RateRequest dryRun(String key, long cost, Instant now, RateWindow... windows) {
        return new RateRequest(key, List.of(windows), cost, now, true);
    }

    private static int allowedOutOf(StateStore store, int attempts, RateRequest request) {
        int allowed = 0;
        for (int i = 0; i < attempts; i++) {
            if (store.rate(request).allowed()) allowed++;
        }
        return allowed;
    }

    // ---- rate -----------------------------------------------------------------------------------

    @Test
    default void rateAllowsExactlyTheLimitAtOnceThenRefuses() {
        try (StateStore store = newStore()) {
            assertThat(allowedOutOf(store, 10, charge("k", 1, T0, TEN_PER_MINUTE))).isEqualTo(10);

            RateOutcome refused = store.rate(charge("k", 1, T0, TEN_PER_MINUTE));
            assertThat(refused.allowed()).isFalse();
            RateOutcome.WindowState window = refused.firstRefusal().orElseThrow();
            assertThat(window.window()).isEqualTo(TEN_PER_MINUTE);
            assertThat(window.used()).isEqualTo(10);
            assertThat(window.retryAt()).isEqualTo(T0.plusSeconds(6));
        }
    }

    @Test
    default void rateReportsUsedAfterTheChargeAndRetryAtNowWhenItFits() {
        try (StateStore store = newStore()) {
            RateOutcome first = store.rate(charge("k", 1, T0, TEN_PER_MINUTE));
            assertThat(first.allowed()).isTrue();
            assertThat(first.windows()).singleElement().satisfies(w -> {
                assertThat(w.used()).isEqualTo(1);
                assertThat(w.allowed()).isTrue();
                assertThat(w.retryAt()).isEqualTo(T0);
            });
        }
    }

    @Test
    default void rateRefillsOneUnitPerEmissionInterval() {
        try (StateStore store = newStore()) {
            allowedOutOf(store, 10, charge("k", 1, T0, TEN_PER_MINUTE));
            assertThat(store.rate(charge("k", 1, T0.plusMillis(5_999), TEN_PER_MINUTE)).allowed()).isFalse();
            assertThat(allowedOutOf(store, 3, charge("k", 1, T0.plusSeconds(6), TEN_PER_MINUTE))).isEqualTo(1);
            assertThat(allowedOutOf(store, 3, charge("k", 1, T0.plusSeconds(30), TEN_PER_MINUTE))).isEqualTo(3);
            // A full period after the last charge the window is empty again.
            assertThat(allowedOutOf(store, 12, charge("k", 1, T0.plusSeconds(120), TEN_PER_MINUTE))).isEqualTo(10);
        }
    }

    @Test
    default void rateHasNoBurstAtAWindowBoundary() {
        try (StateStore store = newStore()) {
            assertThat(allowedOutOf(store, 10, charge("k", 1, T0.plusSeconds(59), TEN_PER_MINUTE))).isEqualTo(10);
            // A fixed window would reset at 60s and allow 10 more; GCRA allows what drained: nothing yet.
            assertThat(allowedOutOf(store, 10, charge("k", 1, T0.plusSeconds(61), TEN_PER_MINUTE))).isLessThanOrEqualTo(1);
            assertThat(allowedOutOf(store, 10, charge("k", 1, T0.plusSeconds(65), TEN_PER_MINUTE))).isEqualTo(1);
        }
    }

    @Test
    default void rateKeysAreIndependent() {
        try (StateStore store = newStore()) {
            allowedOutOf(store, 10, charge("a", 1, T0, TEN_PER_MINUTE));
            assertThat(store.rate(charge("b", 1, T0, TEN_PER_MINUTE)).allowed()).isTrue();
        }
    }

    @Test
    default void rateRefusalInOneWindowChargesNone() {
        RateWindow twoPerMinute = new RateWindow(2, Duration.ofMinutes(1));
        RateWindow threePerHour = new RateWindow(3, Duration.ofHours(1));
        try (StateStore store = newStore()) {
            assertThat(allowedOutOf(store, 2, charge("k", 1, T0, twoPerMinute, threePerHour))).isEqualTo(2);
            assertThat(store.rate(charge("k", 1, T0.plusSeconds(30), twoPerMinute, threePerHour)).allowed()).isTrue();

            RateOutcome refused = store.rate(charge("k", 1, T0.plusSeconds(60), twoPerMinute, threePerHour));
            assertThat(refused.allowed()).isFalse();
            assertThat(refused.windows()).hasSize(2);
            RateOutcome.WindowState minute = refused.windows().get(0);
            RateOutcome.WindowState hour = refused.windows().get(1);
            assertThat(minute.allowed()).isTrue();
            assertThat(minute.retryAt()).isEqualTo(T0.plusSeconds(60));
            assertThat(hour.allowed()).isFalse();
            assertThat(hour.used()).isEqualTo(3);
            assertThat(hour.retryAt()).isEqualTo(T0.plusSeconds(1200));
            assertThat(refused.firstRefusal()).contains(hour);

            // The minute window was not charged by the refused request: one unit still drains there.
            RateOutcome peek = store.rate(dryRun("k", 1, T0.plusSeconds(60), twoPerMinute, threePerHour));
            assertThat(peek.windows().get(0).used()).isEqualTo(1);
        }
    }

    @Test
    default void refundGivesTheChargeBack() {
        try (StateStore store = newStore()) {
            allowedOutOf(store, 10, charge("k", 1, T0, TEN_PER_MINUTE));
            assertThat(store.rate(charge("k", 1, T0, TEN_PER_MINUTE)).allowed()).isFalse();
            store.refund(charge("k", 1, T0, TEN_PER_MINUTE));
            assertThat(allowedOutOf(store, 3, charge("k", 1, T0, TEN_PER_MINUTE))).isEqualTo(1);
        }
    }

    @Test
    default void refundNeverCreditsMoreThanAnEmptyWindow() {
        try (StateStore store = newStore()) {
            store.rate(charge("k", 1, T0, TEN_PER_MINUTE));
            store.refund(charge("k", 50, T0, TEN_PER_MINUTE));
            store.refund(charge("unknown", 1, T0, TEN_PER_MINUTE));
            assertThat(allowedOutOf(store, 20, charge("k", 1, T0, TEN_PER_MINUTE))).isEqualTo(10);
            assertThat(allowedOutOf(store, 20, charge("unknown", 1, T0, TEN_PER_MINUTE))).isEqualTo(10);
        }
    }

    @Test
    default void rateDryRunAnswersWithoutCharging() {
        try (StateStore store = newStore()) {
            for (int i = 0; i < 20; i++) {
                RateOutcome outcome = store.rate(dryRun("k", 1, T0, TEN_PER_MINUTE));
                assertThat(outcome.allowed()).isTrue();
                assertThat(outcome.windows().get(0).used()).isZero();
            }
            assertThat(allowedOutOf(store, 10, charge("k", 1, T0, TEN_PER_MINUTE))).isEqualTo(10);
            RateOutcome wouldRefuse = store.rate(dryRun("k", 1, T0, TEN_PER_MINUTE));
            assertThat(wouldRefuse.allowed()).isFalse();
            assertThat(wouldRefuse.windows().get(0).retryAt()).isEqualTo(T0.plusSeconds(6));
        }
    }

    @Test
    default void rateCostZeroIsAPeek() {
        try (StateStore store = newStore()) {
            allowedOutOf(store, 4, charge("k", 1, T0, TEN_PER_MINUTE));
            RateOutcome peek = store.rate(charge("k", 0, T0, TEN_PER_MINUTE));
            assertThat(peek.allowed()).isTrue();
            assertThat(peek.windows().get(0).used()).isEqualTo(4);
            assertThat(allowedOutOf(store, 10, charge("k", 1, T0, TEN_PER_MINUTE))).isEqualTo(6);
        }
    }

    @Test
    default void rateChargesCostUnitsForBytes() {
        RateWindow bytesPerMinute = new RateWindow(1000, Duration.ofMinutes(1));
        try (StateStore store = newStore()) {
            RateOutcome first = store.rate(charge("k", 600, T0, bytesPerMinute));
            assertThat(first.allowed()).isTrue();
            assertThat(first.windows().get(0).used()).isEqualTo(600);

            RateOutcome tooBig = store.rate(charge("k", 600, T0, bytesPerMinute));
            assertThat(tooBig.allowed()).isFalse();
            assertThat(tooBig.windows().get(0).used()).isEqualTo(600);
            // 600 units drain for 36s; 600 more fit when only 400 remain: 12s from now.
            assertThat(tooBig.windows().get(0).retryAt()).isEqualTo(T0.plusSeconds(12));

            assertThat(store.rate(charge("k", 400, T0, bytesPerMinute)).allowed()).isTrue();
            assertThat(store.rate(charge("k", 1, T0, bytesPerMinute)).allowed()).isFalse();
            assertThat(store.rate(charge("k", 600, T0.plusSeconds(36), bytesPerMinute)).allowed()).isTrue();
        }
    }

    @Test
    default void rateRefusesACostLargerThanTheWholeLimit() {
        RateWindow bytesPerMinute = new RateWindow(1000, Duration.ofMinutes(1));
        try (StateStore store = newStore()) {
            RateOutcome outcome = store.rate(charge("k", 1001, T0, bytesPerMinute));
            assertThat(outcome.allowed()).isFalse();
            assertThat(outcome.windows().get(0).retryAt()).isAfter(T0.plus(Duration.ofDays(365 * 1000L)));
            assertThat(store.rate(charge("k", 1000, T0, bytesPerMinute)).allowed()).isTrue();
        }
    }

    @Test
    default void rateHandlesFractionalEmissionIntervals() {
        RateWindow sevenPerMinute = new RateWindow(7, Duration.ofMinutes(1));
        try (StateStore store = newStore()) {
            assertThat(allowedOutOf(store, 20, charge("k", 1, T0, sevenPerMinute))).isEqualTo(7);
            RateOutcome refused = store.rate(charge("k", 1, T0, sevenPerMinute));
            assertThat(refused.windows().get(0).used()).isEqualTo(7);
            assertThat(allowedOutOf(store, 20, charge("k", 1, T0.plusSeconds(60), sevenPerMinute))).isEqualTo(7);
        }
    }

    // ---- greylist -------------------------------------------------------------------------------

    Duration DELAY = Duration.ofMinutes(5);
    Duration RETRY_WINDOW = Duration.ofDays(2);
    Duration MAX_AGE = Duration.ofDays(35);

    private static GreylistRequest greylist(String triplet, String client, Instant now, int autoAllowAfter) {
        return new GreylistRequest(triplet, client, now, DELAY, RETRY_WINDOW, MAX_AGE, autoAllowAfter, false);
    }

    private static GreylistRequest greylist(String triplet, Instant now) {
        return greylist(triplet, "203.0.113", now, 0);
    }

    private static GreylistRequest greylistDryRun(String triplet, Instant now) {
        return new GreylistRequest(triplet, "203.0.113", now, DELAY, RETRY_WINDOW, MAX_AGE, 0, true);
    }

    String TRIPLET = "203.0.113|sender@example.org|rcpt@example.test";

    @Test
    default void greylistDefersNewThenEarlyThenPassesThenKnows() {
        try (StateStore store = newStore()) {
            GreylistOutcome first = store.greylist(greylist(TRIPLET, T0));
            assertThat(first.status()).isEqualTo(NEW);
            assertThat(first.status().accepted()).isFalse();
            assertThat(first.firstSeen()).isEqualTo(T0);
            assertThat(first.passAt()).isEqualTo(T0.plus(DELAY));
            assertThat(first.clientPasses()).isZero();

            GreylistOutcome early = store.greylist(greylist(TRIPLET, T0.plus(DELAY).minusSeconds(1)));
            assertThat(early.status()).isEqualTo(EARLY);
            assertThat(early.firstSeen()).isEqualTo(T0);
            assertThat(early.passAt()).isEqualTo(T0.plus(DELAY));

            GreylistOutcome passed = store.greylist(greylist(TRIPLET, T0.plus(DELAY)));
            assertThat(passed.status()).isEqualTo(PASSED);
            assertThat(passed.status().accepted()).isTrue();
            assertThat(passed.firstSeen()).isEqualTo(T0);
            assertThat(passed.clientPasses()).isEqualTo(1);

            GreylistOutcome known = store.greylist(greylist(TRIPLET, T0.plus(Duration.ofDays(10))));
            assertThat(known.status()).isEqualTo(KNOWN);
            assertThat(known.firstSeen()).isEqualTo(T0);
            assertThat(known.clientPasses()).isEqualTo(1);
        }
    }

    @Test
    default void greylistStartsOverWhenTheRetryWindowRanOut() {
        try (StateStore store = newStore()) {
            store.greylist(greylist(TRIPLET, T0));
            Instant late = T0.plus(RETRY_WINDOW).plusSeconds(1);
            GreylistOutcome again = store.greylist(greylist(TRIPLET, late));
            assertThat(again.status()).isEqualTo(NEW);
            assertThat(again.firstSeen()).isEqualTo(late);
            assertThat(store.greylist(greylist(TRIPLET, late.plus(DELAY))).status()).isEqualTo(PASSED);
        }
    }

    @Test
    default void greylistForgetsAPassedTripletMaxAgeAfterItWasLastSeen() {
        try (StateStore store = newStore()) {
            store.greylist(greylist(TRIPLET, T0));
            Instant passedAt = T0.plus(DELAY);
            store.greylist(greylist(TRIPLET, passedAt));
            // Seen again after 34 days: refreshed, so 34 days later still known.
            Instant seen = passedAt.plus(Duration.ofDays(34));
            assertThat(store.greylist(greylist(TRIPLET, seen)).status()).isEqualTo(KNOWN);
            assertThat(store.greylist(greylist(TRIPLET, seen.plus(Duration.ofDays(34)))).status()).isEqualTo(KNOWN);
            Instant gone = seen.plus(Duration.ofDays(34)).plus(MAX_AGE);
            GreylistOutcome forgotten = store.greylist(greylist(TRIPLET, gone));
            assertThat(forgotten.status()).isEqualTo(NEW);
            assertThat(forgotten.firstSeen()).isEqualTo(gone);
        }
    }

    @Test
    default void greylistAutoAllowsAClientAfterEnoughPasses() {
        try (StateStore store = newStore()) {
            String client = "198.51.100.7";
            for (int i = 0; i < 2; i++) {
                Instant start = T0.plus(Duration.ofHours(2 * i));
                String triplet = client + "|s" + i + "@example.org|r@example.test";
                assertThat(store.greylist(greylist(triplet, client, start, 2)).status()).isEqualTo(NEW);
                GreylistOutcome passed = store.greylist(greylist(triplet, client, start.plus(DELAY), 2));
                assertThat(passed.status()).isEqualTo(PASSED);
                assertThat(passed.clientPasses()).isEqualTo(i + 1);
            }
            Instant later = T0.plus(Duration.ofHours(3));
            GreylistOutcome allowed = store.greylist(greylist(client + "|other@example.org|r@example.test", client, later, 2));
            assertThat(allowed.status()).isEqualTo(CLIENT_ALLOWED);
            assertThat(allowed.status().accepted()).isTrue();
            assertThat(allowed.clientPasses()).isEqualTo(2);
            assertThat(allowed.passAt()).isEqualTo(later);

            // Auto-allow off: the same client's new triplet is greylisted like any other.
            assertThat(store.greylist(greylist(client + "|third@example.org|r@example.test", client, later, 0)).status()).isEqualTo(NEW);
            // Another client gets no benefit.
            assertThat(store.greylist(greylist("192.0.2|a@example.org|r@example.test", "192.0.2", later, 2)).status()).isEqualTo(NEW);
        }
    }

    @Test
    default void greylistCountsAClientsPassesAtMostOnceAnHour() {
        try (StateStore store = newStore()) {
            String client = "198.51.100.8";
            for (String sender : List.of("a", "b", "c")) store.greylist(greylist(client + "|" + sender + "@example.org|r@example.test", client, T0, 2));
            Instant retry = T0.plus(DELAY);
            long[] passes = new long[3];
            int i = 0;
            for (String sender : List.of("a", "b", "c")) {
                GreylistOutcome passed = store.greylist(greylist(client + "|" + sender + "@example.org|r@example.test", client, retry.plusSeconds(i), 2));
                assertThat(passed.status()).isEqualTo(PASSED);
                passes[i++] = passed.clientPasses();
            }
            assertThat(passes).as("a burst of retries is one pass").containsExactly(1, 1, 1);
            assertThat(store.greylist(greylist(client + "|d@example.org|r@example.test", client, retry.plus(Duration.ofMinutes(59)), 2)).status())
                    .isEqualTo(NEW);

            Instant hourLater = retry.plus(Duration.ofMinutes(59)).plus(DELAY);
            GreylistOutcome second = store.greylist(greylist(client + "|d@example.org|r@example.test", client, hourLater, 2));
            assertThat(second.status()).isEqualTo(PASSED);
            assertThat(second.clientPasses()).as("over an hour after the last counted one").isEqualTo(2);
            assertThat(store.greylist(greylist(client + "|e@example.org|r@example.test", client, hourLater, 2)).status()).isEqualTo(CLIENT_ALLOWED);
        }
    }

    @Test
    default void greylistForgetsAClientMaxAgeAfterItWasLastSeen() {
        try (StateStore store = newStore()) {
            String client = "198.51.100";
            String triplet = client + "|s@example.org|r@example.test";
            store.greylist(greylist(triplet, client, T0, 1));
            store.greylist(greylist(triplet, client, T0.plus(DELAY), 1));
            Instant refreshed = T0.plus(Duration.ofDays(30));
            assertThat(store.greylist(greylist(client + "|x@example.org|r@example.test", client, refreshed, 1)).status()).isEqualTo(CLIENT_ALLOWED);
            assertThat(store.greylist(greylist(client + "|y@example.org|r@example.test", client, refreshed.plus(Duration.ofDays(34)), 1)).status())
                    .isEqualTo(CLIENT_ALLOWED);
            Instant gone = refreshed.plus(Duration.ofDays(34)).plus(MAX_AGE);
            GreylistOutcome forgotten = store.greylist(greylist(client + "|z@example.org|r@example.test", client, gone, 1));
            assertThat(forgotten.status()).isEqualTo(NEW);
            assertThat(forgotten.clientPasses()).isZero();
        }
    }

    @Test
    default void greylistDryRunChangesNothing() {
        try (StateStore store = newStore()) {
            assertThat(store.greylist(greylistDryRun(TRIPLET, T0)).status()).isEqualTo(NEW);
            Instant real = T0.plusSeconds(60);
            GreylistOutcome first = store.greylist(greylist(TRIPLET, real));
            assertThat(first.status()).isEqualTo(NEW);
            assertThat(first.firstSeen()).isEqualTo(real);

            assertThat(store.greylist(greylistDryRun(TRIPLET, real.plusSeconds(1))).status()).isEqualTo(EARLY);
            GreylistOutcome wouldPass = store.greylist(greylistDryRun(TRIPLET, real.plus(DELAY)));
            assertThat(wouldPass.status()).isEqualTo(PASSED);
            assertThat(wouldPass.clientPasses()).isEqualTo(1);

            GreylistOutcome passed = store.greylist(greylist(TRIPLET, real.plus(DELAY)));
            assertThat(passed.status()).isEqualTo(PASSED);
            assertThat(passed.clientPasses()).isEqualTo(1);
        }
    }

    // ---- tallies --------------------------------------------------------------------------------

    Duration HOUR = Duration.ofHours(1);

    @Test
    default void tallyCountsEventsUntilEachLeavesTheWindow() {
        try (StateStore store = newStore()) {
            assertThat(store.tally(TallyRequest.event("f", T0, HOUR, 100)).count()).isEqualTo(1);
            assertThat(store.tally(TallyRequest.event("f", T0.plusSeconds(600), HOUR, 100)).count()).isEqualTo(2);
            TallyOutcome third = store.tally(TallyRequest.event("f", T0.plusSeconds(1200), HOUR, 100));
            assertThat(third.count()).isEqualTo(3);
            assertThat(third.added()).isTrue();
            assertThat(third.oldest()).isEqualTo(T0);
            assertThat(third.members()).as("events have no names").isEmpty();

            TallyOutcome later = store.tally(TallyRequest.peek("f", T0.plus(HOUR).plusSeconds(1), HOUR, 100));
            assertThat(later.count()).as("the first event left the window").isEqualTo(2);
            assertThat(later.oldest()).isEqualTo(T0.plusSeconds(600));
            assertThat(store.tally(TallyRequest.peek("f", T0.plus(HOUR).plusSeconds(1200), HOUR, 100)).count()).isZero();
        }
    }

    @Test
    default void tallyCountsAMemberOnceAndRefreshesItsTime() {
        try (StateStore store = newStore()) {
            assertThat(store.tally(TallyRequest.member("s", "alice", T0, HOUR, 100)).added()).isTrue();
            assertThat(store.tally(TallyRequest.member("s", "bob", T0.plusSeconds(10), HOUR, 100)).count()).isEqualTo(2);
            TallyOutcome again = store.tally(TallyRequest.member("s", "alice", T0.plusSeconds(1800), HOUR, 100));
            assertThat(again.count()).isEqualTo(2);
            assertThat(again.added()).isFalse();
            assertThat(again.oldest()).as("bob is now the least recently seen").isEqualTo(T0.plusSeconds(10));
            assertThat(again.members()).containsExactly("bob", "alice");

            TallyOutcome afterBob = store.tally(TallyRequest.peek("s", T0.plus(HOUR).plusSeconds(60), HOUR, 100));
            assertThat(afterBob.count()).as("alice was seen again, bob was not").isEqualTo(1);
            assertThat(afterBob.oldest()).isEqualTo(T0.plusSeconds(1800));
        }
    }

    @Test
    default void tallyKeepsAtMostTheCapDroppingTheLeastRecentlySeen() {
        try (StateStore store = newStore()) {
            for (int i = 0; i < 5; i++) store.tally(TallyRequest.member("s", "m" + i, T0.plusSeconds(i), HOUR, 3));
            TallyOutcome capped = store.tally(TallyRequest.peek("s", T0.plusSeconds(5), HOUR, 3));
            assertThat(capped.count()).isEqualTo(3);
            assertThat(capped.oldest()).isEqualTo(T0.plusSeconds(2));
            assertThat(store.tally(TallyRequest.member("s", "m0", T0.plusSeconds(6), HOUR, 3)).added())
                    .as("m0 was dropped at the cap, so it is new again").isTrue();
        }
    }

    @Test
    default void tallyKeepsTimeOrderWhenARequestsClockLagsAnothers() {
        try (StateStore store = newStore()) {
            store.tally(TallyRequest.member("s", "late", T0.plusSeconds(10), HOUR, 10));
            TallyOutcome lagging = store.tally(TallyRequest.member("s", "early", T0.plusSeconds(5), HOUR, 10));
            assertThat(lagging.count()).isEqualTo(2);
            assertThat(lagging.oldest()).isEqualTo(T0.plusSeconds(5));
            assertThat(lagging.members()).containsExactly("early", "late");
            assertThat(store.tally(TallyRequest.peek("s", T0.plus(HOUR).plusSeconds(7), HOUR, 10)).members())
                    .as("the earlier one leaves the window first").containsExactly("late");
        }
    }

    @Test
    default void tallyDryRunAndOtherKeysChangeNothing() {
        try (StateStore store = newStore()) {
            store.tally(TallyRequest.event("a", T0, HOUR, 10));
            TallyOutcome peek = store.tally(TallyRequest.peek("a", T0, HOUR, 10));
            assertThat(peek.count()).isEqualTo(1);
            assertThat(peek.added()).isFalse();
            assertThat(store.tally(TallyRequest.peek("a", T0, HOUR, 10)).count()).isEqualTo(1);
            TallyOutcome empty = store.tally(TallyRequest.peek("b", T0.plusSeconds(5), HOUR, 10));
            assertThat(empty.count()).isZero();
            assertThat(empty.oldest()).isEqualTo(T0.plusSeconds(5));
        }
    }

    @Test
    default void forgetDropsATallyAtOnce() {
        try (StateStore store = newStore()) {
            store.tally(TallyRequest.event("a", T0, HOUR, 10));
            store.tally(TallyRequest.event("a", T0, HOUR, 10));
            store.tally(TallyRequest.event("b", T0, HOUR, 10));
            store.forget("a");
            store.forget("never-seen");
            assertThat(store.tally(TallyRequest.peek("a", T0, HOUR, 10)).count()).isZero();
            assertThat(store.tally(TallyRequest.peek("b", T0, HOUR, 10)).count()).isEqualTo(1);
            assertThat(store.tally(TallyRequest.event("a", T0.plusSeconds(1), HOUR, 10)).count()).as("counts afresh").isEqualTo(1);
        }
    }

    // ---- records and lists ----------------------------------------------------------------------

    @Test
    default void putFieldsMergesRemovesEmptyValuesAndReturnsTheWholeRecord() {
        try (StateStore store = newStore()) {
            assertThat(store.fields("account:alice")).isEmpty();
            assertThat(store.putFields("account:alice", Map.of("abroad", "on", "set-by", "cli:ops"))).isEqualTo(Map.of("abroad", "on", "set-by", "cli:ops"));
            assertThat(store.putFields("account:alice", Map.of("lift-until", "2026-03-08T00:00:00Z", "set-by", "api:desk")))
                    .isEqualTo(Map.of("abroad", "on", "lift-until", "2026-03-08T00:00:00Z", "set-by", "api:desk"));
            assertThat(store.putFields("account:alice", Map.of("lift-until", ""))).isEqualTo(Map.of("abroad", "on", "set-by", "api:desk"));
            assertThat(store.fields("account:bob")).as("other keys untouched").isEmpty();
            assertThat(store.putFields("account:alice", Map.of("abroad", "", "set-by", ""))).isEmpty();
            assertThat(store.fields("account:alice")).isEmpty();
        }
    }

    Duration KEEP_LOGINS = Duration.ofDays(90);

    @Test
    default void pushKeepsTheNewestEntriesUpToTheCapNewestFirst() {
        try (StateStore store = newStore()) {
            assertThat(store.recent("logins:alice", T0)).isEmpty();
            for (int i = 1; i <= 5; i++) store.push("logins:alice", "login " + i, 3, T0.plusSeconds(i), KEEP_LOGINS);
            store.push("logins:bob", "only", 3, T0, KEEP_LOGINS);
            assertThat(store.recent("logins:alice", T0.plusSeconds(10))).containsExactly("login 5", "login 4", "login 3");
            assertThat(store.recent("logins:bob", T0.plusSeconds(10))).containsExactly("only");
        }
    }

    @Test
    default void aListExpiresWholeKeepForAfterItsNewestPush() {
        try (StateStore store = newStore()) {
            store.push("logins:alice", "login 1", 3, T0, KEEP_LOGINS);
            store.push("logins:alice", "login 2", 3, T0.plusSeconds(1), KEEP_LOGINS);
            Instant expiry = T0.plusSeconds(1).plus(KEEP_LOGINS);
            assertThat(store.recent("logins:alice", expiry.minusNanos(1))).containsExactly("login 2", "login 1");
            assertThat(store.recent("logins:alice", expiry)).as("gone at the expiry of its newest push").isEmpty();
        }
    }

    @Test
    default void pushingExtendsTheWholeListAndAPushAfterExpiryStartsAfresh() {
        try (StateStore store = newStore()) {
            store.push("logins:alice", "login 1", 3, T0, KEEP_LOGINS);
            Instant beforeExpiry = T0.plus(KEEP_LOGINS).minusSeconds(1);
            store.push("logins:alice", "login 2", 3, beforeExpiry, KEEP_LOGINS);
            assertThat(store.recent("logins:alice", T0.plus(KEEP_LOGINS).plusSeconds(1)))
                    .as("the older entry lives as long as the newest").containsExactly("login 2", "login 1");
            store.push("logins:alice", "late", 3, T0, KEEP_LOGINS);
            assertThat(store.recent("logins:alice", T0.plus(KEEP_LOGINS).plusSeconds(1)))
                    .as("a push whose time lags does not shorten the list's life").containsExactly("late", "login 2", "login 1");

            Instant afterExpiry = beforeExpiry.plus(KEEP_LOGINS);
            store.push("logins:alice", "login 3", 3, afterExpiry, KEEP_LOGINS);
            assertThat(store.recent("logins:alice", afterExpiry)).as("what had expired is not brought back").containsExactly("login 3");
        }
    }

    // ---- restrictions ---------------------------------------------------------------------------

    private static Restriction restriction(String id, String account) {
        return new Restriction(id, new Subject(Subject.Kind.ACCOUNT, account), "too many messages", "rule:per-account-limit",
                "sent=500/1h", T0, T0.plus(Duration.ofHours(24)), null, "");
    }

    @Test
    default void restrictionsAreImposedListedAndLifted() {
        try (StateStore store = newStore()) {
            assertThat(store.restrictions()).isEmpty();
            Restriction alice = restriction("r1", "alice@example.test");
            Restriction bob = restriction("r2", "bob@example.test");
            store.impose(alice);
            store.impose(bob);
            assertThat(store.restrictions()).containsExactly(alice, bob);

            Optional<Restriction> lifted = store.lift("r1", T0.plusSeconds(60), "cli:support");
            assertThat(lifted).isPresent();
            assertThat(lifted.get().liftedAt()).isEqualTo(T0.plusSeconds(60));
            assertThat(lifted.get().liftedBy()).isEqualTo("cli:support");
            assertThat(lifted.get().activeAt(T0.plusSeconds(61))).isFalse();
            assertThat(store.restrictions()).containsExactly(lifted.get(), bob);

            assertThat(store.lift("r1", T0.plusSeconds(120), "cli:support")).isEmpty();
            assertThat(store.lift("nope", T0, "cli:support")).isEmpty();
            assertThat(store.lift("r2", T0.plus(Duration.ofHours(24)), "cli:support")).as("already ended").isEmpty();
        }
    }

    @Test
    default void imposingTheSameIdReplacesTheRestriction() {
        try (StateStore store = newStore()) {
            store.impose(restriction("r1", "alice@example.test"));
            Restriction longer = new Restriction("r1", new Subject(Subject.Kind.ACCOUNT, "alice@example.test"), "again", "cli:alice", "",
                    T0, T0.plus(Duration.ofDays(7)), null, "");
            store.impose(longer);
            assertThat(store.restrictions()).containsExactly(longer);
        }
    }

    @Test
    default void restrictionListKeepsItsIdentityUntilSomethingChanges() {
        try (StateStore store = newStore()) {
            Restriction alice = restriction("r1", "alice@example.test");
            store.impose(alice);
            List<Restriction> first = store.restrictions();
            assertThat(store.restrictions()).isSameAs(first);

            store.impose(alice);
            assertThat(store.restrictions()).as("imposing an identical restriction changes nothing").isSameAs(first);
            store.lift("nope", T0, "x");
            assertThat(store.restrictions()).isSameAs(first);

            store.impose(restriction("r2", "bob@example.test"));
            List<Restriction> second = store.restrictions();
            assertThat(second).isNotSameAs(first).hasSize(2);
            assertThat(first).hasSize(1);
            store.lift("r2", T0.plusSeconds(1), "x");
            assertThat(store.restrictions()).isNotSameAs(second);
        }
    }

    // ---- atomic units ---------------------------------------------------------------------------

    @Test
    default void aUnitReturnsWhatItsWorkReturnedAndItsChangesAreSeenAsTheyAreMade() {
        try (StateStore store = newStore()) {
            long counted = store.atomically(() -> {
                store.tally(TallyRequest.event("unit|failures", T0, Duration.ofHours(1), 100));
                store.putFields("unit|position", Map.of("offset", "42"));
                // inside the unit, as outside: each call sees the ones before it
                assertThat(store.fields("unit|position")).containsEntry("offset", "42");
                return store.tally(TallyRequest.event("unit|failures", T0.plusSeconds(1), Duration.ofHours(1), 100)).count();
            });
            assertThat(counted).isEqualTo(2);
            assertThat(store.tally(TallyRequest.peek("unit|failures", T0.plusSeconds(2), Duration.ofHours(1), 100)).count()).isEqualTo(2);
            assertThat(store.fields("unit|position")).containsEntry("offset", "42");
        }
    }

    @Test
    default void aNestedUnitJoinsTheOuterOne() {
        try (StateStore store = newStore()) {
            String result = store.atomically(() -> {
                store.tally(TallyRequest.event("outer", T0, Duration.ofHours(1), 100));
                int inner = store.atomically(() -> {
                    store.tally(TallyRequest.event("inner", T0, Duration.ofHours(1), 100));
                    return 7;
                });
                store.impose(new Restriction("r-unit", new Subject(Subject.Kind.IP, "192.0.2.9"), "test", "rule:test", "",
                        T0, T0.plus(Duration.ofHours(1)), null, ""));
                return "outer+" + inner;
            });
            assertThat(result).isEqualTo("outer+7");
            assertThat(store.tally(TallyRequest.peek("inner", T0, Duration.ofHours(1), 100)).count()).isEqualTo(1);
            assertThat(store.tally(TallyRequest.peek("outer", T0, Duration.ofHours(1), 100)).count()).isEqualTo(1);
            assertThat(store.restrictions()).extracting(Restriction::id).containsExactly("r-unit");
            // and the store goes on as usual after the unit
            store.tally(TallyRequest.event("outer", T0.plusSeconds(1), Duration.ofHours(1), 100));
            assertThat(store.tally(TallyRequest.peek("outer", T0.plusSeconds(1), Duration.ofHours(1), 100)).count()).isEqualTo(2);
        }
    }

    @Test
    default void aUnitWhoseWorkThrowsKeepsWhatItChangedAndPassesTheExceptionOn() {
        try (StateStore store = newStore()) {
            IllegalStateException boom = new IllegalStateException("boom");
            try {
                store.atomically(() -> {
                    store.tally(TallyRequest.event("half", T0, Duration.ofHours(1), 100));
                    throw boom;
                });
                throw new AssertionError("the work's exception was swallowed");
            } catch (IllegalStateException e) {
                assertThat(e).isSameAs(boom);
            }
            assertThat(store.tally(TallyRequest.peek("half", T0, Duration.ofHours(1), 100)).count()).isEqualTo(1);
            // a unit after a failed one works
            assertThat(store.atomically(() -> store.tally(TallyRequest.event("half", T0, Duration.ofHours(1), 100)).count())).isEqualTo(2);
        }
    }
}
