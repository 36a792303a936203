package dev.sekisho.spf;

import dev.sekisho.dns.CachingResolver;
import dev.sekisho.dns.NetworkResolver;
import dev.sekisho.testing.MutableClock;
import dev.sekisho.testing.dns.TestDnsServer;
import dev.sekisho.testing.dns.Zone;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Behaviour beyond the conformance suite: the trail, the counters, error reasons, caching, IDN. */
class SpfEvaluatorTest {

    interface WithEvaluator {
        void run(TestDnsServer server, SpfEvaluator evaluator) throws Exception;
    }

    private static void with(Zone zone, WithEvaluator test) throws Exception {
        try (TestDnsServer server = TestDnsServer.start(zone)) {
            var resolver = new CachingResolver(new NetworkResolver(NetworkResolver.Settings.of(List.of(server.hostPort()))
                    .withTimeout(Duration.ofMillis(400))), MutableClock.at("2026-03-01T00:00:00Z"));
            test.run(server, new SpfEvaluator(resolver));
        }
    }

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @Test
    void theTrailShowsRecordsLookupsAndTheMatchingMechanism() throws Exception {
        Zone zone = Zone.empty().txt("example.com", "v=spf1 a:mail.example.com include:_spf.example.net -all")
                .a("mail.example.com", "192.0.2.1")
                .txt("_spf.example.net", "v=spf1 ip4:198.51.100.0/24 -all");
        with(zone, (server, evaluator) -> {
            SpfEvaluation e = evaluator.checkMailFrom(ip("198.51.100.9"), "alice@example.com", "mail.example.com");
            assertThat(e.result()).isEqualTo(SpfResult.PASS);
            assertThat(e.mechanism()).contains("include:_spf.example.net");
            assertThat(e.domain()).isEqualTo("example.com");
            assertThat(e.dnsLookups()).isEqualTo(2);
            assertThat(e.voidLookups()).isZero();
            assertThat(e.trail()).extracting(SpfEvaluation.Step::kind).contains(SpfEvaluation.StepKind.RECORD, SpfEvaluation.StepKind.LOOKUP,
                    SpfEvaluation.StepKind.NO_MATCH, SpfEvaluation.StepKind.ENTER, SpfEvaluation.StepKind.MATCH);
            assertThat(e.trail()).anySatisfy(step -> {
                assertThat(step.depth()).isEqualTo(1);
                assertThat(step.domain()).isEqualTo("_spf.example.net");
                assertThat(step.kind()).isEqualTo(SpfEvaluation.StepKind.MATCH);
                assertThat(step.detail()).isEqualTo("ip4:198.51.100.0/24");
            });
        });
    }

    @Test
    void theTrailWritesAnAaaaAnswerInTheShortForm() throws Exception {
        Zone zone = Zone.empty().txt("example.com", "v=spf1 a:mail.example.com -all").aaaa("mail.example.com", "2001:db8:0:0:0:0:0:25");
        with(zone, (server, evaluator) -> {
            SpfEvaluation e = evaluator.checkMailFrom(ip("2001:db8::25"), "alice@example.com", "mail.example.com");
            assertThat(e.result()).isEqualTo(SpfResult.PASS);
            // RFC 5952 4.2: the trail people read shows 2001:db8::25, not Java's 2001:db8:0:0:0:0:0:25.
            assertThat(e.trail()).filteredOn(step -> step.kind() == SpfEvaluation.StepKind.LOOKUP).extracting(SpfEvaluation.Step::detail)
                    .containsExactly("example.com TXT: \"v=spf1 a:mail.example.com -all\"", "mail.example.com AAAA: 2001:db8::25");
        });
    }

    @Test
    void aDnsFailureIsATemperrorNeverAMiss() throws Exception {
        Zone zone = Zone.empty().txt("example.com", "v=spf1 a:flaky.example.com -all").servfail("flaky.example.com")
                .txt("slow.example.com", "v=spf1 -all").drop("slow.example.com", Type.TXT);
        with(zone, (server, evaluator) -> {
            SpfEvaluation servfail = evaluator.checkMailFrom(ip("192.0.2.1"), "a@example.com", "h.example.com");
            assertThat(servfail.result()).isEqualTo(SpfResult.TEMPERROR);
            assertThat(servfail.problem()).hasValueSatisfying(p -> assertThat(p).contains("flaky.example.com").contains("SERVFAIL"));
            SpfEvaluation timeout = evaluator.checkMailFrom(ip("192.0.2.1"), "a@slow.example.com", "h.example.com");
            assertThat(timeout.result()).isEqualTo(SpfResult.TEMPERROR);
            assertThat(timeout.problem()).hasValueSatisfying(p -> assertThat(p).contains("timed out"));
        });
    }

    @Test
    void theEleventhLookupIsAPermerror() throws Exception {
        Zone zone = Zone.empty().txt("example.com", "v=spf1 " + "a:h.example.com ".repeat(11) + "-all").a("h.example.com", "192.0.2.1");
        with(zone, (server, evaluator) -> {
            SpfEvaluation e = evaluator.checkMailFrom(ip("198.51.100.1"), "a@example.com", "h.example.com");
            assertThat(e.result()).isEqualTo(SpfResult.PERMERROR);
            assertThat(e.problem()).hasValueSatisfying(p -> assertThat(p).contains("more than 10 DNS lookups"));
            assertThat(e.dnsLookups()).isEqualTo(11);
        });
    }

