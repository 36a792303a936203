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
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimitCheckTest {
    private final MutableClock clock = MutableClock.at("2026-11-22T10:00:00Z");
    private final StateStore store = TestStores.inMemory();

    @AfterEach
    void close() {
        store.close();
    }

    private RateLimitCheck limit(CheckConfig.RateKey key, CheckConfig.RateUnit unit, ListConfig exempt, RateWindow... windows) {
        return new RateLimitCheck(new CheckConfig.RateLimit("per-" + key.name().toLowerCase(), key, unit, List.of(windows),
                Action.defer(450, "4.7.1", ""), exempt), new ClientNetworks(24, 64), store);
    }

    /** Ask as the engine does when the mail is then accepted: a passing answer's charge is committed. */
    private CheckResult ask(RateLimitCheck check, Transaction tx) {
        CheckResult result = check.evaluate(tx, new EvaluationContext(clock.instant(), clock.instant().plusSeconds(2), false));
        if (result.decisive()) return result;
        return result.charge().commit().orElse(result);
    }

    @Test
    void evaluatingAloneCountsNothingTheCommitCountsAndRechecks() {
        RateLimitCheck check = limit(CheckConfig.RateKey.CLIENT_IP, CheckConfig.RateUnit.RECIPIENTS, ListConfig.EMPTY,
                new RateWindow(1, Duration.ofHours(1)));
        Transaction tx = Transactions.rcpt("203.0.113.7").build();
        EvaluationContext now = new EvaluationContext(clock.instant(), clock.instant().plusSeconds(2), false);
        CheckResult first = check.evaluate(tx, now);
        CheckResult second = check.evaluate(tx, now);
        assertThat(first.decisive()).isFalse();
        assertThat(second.decisive()).as("nothing counted yet").isFalse();
        assertThat(first.charge().commit()).isEmpty();
        assertThat(second.charge().commit()).as("the last slot went to the first").hasValueSatisfying(r -> {
            assertThat(r.decisive()).isTrue();
            assertThat(r.explanation().rule()).isEqualTo("limit 1/1h");
        });
        first.charge().refund();
        assertThat(check.evaluate(tx, now).charge().commit()).as("refunded").isEmpty();
    }

    @Test
    void theRequestOverTheLimitIsDeferredNamingTheLimitAndWhenItResets() {
        RateLimitCheck check = limit(CheckConfig.RateKey.CLIENT_IP, CheckConfig.RateUnit.RECIPIENTS, ListConfig.EMPTY,
                new RateWindow(3, Duration.ofHours(1)));
        Transaction tx = Transactions.rcpt("203.0.113.7").build();
        for (int i = 0; i < 3; i++) assertThat(ask(check, tx).decisive()).isFalse();
        CheckResult fourth = ask(check, tx);
        assertThat(fourth.decisive()).isTrue();
        assertThat(fourth.action().code()).isEqualTo(450);
        assertThat(fourth.action().argument()).isEqualTo(
                "Rate limit per-client_ip (3/1h recipients) exceeded for 203.0.113.7, try again in 1200s");
        assertThat(fourth.explanation().rule()).isEqualTo("limit 3/1h");
        assertThat(fourth.explanation().values()).containsEntry("1h", "3/3");
        assertThat(ask(check, Transactions.rcpt("203.0.113.8").build()).decisive()).as("another client").isFalse();

        clock.advance(Duration.ofMinutes(20));
        assertThat(ask(check, tx).decisive()).as("one slot drained").isFalse();
        assertThat(ask(check, tx).decisive()).isTrue();
    }

    @Test
    void everyWindowIsEnforced() {
        RateLimitCheck check = limit(CheckConfig.RateKey.SASL_USERNAME, CheckConfig.RateUnit.RECIPIENTS, ListConfig.EMPTY,
                new RateWindow(2, Duration.ofMinutes(1)), new RateWindow(3, Duration.ofHours(1)));
        Transaction tx = Transactions.rcpt("203.0.113.7").service("submission").login("Alice@example.net").build();
        assertThat(ask(check, tx).decisive()).isFalse();
        assertThat(ask(check, tx).decisive()).isFalse();
        assertThat(ask(check, tx).explanation().rule()).isEqualTo("limit 2/1m");
        clock.advance(Duration.ofMinutes(2));
        assertThat(ask(check, tx).decisive()).isFalse();
        CheckResult hourly = ask(check, tx);
        assertThat(hourly.decisive()).isTrue();
        assertThat(hourly.explanation().rule()).isEqualTo("limit 3/1h");
        assertThat(hourly.explanation().key()).isEqualTo("sasl-username=alice@example.net");
    }

    @Test
    void unauthenticatedMailIsNotCountedPerAccount() {
        RateLimitCheck check = limit(CheckConfig.RateKey.SASL_USERNAME, CheckConfig.RateUnit.RECIPIENTS, ListConfig.EMPTY,
                new RateWindow(1, Duration.ofHours(1)));
        for (int i = 0; i < 3; i++) assertThat(ask(check, Transactions.rcpt("203.0.113.7").build()).decisive()).isFalse();
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
    void exemptionsAreNotCounted() {
        ListConfig exempt = new ListConfig(List.of(new IPAddressString("192.0.2.0/24").getAddress().toPrefixBlock()), Set.of(), Set.of(), Set.of());
        RateLimitCheck check = limit(CheckConfig.RateKey.CLIENT_NETWORK, CheckConfig.RateUnit.RECIPIENTS, exempt,
                new RateWindow(1, Duration.ofHours(1)));
        for (int i = 0; i < 3; i++) {
            CheckResult r = ask(check, Transactions.rcpt("192.0.2.9").build());
            assertThat(r.decisive()).isFalse();
            assertThat(r.explanation().detail()).contains("exempt: network 192.0.2.0/24");
        }
        assertThat(ask(check, Transactions.rcpt("198.51.100.1").build()).decisive()).isFalse();
        CheckResult sameNetwork = ask(check, Transactions.rcpt("198.51.100.2").build());
        assertThat(sameNetwork.decisive()).isTrue();
        assertThat(sameNetwork.explanation().key()).isEqualTo("client-network=198.51.100.0/24");
    }

    @Test
    void exemptionsByAccountAndBySenderDomain() {
        ListConfig exempt = new ListConfig(List.of(), Set.of("lists.example.org"), Set.of("relay@example.net"), Set.of());
        RateLimitCheck check = limit(CheckConfig.RateKey.CLIENT_IP, CheckConfig.RateUnit.RECIPIENTS, exempt,
                new RateWindow(1, Duration.ofHours(1)));
        for (int i = 0; i < 3; i++) {
            CheckResult account = ask(check, Transactions.rcpt("203.0.113.30").login("Relay@example.net").build());
            assertThat(account.decisive()).isFalse();
            assertThat(account.explanation().detail()).isEqualTo("exempt: account relay@example.net");
            CheckResult domain = ask(check, Transactions.rcpt("203.0.113.30").from("news@bounce.lists.example.org").build());
            assertThat(domain.decisive()).isFalse();
            assertThat(domain.explanation().detail()).isEqualTo("exempt: sender domain bounce.lists.example.org (entry lists.example.org)");
        }
        assertThat(ask(check, Transactions.rcpt("203.0.113.30").from("a@example.com").build()).decisive())
                .as("nothing exempt was counted: the client's first other mail fits").isFalse();
        assertThat(ask(check, Transactions.rcpt("203.0.113.30").from("a@example.com").build()).decisive()).isTrue();
    }

    @Test
    void mailRefusedByALaterCheckIsNotCharged() {
        RateLimitCheck check = limit(CheckConfig.RateKey.CLIENT_IP, CheckConfig.RateUnit.RECIPIENTS, ListConfig.EMPTY,
                new RateWindow(2, Duration.ofHours(1)));
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
        Transaction tx = Transactions.rcpt("203.0.113.7").build();
        for (int i = 0; i < 5; i++) refusing.decide(tx);
        assertThat(ask(check, tx).decisive()).isFalse();
        assertThat(ask(check, tx).decisive()).isFalse();
        assertThat(ask(check, tx).decisive()).isTrue();
    }
}
