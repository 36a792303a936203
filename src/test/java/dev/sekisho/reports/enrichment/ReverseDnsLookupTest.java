package dev.sekisho.reports.enrichment;

import dev.sekisho.dns.NetworkResolver;
import dev.sekisho.testing.dns.TestDnsServer;
import dev.sekisho.testing.dns.Zone;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Forward-confirmed reverse DNS against the in-process DNS server: every outcome, IPv4 and IPv6. */
class ReverseDnsLookupTest {
    private static TestDnsServer dns;
    private static ReverseDnsLookup lookup;

    @BeforeAll
    static void start() throws Exception {
        Zone zone = Zone.empty()
                // confirmed: the name points back
                .ptr("10.2.0.192.in-addr.arpa", "mail.example.com").a("mail.example.com", "192.0.2.9", "192.0.2.10")
                // unconfirmed: the name claims a bank but resolves elsewhere
                .ptr("20.100.51.198.in-addr.arpa", "mail.bank.example").a("mail.bank.example", "203.0.113.99")
                // no PTR at all (NXDOMAIN), and a reverse name that exists without PTR (no data)
                .a("31.100.51.198.in-addr.arpa", "192.0.2.1")
                // SERVFAIL and timeout on the PTR
                .servfail("5.113.0.203.in-addr.arpa").drop("6.113.0.203.in-addr.arpa")
                // PTR fine, forward lookup times out: unknown, not unconfirmed
                .ptr("7.113.0.203.in-addr.arpa", "slow.example.net").drop("slow.example.net")
                // several names: the one that confirms wins, whatever the order
                .ptr("8.113.0.203.in-addr.arpa", "a-claim.example.org").ptr("8.113.0.203.in-addr.arpa", "b-real.example.org")
                .a("a-claim.example.org", "192.0.2.200").a("b-real.example.org", "203.0.113.8")
                // IPv6, confirmed by AAAA (an A record with the same name does not count)
                .ptr(ReverseDnsLookup.reverseName(InetAddress.getByName("2001:db8::25")), "v6.example.com")
                .aaaa("v6.example.com", "2001:db8::25").a("v6.example.com", "192.0.2.25");
        dns = TestDnsServer.start(zone);
        lookup = new ReverseDnsLookup(new NetworkResolver(NetworkResolver.Settings.of(List.of(dns.hostPort()))
                .withTimeout(Duration.ofSeconds(1))));
    }

    @AfterAll
    static void stop() {
        dns.close();
    }

    private static ReverseDns of(String ip) throws Exception {
        return lookup.lookup(InetAddress.getByName(ip));
    }

    @Test
    void aNameThatResolvesBackIsConfirmed() throws Exception {
        assertThat(of("192.0.2.10")).isEqualTo(new ReverseDns.Confirmed("mail.example.com"));
    }

    @Test
    void aNameThatResolvesElsewhereIsUnconfirmed() throws Exception {
        assertThat(of("198.51.100.20")).isEqualTo(new ReverseDns.Unconfirmed("mail.bank.example"));
    }

    @Test
    void noPtrRecordIsNoPtrWhetherTheNameIsMissingOrEmpty() throws Exception {
        assertThat(of("198.51.100.30")).isEqualTo(new ReverseDns.NoPtr());
        assertThat(of("198.51.100.31")).isEqualTo(new ReverseDns.NoPtr());
    }

    @Test
    void aServerFailureOrATimeoutIsUnknownNeverNoPtr() throws Exception {
        assertThat(of("203.0.113.5")).isInstanceOfSatisfying(ReverseDns.Unknown.class,
                u -> assertThat(u.reason()).startsWith("PTR 5.113.0.203.in-addr.arpa: server failure"));
        assertThat(of("203.0.113.6")).isInstanceOfSatisfying(ReverseDns.Unknown.class,
                u -> assertThat(u.reason()).startsWith("PTR 6.113.0.203.in-addr.arpa: no answer within"));
    }

    @Test
    void aForwardLookupThatTimesOutLeavesTheNameUnknown() throws Exception {
        assertThat(of("203.0.113.7")).isInstanceOfSatisfying(ReverseDns.Unknown.class,
                u -> assertThat(u.reason()).startsWith("A slow.example.net: no answer within"));
    }

    @Test
    void amongSeveralNamesTheOneThatConfirmsIsTaken() throws Exception {
        assertThat(of("203.0.113.8")).isEqualTo(new ReverseDns.Confirmed("b-real.example.org"));
    }

    @Test
    void ipv6IsConfirmedByAaaaRecordsUnderIp6Arpa() throws Exception {
        assertThat(ReverseDnsLookup.reverseName(InetAddress.getByName("2001:db8::25")))
                .isEqualTo("5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
        assertThat(of("2001:db8::25")).isEqualTo(new ReverseDns.Confirmed("v6.example.com"));
        assertThat(dns.queries("v6.example.com", Type.A)).isZero();
    }

    @Test
    void storedWordsReadBackAsTheSameOutcome() {
        for (ReverseDns outcome : List.of(new ReverseDns.Confirmed("a.example"), new ReverseDns.Unconfirmed("b.example"),
                new ReverseDns.NoPtr(), new ReverseDns.Unknown("PTR x: timeout"))) {
            ReverseDns back = ReverseDns.fromStored(outcome.word(), outcome.ptrName(),
                    outcome instanceof ReverseDns.Unknown u ? java.util.Optional.of(u.reason()) : java.util.Optional.empty());
            assertThat(back).isEqualTo(outcome);
        }
    }
}
