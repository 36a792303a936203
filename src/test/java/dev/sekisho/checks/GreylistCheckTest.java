package dev.sekisho.checks;

import dev.sekisho.config.CheckConfig;
import dev.sekisho.engine.Action;
import dev.sekisho.engine.CheckResult;
import dev.sekisho.engine.EvaluationContext;
import dev.sekisho.engine.Stage;
import dev.sekisho.engine.Transaction;
import dev.sekisho.state.StateStore;
import dev.sekisho.testing.MutableClock;
import dev.sekisho.testing.TestStores;
import dev.sekisho.testing.Transactions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class GreylistCheckTest {
    private final MutableClock clock = MutableClock.at("2026-11-22T10:00:00Z");
    private final StateStore store = TestStores.inMemory();
    private final ClientNetworks networks = new ClientNetworks(24, 64);

    @AfterEach
    void close() {
        store.close();
    }

    private GreylistCheck check(int autoAllowAfter, List<String> allowNames) {
        return new GreylistCheck(new CheckConfig.Greylist("greylist", Duration.ofSeconds(300), Duration.ofDays(2), Duration.ofDays(35),
                autoAllowAfter, allowNames, true, Action.of(Action.Kind.DEFER_IF_PERMIT, "")), networks, store);
    }

    private CheckResult ask(GreylistCheck check, Transaction tx) {
        return check.evaluate(tx, new EvaluationContext(clock.instant(), clock.instant().plusSeconds(2), false));
    }

    @Test
    void firstAttemptIsDeferredAndARetryAfterTheDelayPasses() {
        GreylistCheck check = check(5, List.of());
        Transaction tx = Transactions.rcpt("203.0.113.7").build();

        CheckResult first = ask(check, tx);
        assertThat(first.decisive()).isTrue();
        assertThat(first.action().kind()).isEqualTo(Action.Kind.DEFER_IF_PERMIT);
        assertThat(first.action().argument()).isEqualTo("Greylisted, please try again in 300 seconds");
        assertThat(first.explanation().rule()).isEqualTo("new");

        clock.advance(Duration.ofSeconds(120));
        CheckResult early = ask(check, tx);
        assertThat(early.decisive()).isTrue();
        assertThat(early.explanation().rule()).isEqualTo("early");
        assertThat(early.action().argument()).contains("180 seconds");

        clock.advance(Duration.ofSeconds(181));
        CheckResult retry = ask(check, tx);
        assertThat(retry.decisive()).isFalse();
        assertThat(retry.explanation().rule()).isEqualTo("passed");

        clock.advance(Duration.ofDays(10));
        assertThat(ask(check, tx).explanation().rule()).isEqualTo("known");
    }

    @Test
    void theTripletIsKeyedOnTheClientNetworkSoAPoolRetryingFromANeighbourPasses() {
        GreylistCheck check = check(5, List.of());
        ask(check, Transactions.rcpt("203.0.113.7").build());
        clock.advance(Duration.ofSeconds(301));
        assertThat(ask(check, Transactions.rcpt("203.0.113.200").build()).decisive()).isFalse();
        assertThat(ask(check, Transactions.rcpt("203.0.114.7").build()).decisive()).as("another /24").isTrue();
    }

    @Test
    void aRetryAfterTheRetryWindowStartsOver() {
        GreylistCheck check = check(5, List.of());
        Transaction tx = Transactions.rcpt("198.51.100.1").build();
        ask(check, tx);
        clock.advance(Duration.ofDays(3));
        CheckResult late = ask(check, tx);
        assertThat(late.decisive()).isTrue();
        assertThat(late.explanation().rule()).isEqualTo("new");
    }

    @Test
    void aClientWhoseTripletsPassedOftenEnoughIsNoLongerDelayed() {
        GreylistCheck check = check(2, List.of());
        for (int i = 0; i < 2; i++) {
            Transaction tx = Transactions.rcpt("192.0.2.10").to("user" + i + "@example.test").build();
            ask(check, tx);
            clock.advance(Duration.ofSeconds(301));
            assertThat(ask(check, tx).decisive()).isFalse();
            clock.advance(Duration.ofHours(1)); // postgrey counts at most one pass a client an hour
        }
        CheckResult fresh = ask(check, Transactions.rcpt("192.0.2.10").to("someone-new@example.test").build());
        assertThat(fresh.decisive()).isFalse();
        assertThat(fresh.explanation().rule()).isEqualTo("client-allowed");
        assertThat(ask(check, Transactions.rcpt("192.0.2.11").to("someone-new@example.test").build()).decisive())
                .as("the allowance is the client address's, not its network's").isTrue();
    }

    @Test
    void passesOfOneClientWithinAnHourCountOnce() {
        GreylistCheck check = check(2, List.of());
        List<Transaction> burst = List.of(Transactions.rcpt("192.0.2.20").to("a@example.test").build(),
                Transactions.rcpt("192.0.2.20").to("b@example.test").build(),
                Transactions.rcpt("192.0.2.20").to("c@example.test").build());
        burst.forEach(tx -> ask(check, tx));
        clock.advance(Duration.ofSeconds(301));
        for (Transaction tx : burst) assertThat(ask(check, tx).explanation().rule()).isEqualTo("passed");
        CheckResult next = ask(check, Transactions.rcpt("192.0.2.20").to("d@example.test").build());
        assertThat(next.decisive()).as("three passes in one retry burst are one").isTrue();
        assertThat(next.explanation().values()).containsEntry("client-passes", "1");
    }

    @Test
    void largeSendersAreRecognisedByVerifiedClientNameNeverByHelo() {
        GreylistCheck check = check(5, List.of(".google.com"));
        assertThat(ask(check, Transactions.rcpt("209.85.220.41").clientName("mail-sor-f41.google.com").build()).decisive()).isFalse();
        assertThat(ask(check, Transactions.rcpt("209.85.220.42").clientName("unknown").helo("mail-sor-f41.google.com").build()).decisive())
                .isTrue();
        assertThat(ask(check, Transactions.rcpt("209.85.220.43").clientName("evilgoogle.com").build()).decisive()).isTrue();
    }

    @Test
    void authenticatedClientsAndOtherStagesAreNotGreylisted() {
        GreylistCheck check = check(5, List.of());
        assertThat(ask(check, Transactions.rcpt("203.0.113.7").login("alice@example.net").build()).decisive()).isFalse();
        assertThat(ask(check, Transactions.rcpt("203.0.113.7").stage(Stage.END_OF_MESSAGE).build()).decisive()).isFalse();
    }

    @Test
    void explainingCountsNothing() {
        GreylistCheck check = check(5, List.of());
        Transaction tx = Transactions.rcpt("203.0.113.7").build();
        EvaluationContext dry = new EvaluationContext(clock.instant(), clock.instant().plusSeconds(2), true);
        assertThat(check.evaluate(tx, dry).decisive()).isTrue();
        clock.advance(Duration.ofSeconds(400));
        assertThat(ask(check, tx).explanation().rule()).as("the dry run recorded nothing").isEqualTo("new");
    }

    @Test
    void sendersThatChangePerMessageAreNormalised() {
        assertThat(GreylistCheck.normaliseSender("prvs=1234abcd=Bounce@Example.org")).isEqualTo("bounce@example.org");
        assertThat(GreylistCheck.normaliseSender("bounce-12345-678@lists.example")).isEqualTo("bounce-#-#@lists.example");
        assertThat(GreylistCheck.normaliseSender("")).isEqualTo("<>");
    }
}
