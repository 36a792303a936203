package dev.sekisho.checks;

import dev.sekisho.config.CheckConfig;
import dev.sekisho.config.ListConfig;
import dev.sekisho.engine.Action;
import dev.sekisho.engine.CheckResult;
import dev.sekisho.engine.Engine;
import dev.sekisho.engine.EvaluationContext;
import dev.sekisho.engine.Explanation;
import dev.sekisho.engine.ServicePolicy;
import dev.sekisho.engine.Stage;
import dev.sekisho.engine.Transaction;
import dev.sekisho.state.RateWindow;
import dev.sekisho.state.StateStore;
import dev.sekisho.testing.MutableClock;
import dev.sekisho.testing.TestStores;
import dev.sekisho.testing.Transactions;
import inet.ipaddr.IPAddressString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimitCheckTest {
    private final MutableClock clock = MutableClock.at("2026-11-22T10:00:00Z");
    private final StateStore store = TestStores.inMemory();
    private final List<String> warnings = new ArrayList<>();
    private final OpenTransactions transactions = new OpenTransactions(1000, Duration.ofHours(1), warnings::add);
    private int messages;

    @AfterEach
    void close() {
        store.close();
    }

    private RateLimitCheck limit(CheckConfig.RateKey key, CheckConfig.RateUnit unit, ListConfig exempt, RateWindow... windows) {
        return new RateLimitCheck(new CheckConfig.RateLimit("per-" + key.name().toLowerCase(), key, unit, List.of(windows),
                Action.defer(450, "4.7.1", ""), exempt), "mx", new ClientNetworks(24, 64), store, transactions, null);
    }

    private RateLimitCheck recipientsPerHour(CheckConfig.RateKey key, long limit) {
        return limit(key, CheckConfig.RateUnit.RECIPIENTS, ListConfig.EMPTY, new RateWindow(limit, Duration.ofHours(1)));
    }

    private EvaluationContext now() {
        return new EvaluationContext(clock.instant(), clock.instant().plusSeconds(2), false);
    }

    /** Ask as the engine does when the mail is then accepted: a passing answer's charge is committed. */
    private CheckResult ask(RateLimitCheck check, Transaction tx) {
        CheckResult result = check.evaluate(tx, now());
        if (result.decisive()) return result;
        return result.charge().commit().orElse(result);
    }

    /**
     * One message, as Postfix asks about it and an engine that accepts what this check lets through: one RCPT per
     * recipient, then END-OF-MESSAGE with the recipients accepted. The first refusal, or END-OF-MESSAGE's answer.
     */
    private CheckResult send(RateLimitCheck check, Transactions mail, int recipients) {
        String id = "M" + (++messages);
        int accepted = 0;
        for (int i = 0; i < recipients; i++) {
            CheckResult rcpt = ask(check, mail.message(id).stage(Stage.RCPT).build());
            if (rcpt.decisive()) return rcpt;
            accepted++;
        }
        return ask(check, mail.message(id).stage(Stage.END_OF_MESSAGE).recipients(accepted).build());
    }

    @Test
    void rcptLooksAndARecipientJoinsItsTransactionsRunningCountOnlyOnceAccepted() {
        RateLimitCheck check = recipientsPerHour(CheckConfig.RateKey.CLIENT_IP, 2);
        Transaction rcpt = Transactions.rcpt("203.0.113.7").message("T1").build();
        CheckResult first = check.evaluate(rcpt, now());
        assertThat(check.evaluate(rcpt, now()).decisive()).as("evaluating alone counts nothing").isFalse();
        assertThat(first.charge().commit()).isEmpty();
        assertThat(transactions.count("T1", "mx/" + check.name(), "203.0.113.7")).isEqualTo(1);
        CheckResult second = check.evaluate(rcpt, now());
        assertThat(second.decisive()).isFalse();
        second.charge().commit();
        second.charge().cancel();
        assertThat(transactions.count("T1", "mx/" + check.name(), "203.0.113.7")).as("a cancelled recipient is given back").isEqualTo(1);
        assertThat(ask(check, rcpt).decisive()).isFalse();
        CheckResult third = ask(check, rcpt);
        assertThat(third.decisive()).as("the third recipient of one message does not fit a limit of 2").isTrue();
        assertThat(third.action().argument()).isEqualTo("Rate limit per-client_ip (2/1h recipients) exceeded for 203.0.113.7, "
                + "this message already has 2 recipients; send the rest in another message");
        assertThat(third.explanation().values()).containsEntry("this-message", "2");
        assertThat(ask(check, Transactions.rcpt("203.0.113.7").message("T2").build()).decisive())
                .as("nothing is charged before END-OF-MESSAGE: another transaction starts afresh").isFalse();
    }

    @Test
    void theMessageOverTheLimitIsDeferredNamingTheLimitAndWhenItResets() {
        RateLimitCheck check = recipientsPerHour(CheckConfig.RateKey.CLIENT_IP, 3);
        Transactions mail = Transactions.rcpt("203.0.113.7");
        for (int i = 0; i < 3; i++) assertThat(send(check, mail, 1).decisive()).isFalse();
        CheckResult fourth = send(check, mail, 1);
        assertThat(fourth.decisive()).isTrue();
        assertThat(fourth.action().code()).isEqualTo(450);
        assertThat(fourth.action().argument()).isEqualTo(
                "Rate limit per-client_ip (3/1h recipients) exceeded for 203.0.113.7, try again in 1200s");
        assertThat(fourth.explanation().rule()).isEqualTo("limit 3/1h");
        assertThat(send(check, Transactions.rcpt("203.0.113.8"), 1).decisive()).as("another client").isFalse();

        clock.advance(Duration.ofMinutes(20));
        assertThat(send(check, mail, 1).decisive()).as("one slot drained").isFalse();
        assertThat(send(check, mail, 1).decisive()).isTrue();
    }

    @Test
    void endOfMessageChargesTheRecipientsPostfixAccepted() {
        RateLimitCheck check = recipientsPerHour(CheckConfig.RateKey.SASL_USERNAME, 5);
        Transactions mail = Transactions.rcpt("203.0.113.7").service("submission").login("alice").message("T1");
        for (int i = 0; i < 4; i++) assertThat(ask(check, mail.stage(Stage.RCPT).build()).decisive()).isFalse();
        // Postfix refused two of the four after Sekisho let them through (an unknown user, a later restriction).
        CheckResult end = ask(check, mail.stage(Stage.END_OF_MESSAGE).recipients(2).build());
        assertThat(end.decisive()).isFalse();
        assertThat(transactions.count("T1", "mx/" + check.name(), "alice")).as("the transaction's running count ends with it").isZero();
        Transactions next = Transactions.rcpt("203.0.113.7").service("submission").login("alice");
        assertThat(send(check, next, 3).decisive()).as("2 charged, 3 left").isFalse();
        assertThat(send(check, next, 1).decisive()).isTrue();
    }

    @Test
    void anAbandonedTransactionCostsNothing() {
        RateLimitCheck check = recipientsPerHour(CheckConfig.RateKey.CLIENT_IP, 2);
        for (int t = 0; t < 5; t++) { // RCPT, RCPT, then RSET or QUIT: no END-OF-MESSAGE
            Transactions mail = Transactions.rcpt("203.0.113.7").message("abandoned-" + t);
            assertThat(ask(check, mail.build()).decisive()).isFalse();
            assertThat(ask(check, mail.build()).decisive()).isFalse();
        }
        assertThat(send(check, Transactions.rcpt("203.0.113.7"), 2).decisive()).isFalse();
        assertThat(send(check, Transactions.rcpt("203.0.113.7"), 1).decisive()).isTrue();
    }

    @Test
    void concurrentTransactionsThatTogetherGoOverAreRefusedAtEndOfMessageUncharged() {
        RateLimitCheck check = recipientsPerHour(CheckConfig.RateKey.CLIENT_IP, 3);
        Transactions a = Transactions.rcpt("203.0.113.7").message("A");
        Transactions b = Transactions.rcpt("203.0.113.7").message("B");
        for (int i = 0; i < 2; i++) {
            assertThat(ask(check, a.stage(Stage.RCPT).build()).decisive()).isFalse();
            assertThat(ask(check, b.stage(Stage.RCPT).build()).decisive()).isFalse();
        }
        assertThat(ask(check, a.stage(Stage.END_OF_MESSAGE).recipients(2).build()).decisive()).isFalse();
        CheckResult late = ask(check, b.stage(Stage.END_OF_MESSAGE).recipients(2).build());
        assertThat(late.decisive()).as("2 + 2 recipients in a limit of 3").isTrue();
        assertThat(late.explanation().rule()).isEqualTo("limit 3/1h");
        assertThat(send(check, Transactions.rcpt("203.0.113.7"), 1).decisive()).as("the refused message took nothing").isFalse();
    }

    @Test
    void everyWindowIsEnforced() {
        RateLimitCheck check = limit(CheckConfig.RateKey.SASL_USERNAME, CheckConfig.RateUnit.RECIPIENTS, ListConfig.EMPTY,
                new RateWindow(2, Duration.ofMinutes(1)), new RateWindow(3, Duration.ofHours(1)));
        Transactions mail = Transactions.rcpt("203.0.113.7").service("submission").login("Alice@example.net");
        assertThat(send(check, mail, 1).decisive()).isFalse();
        assertThat(send(check, mail, 1).decisive()).isFalse();
        assertThat(send(check, mail, 1).explanation().rule()).isEqualTo("limit 2/1m");
        clock.advance(Duration.ofMinutes(2));
        assertThat(send(check, mail, 1).decisive()).isFalse();
        CheckResult hourly = send(check, mail, 1);
        assertThat(hourly.decisive()).isTrue();
        assertThat(hourly.explanation().rule()).isEqualTo("limit 3/1h");
        assertThat(hourly.explanation().key()).isEqualTo("sasl-username=alice@example.net");
    }

    @Test
    void unauthenticatedMailIsNotCountedPerAccount() {
        RateLimitCheck check = recipientsPerHour(CheckConfig.RateKey.SASL_USERNAME, 1);
        for (int i = 0; i < 3; i++) assertThat(send(check, Transactions.rcpt("203.0.113.7"), 1).decisive()).isFalse();
    }

    @Test
    void messagesAreChargedAtEndOfMessageAndOnlyCheckedAtRcpt() {
        RateLimitCheck check = limit(CheckConfig.RateKey.SENDER, CheckConfig.RateUnit.MESSAGES, ListConfig.EMPTY,
                new RateWindow(2, Duration.ofHours(1)));
        Transactions mail = Transactions.rcpt("203.0.113.7").from("bulk@example.org");
        for (int i = 0; i < 5; i++) assertThat(ask(check, mail.build()).decisive()).as("RCPT does not charge").isFalse();
        assertThat(ask(check, mail.stage(Stage.END_OF_MESSAGE).build()).decisive()).isFalse();
        assertThat(ask(check, mail.stage(Stage.END_OF_MESSAGE).build()).decisive()).isFalse();
        assertThat(ask(check, mail.stage(Stage.RCPT).build()).decisive()).as("RCPT sees the window full").isTrue();
        assertThat(ask(check, mail.stage(Stage.END_OF_MESSAGE).build()).decisive()).isTrue();
    }

    @Test
    void bytesAreChargedWithTheMessageSize() {
        RateLimitCheck check = limit(CheckConfig.RateKey.SENDER_DOMAIN, CheckConfig.RateUnit.BYTES, ListConfig.EMPTY,
                new RateWindow(1_000_000, Duration.ofDays(1)));
        Transactions mail = Transactions.rcpt("203.0.113.7").from("a@big.example").stage(Stage.END_OF_MESSAGE);
        assertThat(ask(check, mail.size(600_000).build()).decisive()).isFalse();
        CheckResult second = ask(check, mail.size(600_000).build());
        assertThat(second.decisive()).isTrue();
        assertThat(second.explanation().key()).isEqualTo("sender-domain=big.example");
        assertThat(ask(check, mail.size(300_000).build()).decisive()).isFalse();
        CheckResult huge = ask(check, mail.size(2_000_000).build());
        assertThat(huge.decisive()).isTrue();
        assertThat(huge.action().argument()).endsWith("this bytes count (2000000) is larger than the whole limit");
    }

    @Test
    void recipientDomainsAreChargedAtEndOfMessageFromTheTransactionsRunningCount() {
        RateLimitCheck check = recipientsPerHour(CheckConfig.RateKey.RECIPIENT_DOMAIN, 2);
        Transactions mail = Transactions.rcpt("203.0.113.7").message("T1");
        assertThat(ask(check, mail.to("a@one.example").build()).decisive()).isFalse();
        assertThat(ask(check, mail.to("b@one.example").build()).decisive()).isFalse();
        assertThat(ask(check, mail.to("c@one.example").build()).explanation().detail())
                .as("a third recipient at one.example in one message").contains("already has 2 recipients");
        assertThat(ask(check, mail.to("a@two.example").build()).decisive()).isFalse();
        CheckResult end = ask(check, mail.stage(Stage.END_OF_MESSAGE).recipients(3).build());
        assertThat(end.decisive()).isFalse();
        assertThat(end.explanation().key()).isEqualTo("recipient-domain=one.example,two.example");

        Transactions next = Transactions.rcpt("198.51.100.1").message("T2");
        assertThat(ask(check, next.to("x@one.example").build()).decisive()).as("one.example has had its 2").isTrue();
        assertThat(ask(check, next.to("x@two.example").build()).decisive()).as("two.example had 1").isFalse();
    }

    @Test
    void aRecipientDomainOverItsLimitAtEndOfMessageRefusesTheMessageAndTheOtherDomainsGetTheirsBack() {
        RateLimitCheck check = recipientsPerHour(CheckConfig.RateKey.RECIPIENT_DOMAIN, 1);
        Transactions a = Transactions.rcpt("203.0.113.7").message("A");
        Transactions b = Transactions.rcpt("203.0.113.8").message("B");
        assertThat(ask(check, a.to("x@one.example").build()).decisive()).isFalse();
        assertThat(ask(check, b.to("x@one.example").build()).decisive()).isFalse();
        assertThat(ask(check, b.to("x@two.example").build()).decisive()).isFalse();
        assertThat(ask(check, a.stage(Stage.END_OF_MESSAGE).recipients(1).build()).decisive()).isFalse();
        CheckResult refused = ask(check, b.stage(Stage.END_OF_MESSAGE).recipients(2).build());
        assertThat(refused.decisive()).isTrue();
        assertThat(refused.explanation().key()).isEqualTo("recipient-domain=one.example");
        assertThat(send(check, Transactions.rcpt("192.0.2.1").to("y@two.example"), 1).decisive())
                .as("two.example was given back").isFalse();
    }

    @Test
    void aRecipientDomainNamedAtEndOfMessageIsChargedTheOneRecipientPostfixAccepted() {
        RateLimitCheck check = recipientsPerHour(CheckConfig.RateKey.RECIPIENT_DOMAIN, 2);
        Transactions mail = Transactions.rcpt("203.0.113.7").message("T1");
        assertThat(ask(check, mail.to("a@one.example").build()).decisive()).isFalse();
        assertThat(ask(check, mail.to("b@one.example").build()).decisive()).isFalse();
        // Postfix refused a@one.example after Sekisho's answer; END-OF-MESSAGE names the one recipient it accepted.
        CheckResult end = ask(check, mail.stage(Stage.END_OF_MESSAGE).recipients(1).build());
        assertThat(end.explanation().key()).isEqualTo("recipient-domain=one.example");
        assertThat(transactions.count("T1", "mx/" + check.name(), "one.example")).as("the running count ends").isZero();
        Transactions next = Transactions.rcpt("198.51.100.1").message("T2").to("c@one.example");
        assertThat(ask(check, next.build()).decisive()).as("one charged, one left").isFalse();
        assertThat(ask(check, next.build()).decisive()).isTrue();
    }

    @Test
    void aLimitThatLetsMailThroughButNeverSeesEndOfMessageIsNamedInAWarning() {
        RateLimitCheck unhooked = limit(CheckConfig.RateKey.SENDER, CheckConfig.RateUnit.MESSAGES, ListConfig.EMPTY,
                new RateWindow(1000, Duration.ofHours(1)));
        for (int i = 0; i < 100; i++) assertThat(ask(unhooked, Transactions.rcpt("203.0.113.7").message("M" + i).build()).decisive()).isFalse();
        assertThat(warnings).as("not yet: the first message's data may still be coming").isEmpty();
        clock.advance(Duration.ofMinutes(5));
        assertThat(ask(unhooked, Transactions.rcpt("203.0.113.7").message("M100").build()).decisive()).isFalse();
        assertThat(warnings).singleElement().asString().contains("rate limit per-sender of service mx", "counts nothing");

        warnings.clear();
        RateLimitCheck hooked = recipientsPerHour(CheckConfig.RateKey.CLIENT_IP, 1000);
        assertThat(send(hooked, Transactions.rcpt("198.51.100.1"), 1).decisive()).isFalse();
        clock.advance(Duration.ofMinutes(10));
        for (int i = 0; i < 200; i++) assertThat(ask(hooked, Transactions.rcpt("198.51.100.1").message("R" + i).build()).decisive()).isFalse();
        assertThat(warnings).as("a limit that has seen END-OF-MESSAGE").isEmpty();
    }

    @Test
    void mailRefusedByALaterCheckIsNotCharged() {
        RateLimitCheck check = recipientsPerHour(CheckConfig.RateKey.CLIENT_IP, 2);
        dev.sekisho.engine.Check refuseAll = new dev.sekisho.engine.Check() {
            public String name() {
                return "refuse";
            }

            public CheckResult evaluate(Transaction t, EvaluationContext c) {
                return CheckResult.decide(Action.reject(554, "5.7.1", "no"), Explanation.of("refuse", "always"));
            }
        };
        Engine refusing = new Engine(Map.of("mx", new ServicePolicy("mx", List.of(check, refuseAll), Duration.ofSeconds(2), Action.DUNNO)),
                clock, Engine.Listener.NONE);
        Transactions mail = Transactions.rcpt("203.0.113.7").message("T1");
        for (int i = 0; i < 5; i++) refusing.decide(mail.stage(Stage.RCPT).build());
        assertThat(transactions.count("T1", "mx/" + check.name(), "203.0.113.7")).as("refused recipients do not join the running count").isZero();
        for (int i = 0; i < 5; i++) refusing.decide(mail.stage(Stage.END_OF_MESSAGE).recipients(1).build());
        assertThat(send(check, Transactions.rcpt("203.0.113.7"), 2).decisive())
                .as("what END-OF-MESSAGE charged as it decided was given back when the later check refused").isFalse();
        assertThat(send(check, Transactions.rcpt("203.0.113.7"), 1).decisive()).isTrue();
    }

    @Test
    void explainChangesNothing() {
        RateLimitCheck check = recipientsPerHour(CheckConfig.RateKey.CLIENT_IP, 2);
        Transactions mail = Transactions.rcpt("203.0.113.7").message("T1");
        assertThat(ask(check, mail.build()).decisive()).isFalse();
        EvaluationContext dryRun = new EvaluationContext(clock.instant(), clock.instant().plusSeconds(2), true);
        CheckResult explained = check.evaluate(mail.stage(Stage.END_OF_MESSAGE).recipients(1).build(), dryRun);
        assertThat(explained.explanation().values()).as("used now, before this message").containsEntry("1h", "0/2");
        assertThat(explained.decisive()).isFalse();
        CheckResult nextRecipient = check.evaluate(mail.stage(Stage.RCPT).build(), dryRun);
        assertThat(nextRecipient.charge()).isSameAs(dev.sekisho.engine.Charge.NONE);
        assertThat(nextRecipient.explanation().values()).as("explain shows the transaction's recipients so far")
                .containsEntry("this-message", "1").containsEntry("1h", "0/2");
        assertThat(transactions.count("T1", "mx/" + check.name(), "203.0.113.7")).as("the running count is untouched").isEqualTo(1);
        assertThat(send(check, Transactions.rcpt("203.0.113.7"), 2).decisive()).as("and nothing was charged").isFalse();
    }

    @Test
    void exemptionsAreNotCounted() {
        ListConfig exempt = new ListConfig(List.of(new IPAddressString("192.0.2.0/24").getAddress().toPrefixBlock()), Set.of(), Set.of(), Set.of());
        RateLimitCheck check = limit(CheckConfig.RateKey.CLIENT_NETWORK, CheckConfig.RateUnit.RECIPIENTS, exempt,
                new RateWindow(1, Duration.ofHours(1)));
        for (int i = 0; i < 3; i++) {
            CheckResult r = send(check, Transactions.rcpt("192.0.2.9"), 1);
            assertThat(r.decisive()).isFalse();
            assertThat(r.explanation().detail()).contains("exempt: network 192.0.2.0/24");
        }
        assertThat(send(check, Transactions.rcpt("198.51.100.1"), 1).decisive()).isFalse();
        CheckResult sameNetwork = send(check, Transactions.rcpt("198.51.100.2"), 1);
        assertThat(sameNetwork.decisive()).isTrue();
        assertThat(sameNetwork.explanation().key()).isEqualTo("client-network=198.51.100.0/24");
    }

    @Test
    void exemptionsByAccountAndBySenderDomain() {
        ListConfig exempt = new ListConfig(List.of(), Set.of("lists.example.org"), Set.of("relay@example.net"), Set.of());
        RateLimitCheck check = limit(CheckConfig.RateKey.CLIENT_IP, CheckConfig.RateUnit.RECIPIENTS, exempt,
                new RateWindow(1, Duration.ofHours(1)));
        for (int i = 0; i < 3; i++) {
            CheckResult account = send(check, Transactions.rcpt("203.0.113.30").login("Relay@example.net"), 1);
            assertThat(account.decisive()).isFalse();
            assertThat(account.explanation().detail()).isEqualTo("exempt: account relay@example.net");
            CheckResult domain = send(check, Transactions.rcpt("203.0.113.30").from("news@bounce.lists.example.org"), 1);
            assertThat(domain.decisive()).isFalse();
            assertThat(domain.explanation().detail()).isEqualTo("exempt: sender domain bounce.lists.example.org (entry lists.example.org)");
        }
        assertThat(send(check, Transactions.rcpt("203.0.113.30").from("a@example.com"), 1).decisive())
                .as("nothing exempt was counted: the client's first other mail fits").isFalse();
        assertThat(send(check, Transactions.rcpt("203.0.113.30").from("a@example.com"), 1).decisive()).isTrue();
    }

}