    @Test
    void theThirdVoidLookupIsAPermerror() throws Exception {
        Zone zone = Zone.empty().txt("example.com", "v=spf1 a:n1.example.com mx:n2.example.com exists:n3.example.com ip4:192.0.2.1 -all");
        with(zone, (server, evaluator) -> {
            SpfEvaluation e = evaluator.checkMailFrom(ip("192.0.2.1"), "a@example.com", "h.example.com");
            assertThat(e.result()).isEqualTo(SpfResult.PERMERROR);
            assertThat(e.voidLookups()).isEqualTo(3);
            assertThat(e.problem()).hasValueSatisfying(p -> assertThat(p).contains("more than 2 void lookups"));
        });
    }

    @Test
    void aPtrQueryWithoutAnswerIsAVoidLookupToo() throws Exception {
        // 192.0.2.1 has no PTR record: the ptr mechanism's query is the third void lookup
        Zone zone = Zone.empty().txt("example.com", "v=spf1 a:n1.example.com mx:n2.example.com ptr ip4:192.0.2.1 -all");
        with(zone, (server, evaluator) -> {
            SpfEvaluation e = evaluator.checkMailFrom(ip("192.0.2.1"), "a@example.com", "h.example.com");
            assertThat(e.result()).isEqualTo(SpfResult.PERMERROR);
            assertThat(e.voidLookups()).isEqualTo(3);
            assertThat(e.problem()).hasValueSatisfying(p -> assertThat(p).contains("more than 2 void lookups (at 1.2.0.192.in-addr.arpa"));
        });
    }

    @Test
    void includeLoopsAndIncludesWithoutARecordArePermerrors() throws Exception {
        Zone zone = Zone.empty().txt("a.example.com", "v=spf1 include:b.example.com -all").txt("b.example.com", "v=spf1 include:a.example.com -all")
                .txt("c.example.com", "v=spf1 include:nothing.example.com -all");
        with(zone, (server, evaluator) -> {
            SpfEvaluation loop = evaluator.checkMailFrom(ip("192.0.2.1"), "x@a.example.com", "h.example.com");
            assertThat(loop.result()).isEqualTo(SpfResult.PERMERROR);
            assertThat(loop.problem()).hasValueSatisfying(p -> assertThat(p).contains("loop"));
            SpfEvaluation none = evaluator.checkMailFrom(ip("192.0.2.1"), "x@c.example.com", "h.example.com");
            assertThat(none.result()).isEqualTo(SpfResult.PERMERROR);
            assertThat(none.problem()).hasValueSatisfying(p -> assertThat(p).contains("include:nothing.example.com"));
        });
    }

    @Test
    void internationalizedDomainsAreCheckedAsALabels() throws Exception {
        with(Zone.empty().txt("xn--bcher-kva.example", "v=spf1 ip4:192.0.2.0/24 -all"), (server, evaluator) -> {
            assertThat(evaluator.checkMailFrom(ip("192.0.2.7"), "kunde@bücher.example", "h.example.com").result()).isEqualTo(SpfResult.PASS);
            SpfEvaluation invalid = evaluator.checkMailFrom(ip("192.0.2.7"), "x@" + "ü".repeat(70) + ".example", "h.example.com");
            assertThat(invalid.result()).isEqualTo(SpfResult.NONE);
            assertThat(invalid.problem()).isPresent();
            assertThat(server.totalQueries()).isEqualTo(1);
        });
    }

    @Test
    void ipv4MappedClientsAreCheckedAsIpv4AndHeloChecksWork() throws Exception {
        with(Zone.empty().txt("mail.example.com", "v=spf1 ip4:192.0.2.25 -all"), (server, evaluator) -> {
            assertThat(evaluator.checkHelo(ip("::ffff:192.0.2.25"), "mail.example.com").result()).isEqualTo(SpfResult.PASS);
            InetAddress mapped = java.net.Inet6Address.getByAddress(null,
                    new byte[]{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 192, 0, 2, 25}, null);
            assertThat(evaluator.checkHelo(mapped, "mail.example.com").result()).isEqualTo(SpfResult.PASS);
            assertThat(evaluator.checkMailFrom(ip("192.0.2.26"), "", "mail.example.com").result()).isEqualTo(SpfResult.FAIL);
        });
    }

    @Test
    void aRepeatedCheckIsAnsweredFromTheCache() throws Exception {
        with(Zone.empty().txt("example.com", "v=spf1 mx -all").mx("example.com", 10, "mx.example.com").a("mx.example.com", "192.0.2.5"),
                (server, evaluator) -> {
                    evaluator.checkMailFrom(ip("192.0.2.5"), "a@example.com", "h.example.com");
                    int queries = server.totalQueries();
                    assertThat(evaluator.checkMailFrom(ip("192.0.2.5"), "b@example.com", "h.example.com").result()).isEqualTo(SpfResult.PASS);
                    assertThat(server.totalQueries()).isEqualTo(queries);
                });
    }
}
