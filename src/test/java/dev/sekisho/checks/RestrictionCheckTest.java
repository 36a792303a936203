package dev.sekisho.checks;

import dev.sekisho.engine.Action;
import dev.sekisho.engine.CheckResult;
import dev.sekisho.engine.EvaluationContext;
import dev.sekisho.engine.Restriction;
import dev.sekisho.engine.Subject;
import dev.sekisho.engine.Transaction;
import dev.sekisho.state.StateStore;
import dev.sekisho.testing.MutableClock;
import dev.sekisho.testing.TestStores;
import dev.sekisho.testing.Transactions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class RestrictionCheckTest {
    private final MutableClock clock = MutableClock.at("2026-11-22T10:00:00Z");
    private final StateStore store = TestStores.inMemory();
    private final RestrictionCheck check = new RestrictionCheck("restrictions", new RestrictionIndex(store), Action.reject(554, "5.7.1", ""));

    @AfterEach
    void close() {
        store.close();
    }

    private CheckResult ask(Transaction tx) {
        return check.evaluate(tx, new EvaluationContext(clock.instant(), clock.instant().plusSeconds(2), false));
    }

    private Restriction impose(String id, Subject.Kind kind, String value) {
        Restriction r = new Restriction(id, Subject.parse(kind, value), "abuse report 4711", "cli:alice", "",
                clock.instant(), clock.instant().plus(Duration.ofHours(1)), null, "");
        store.impose(r);
        return r;
    }

    @Test
    void aRestrictionAddedWhileRunningAppliesToTheNextRequest() {
        Transaction tx = Transactions.rcpt("203.0.113.7").build();
        assertThat(ask(tx).decisive()).isFalse();
        impose("r-1", Subject.Kind.IP, "203.0.113.7");
        CheckResult hit = ask(tx);
        assertThat(hit.decisive()).isTrue();
        assertThat(hit.action().code()).isEqualTo(554);
        assertThat(hit.action().argument()).isEqualTo("Access restricted until 2026-11-22T11:00:00Z (ref r-1)");
        assertThat(hit.explanation().detail()).isEqualTo("abuse report 4711");
        assertThat(hit.explanation().key()).isEqualTo("ip:203.0.113.7");
    }

    @Test
    void networksAccountsSendersAndDomainsAreHonoured() {
        impose("net", Subject.Kind.NETWORK, "198.51.100.0/24");
        impose("acct", Subject.Kind.ACCOUNT, "Mallory@example.net");
        impose("snd", Subject.Kind.SENDER, "spam@example.org");
        impose("dom", Subject.Kind.DOMAIN, "bad.example");
        impose("v6", Subject.Kind.NETWORK, "2001:db8:bad::/48");
        assertThat(ask(Transactions.rcpt("198.51.100.77").build()).explanation().rule()).isEqualTo("net");
        assertThat(ask(Transactions.rcpt("192.0.2.1").login("mallory@EXAMPLE.net").build()).explanation().rule()).isEqualTo("acct");
        assertThat(ask(Transactions.rcpt("192.0.2.1").from("Spam@example.org").build()).explanation().rule()).isEqualTo("snd");
        assertThat(ask(Transactions.rcpt("192.0.2.1").from("x@bad.example").build()).explanation().rule()).isEqualTo("dom");
        assertThat(ask(Transactions.rcpt("2001:db8:bad:1::25").build()).explanation().rule()).isEqualTo("v6");
        assertThat(ask(Transactions.rcpt("2001:db8:600d::25").build()).decisive()).isFalse();
        assertThat(ask(Transactions.rcpt("192.0.2.1").from("x@good.example").build()).decisive()).isFalse();
    }

    @Test
    void liftedAndExpiredRestrictionsNoLongerApply() {
        impose("r-2", Subject.Kind.IP, "203.0.113.7");
        impose("r-3", Subject.Kind.ACCOUNT, "bob");
        store.lift("r-2", clock.instant(), "cli:support");
        assertThat(ask(Transactions.rcpt("203.0.113.7").build()).decisive()).isFalse();
        assertThat(ask(Transactions.rcpt("192.0.2.1").login("bob").build()).decisive()).isTrue();
        clock.advance(Duration.ofMinutes(61));
        assertThat(ask(Transactions.rcpt("192.0.2.1").login("bob").build()).decisive()).isFalse();
    }
}
