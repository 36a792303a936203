package dev.sekisho.checks;

import dev.sekisho.config.CheckConfig;
import dev.sekisho.engine.Action;
import dev.sekisho.engine.CheckResult;
import dev.sekisho.engine.EvaluationContext;
import dev.sekisho.engine.Transaction;
import dev.sekisho.testing.Transactions;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SenderLoginMismatchCheckTest {
    private static final Action REJECT = Action.reject(553, "5.7.1", "not yours");

    private static CheckResult ask(CheckConfig.SenderLoginMismatch config, Transaction tx) {
        Instant now = Instant.parse("2026-11-22T10:00:00Z");
        return new SenderLoginMismatchCheck(config).evaluate(tx, new EvaluationContext(now, now.plusSeconds(2), false));
    }

    private static CheckConfig.SenderLoginMismatch config(CheckConfig.MismatchMatch match, Action action) {
        return new CheckConfig.SenderLoginMismatch("mismatch", match, Map.of("alice@example.net", List.of("sales@example.com", "@alice.example")),
                "example.net", action);
    }

    private static Transaction mail(String login, String sender) {
        return Transactions.rcpt("192.0.2.1").service("submission").login(login).from(sender).build();
    }

    @Test
    void theSenderMustBelongToTheAccount() {
        var byDomain = config(CheckConfig.MismatchMatch.DOMAIN, REJECT);
        assertThat(ask(byDomain, mail("alice@example.net", "Alice@Example.net")).decisive()).isFalse();
        assertThat(ask(byDomain, mail("alice@example.net", "bob@example.net")).decisive()).as("same domain").isFalse();
        CheckResult spoof = ask(byDomain, mail("alice@example.net", "ceo@bank.example"));
        assertThat(spoof.decisive()).isTrue();
        assertThat(spoof.action()).isEqualTo(REJECT);
        assertThat(spoof.explanation().key()).isEqualTo("login=alice@example.net sender=ceo@bank.example");

        var byAddress = config(CheckConfig.MismatchMatch.ADDRESS, REJECT);
        assertThat(ask(byAddress, mail("alice@example.net", "bob@example.net")).decisive()).isTrue();
    }

    @Test
    void theOwnersTableAndBareLoginsAreUnderstood() {
        var byAddress = config(CheckConfig.MismatchMatch.ADDRESS, REJECT);
        assertThat(ask(byAddress, mail("alice@example.net", "sales@example.com")).explanation().rule()).isEqualTo("owners table");
        assertThat(ask(byAddress, mail("alice@example.net", "any@alice.example")).decisive()).isFalse();
        assertThat(ask(byAddress, mail("alice", "alice@example.net")).decisive()).as("login-domain completes it").isFalse();
        assertThat(ask(byAddress, mail("alice", "sales@example.com")).decisive()).isFalse();
    }

    @Test
    void deferAndHoldAreAnsweredAsConfigured() {
        for (Action action : List.of(Action.defer(450, "4.7.1", "check your sender"), Action.of(Action.Kind.HOLD, "sender not owned"))) {
            CheckResult r = ask(config(CheckConfig.MismatchMatch.DOMAIN, action), mail("alice@example.net", "ceo@bank.example"));
            assertThat(r.decisive()).isTrue();
            assertThat(r.action()).isEqualTo(action);
        }
    }

    @Test
    void logModeNotesButDoesNotRefuse() {
        CheckResult r = ask(config(CheckConfig.MismatchMatch.DOMAIN, null), mail("alice@example.net", "ceo@bank.example"));
        assertThat(r.decisive()).isFalse();
        assertThat(r.notable()).isTrue();
    }

    @Test
    void unauthenticatedMailAndTheNullSenderAreLeftAlone() {
        var c = config(CheckConfig.MismatchMatch.ADDRESS, REJECT);
        assertThat(ask(c, Transactions.rcpt("192.0.2.1").from("ceo@bank.example").build()).decisive()).isFalse();
        assertThat(ask(c, mail("alice@example.net", "")).decisive()).isFalse();
    }
}
