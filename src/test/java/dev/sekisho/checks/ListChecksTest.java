package dev.sekisho.checks;

import dev.sekisho.config.ListConfig;
import dev.sekisho.engine.Action;
import dev.sekisho.engine.CheckResult;
import dev.sekisho.engine.EvaluationContext;
import dev.sekisho.engine.Transaction;
import dev.sekisho.testing.Transactions;
import inet.ipaddr.IPAddressString;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ListChecksTest {
    private static final EvaluationContext NOW = new EvaluationContext(Instant.EPOCH, Instant.EPOCH.plusSeconds(2), false);
    private final ListConfig list = new ListConfig(List.of(new IPAddressString("192.0.2.0/24").getAddress().toPrefixBlock(),
            new IPAddressString("2001:db8::/32").getAddress().toPrefixBlock()),
            Set.of("partner.example", ".sub.example"), Set.of("monitor@example.net"), Set.of("alerts@vendor.example"));

    private CheckResult allow(Transaction tx) {
        return ListCheck.allow("allow-list", new ListMatcher(list)).evaluate(tx, NOW);
    }

    @Test
    void anAllowListHitEndsTheChecksWithDunnoNotOk() {
        CheckResult r = allow(Transactions.rcpt("192.0.2.77").build());
        assertThat(r.decisive()).isTrue();
        assertThat(r.action()).isEqualTo(Action.DUNNO);
        assertThat(r.explanation().key()).isEqualTo("network 192.0.2.0/24");
        assertThat(allow(Transactions.rcpt("2001:db8:5::1").build()).decisive()).isTrue();
        assertThat(allow(Transactions.rcpt("198.51.100.1").login("Monitor@example.net").build()).decisive()).isTrue();
        assertThat(allow(Transactions.rcpt("198.51.100.1").from("alerts@vendor.example").build()).decisive()).isTrue();
        assertThat(allow(Transactions.rcpt("198.51.100.1").build()).decisive()).isFalse();
    }

    @Test
    void domainEntriesMatchSubdomainsAndDotEntriesOnlySubdomains() {
        assertThat(allow(Transactions.rcpt("198.51.100.1").from("a@partner.example").build()).decisive()).isTrue();
        assertThat(allow(Transactions.rcpt("198.51.100.1").from("a@mx.partner.example").build()).decisive()).isTrue();
        assertThat(allow(Transactions.rcpt("198.51.100.1").from("a@notpartner.example").build()).decisive()).isFalse();
        assertThat(allow(Transactions.rcpt("198.51.100.1").from("a@sub.example").build()).decisive()).isFalse();
        assertThat(allow(Transactions.rcpt("198.51.100.1").from("a@x.sub.example").build()).decisive()).isTrue();
    }

    @Test
    void aDenyListHitRefusesWithTheConfiguredAction() {
        Action reject = Action.reject(554, "5.7.1", "Access denied");
        CheckResult r = ListCheck.deny("deny-list", new ListMatcher(list), reject).evaluate(Transactions.rcpt("192.0.2.1").build(), NOW);
        assertThat(r.decisive()).isTrue();
        assertThat(r.action()).isEqualTo(reject);
    }
}
