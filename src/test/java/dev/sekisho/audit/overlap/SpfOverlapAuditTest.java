package dev.sekisho.audit.overlap;

import dev.sekisho.audit.BoundedConcurrency;
import dev.sekisho.dns.CachingResolver;
import dev.sekisho.dns.DnsOutcome;
import dev.sekisho.dns.DnsResolver;
import dev.sekisho.dns.NetworkResolver;
import dev.sekisho.dns.RecordType;
import dev.sekisho.testing.MutableClock;
import dev.sekisho.testing.dns.TestDnsServer;
import dev.sekisho.testing.dns.Zone;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The hosting overlap audit against zones served by the in-process DNS server, after the examples of seed 000. */
class SpfOverlapAuditTest {
    private static final int GENERATED = 300;
    private static TestDnsServer dns;

    @BeforeAll
    static void start() throws Exception {
        Zone zone = Zone.empty()
                // The provider: shared outbound hosts in 192.0.2.0/24, and IPv6 relays through an include.
                .txt("service.example", "v=spf1 ip4:192.0.2.0/24 include:_spf.service.example ~all")
                .txt("_spf.service.example", "v=spf1 ip6:2001:db8:5::/48 -all")
                .txt("_dmarc.service.example", "v=DMARC1; p=quarantine; pct=50; rua=mailto:d@service.example")
                .txt("other.example", "v=spf1 ip4:198.51.100.0/24 -all")
                // Seed 000's customers.
                .txt("normal.example.jp", "v=spf1 ip4:192.0.2.0/24 ~all")
                .txt("malicious.example.net", "v=spf1 +a:spf.example.com +a:malicious.example.net ~all")
                .a("spf.example.com", "192.0.2.1").a("malicious.example.net", "192.0.2.100")
                .txt("separate.example.net", "v=spf1 a:separate.example.net ~all").a("separate.example.net", "203.0.113.1")
                // And more.
                .txt("partial.example", "v=spf1 ip4:192.0.2.128/25 ip4:198.51.100.0/24 -all")
                .txt("viainclude.example", "v=spf1 include:_spf.service.example -all")
                .txt("passall.example", "v=spf1 +all")
                .a("nospf.example", "203.0.113.9")
                .txt("dynamic.example", "v=spf1 exists:%{i}.dynamic.example -all")
                .txt("slow.example", "v=spf1 -all").drop("slow.example", Type.TXT)
                .txt("slowinclude.example", "v=spf1 include:_spf.slow.example -all").servfail("_spf.slow.example", Type.TXT);
        for (int i = 0; i < GENERATED; i++) {
            // Every third customer sends through the provider's hosts, every third partly, the rest from their own network.
            String own = "ip4:100.64." + (i / 256) + "." + (i % 256) + "/32";
            String record = switch (i % 3) {
                case 0 -> "v=spf1 include:service.example -all";
                case 1 -> "v=spf1 " + own.replace("100.64.", "198.18.") + " ip4:192.0.2." + (i % 256) + " -all";
                default -> "v=spf1 " + own.replace("100.64.", "198.18.") + " -all";
            };
            zone.txt("c" + i + ".customers.example", record);
        }
        dns = TestDnsServer.start(zone);
    }

    @AfterAll
    static void stop() {
        dns.close();
    }

    private static DnsResolver resolver(Duration timeout) {
        return new CachingResolver(new NetworkResolver(NetworkResolver.Settings.of(List.of(dns.hostPort())).withTimeout(timeout)),
                new MutableClock(Instant.parse("2026-12-01T00:00:00Z")));
    }

    private static Map<String, CustomerOverlap> byCustomer(List<CustomerOverlap> results) {
        return results.stream().collect(Collectors.toMap(CustomerOverlap::customer, Function.identity()));
    }

    @Test
    void theSeedExamplesGetFullPartialAndNoneWithTheProvidersDmarcPolicy() {
        SpfOverlapAudit audit = new SpfOverlapAudit(resolver(Duration.ofMillis(400)));
        ProviderSpf service = audit.provider("service.example");
        ProviderSpf other = audit.provider("other.example");
        assertThat(service.error()).isEmpty();
        assertThat(service.networks().cidrs()).containsExactly("192.0.2.0/24", "2001:db8:5::/48");
        assertThat(service.dmarc().summary()).isEqualTo("p=quarantine sp=quarantine pct=50");
        assertThat(service.dmarc().failingMail()).isEqualTo("quarantined (50%)");
        assertThat(other.dmarc().summary()).isEqualTo("no DMARC record");
        assertThat(other.dmarc().failingMail()).isEqualTo("delivered (no DMARC policy)");

        List<String> customers = List.of("normal.example.jp", "malicious.example.net", "separate.example.net", "partial.example", "viainclude.example",
                "passall.example", "nospf.example", "dynamic.example", "slow.example", "slowinclude.example", "bad..example");
        Map<String, CustomerOverlap> results = byCustomer(audit.customers(customers, List.of(service, other), new BoundedConcurrency(4), n -> {
        }));

        CustomerOverlap normal = results.get("normal.example.jp");
        assertThat(normal.verdict()).contains(OverlapVerdict.FULL);
        assertThat(normal.providers()).extracting(CustomerOverlap.ProviderOverlap::verdict).containsExactly(OverlapVerdict.FULL, OverlapVerdict.NONE);
        CustomerOverlap malicious = results.get("malicious.example.net");
        assertThat(malicious.networks().cidrs()).containsExactly("192.0.2.1/32", "192.0.2.100/32");
        assertThat(malicious.providers().getFirst().overlap().cidrs()).containsExactly("192.0.2.1/32", "192.0.2.100/32");
        assertThat(malicious.verdict()).contains(OverlapVerdict.FULL);
        assertThat(results.get("separate.example.net").verdict()).contains(OverlapVerdict.NONE);

        CustomerOverlap partial = results.get("partial.example");
        assertThat(partial.providers()).extracting(p -> p.verdict(), p -> p.overlap().cidrs()).containsExactly(
                org.assertj.core.groups.Tuple.tuple(OverlapVerdict.PARTIAL, List.of("192.0.2.128/25")),
                org.assertj.core.groups.Tuple.tuple(OverlapVerdict.PARTIAL, List.of("198.51.100.0/24")));
        assertThat(results.get("viainclude.example").providers().getFirst().verdict()).isEqualTo(OverlapVerdict.FULL);
        CustomerOverlap passall = results.get("passall.example");
        assertThat(passall.networks().cidrs()).containsExactly("0.0.0.0/0", "::/0");
        assertThat(passall.providers().getFirst().overlap().cidrs()).containsExactly("192.0.2.0/24", "2001:db8:5::/48");
        assertThat(passall.verdict()).contains(OverlapVerdict.PARTIAL);

        assertThat(results.get("nospf.example").verdict()).contains(OverlapVerdict.NONE);
        assertThat(results.get("nospf.example").notes()).containsExactly("nospf.example publishes no SPF record: it authorises nothing");
        assertThat(results.get("dynamic.example").notes()).containsExactly(
                "not expanded: exists:%{i}.dynamic.example in dynamic.example (exists depends on the connection (macros) or on a DNS answer at check time)");

        assertThat(results.get("slow.example").error()).hasValueSatisfying(e -> assertThat(e).startsWith("could not check: TXT lookup of slow.example failed (timeout"));
        assertThat(results.get("slow.example").verdict()).isEmpty();
        assertThat(results.get("slowinclude.example").error()).hasValueSatisfying(e ->
                assertThat(e).startsWith("could not check: TXT lookup of _spf.slow.example failed (server failure"));
        assertThat(results.get("bad..example").error()).contains("not a domain name: \"bad..example\"");
    }

    @Test
    void aProviderThatCannotBeReadSaysWhy() {
        SpfOverlapAudit audit = new SpfOverlapAudit(resolver(Duration.ofMillis(300)));
        assertThat(audit.provider("slow.example").error()).hasValueSatisfying(e -> assertThat(e).startsWith("could not check: TXT lookup of slow.example failed"));
        assertThat(audit.provider("nospf.example").error()).contains("no usable SPF record: nospf.example publishes no SPF record");
        assertThat(audit.provider("-").error()).contains("not a domain name: \"-\"");
    }

    /** Counts lookups in progress and holds the first customers' record lookups until {@code bound} of them run at once. */
    private static final class GatedResolver implements DnsResolver {
        private final DnsResolver inner;
        private final CountDownLatch allAtOnce;
        private final AtomicInteger customersInProgress = new AtomicInteger();
        private final AtomicInteger highest = new AtomicInteger();

        GatedResolver(DnsResolver inner, int bound) {
            this.inner = inner;
            this.allAtOnce = new CountDownLatch(bound);
        }

        @Override
        public DnsOutcome lookup(String name, RecordType type) {
            boolean customerRecord = type == RecordType.TXT && name.endsWith(".customers.example");
            if (!customerRecord) return inner.lookup(name, type);
            highest.accumulateAndGet(customersInProgress.incrementAndGet(), Math::max);
            try {
                allAtOnce.countDown();
                allAtOnce.await(30, TimeUnit.SECONDS);
                return inner.lookup(name, type);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } finally {
                customersInProgress.decrementAndGet();
            }
        }
    }

    @Test
    void hundredsOfCustomersAreCheckedConcurrentlyWithinTheBoundThroughOneSharedCache() {
        int bound = 16;
        GatedResolver gated = new GatedResolver(resolver(Duration.ofSeconds(5)), bound);
        SpfOverlapAudit audit = new SpfOverlapAudit(gated);
        dns.resetCounts();
        List<ProviderSpf> providers = List.of(audit.provider("service.example"));
        List<String> customers = new ArrayList<>();
        for (int i = 0; i < GENERATED; i++) customers.add("c" + i + ".customers.example");
        AtomicInteger progress = new AtomicInteger();
        List<CustomerOverlap> results = audit.customers(customers, providers, new BoundedConcurrency(bound), n -> progress.accumulateAndGet(n, Math::max));

        assertThat(gated.allAtOnce.getCount()).as("the first %d customers were in progress at the same time", bound).isZero();
        assertThat(gated.highest.get()).isEqualTo(bound);
        assertThat(progress.get()).isEqualTo(GENERATED);
        assertThat(results).extracting(CustomerOverlap::customer).containsExactlyElementsOf(customers);
        assertThat(results).allSatisfy(r -> assertThat(r.error()).isEmpty());
        Map<OverlapVerdict, Long> verdicts = results.stream().collect(Collectors.groupingBy(r -> r.verdict().orElseThrow(), Collectors.counting()));
        assertThat(verdicts).containsExactlyInAnyOrderEntriesOf(Map.of(OverlapVerdict.FULL, 100L, OverlapVerdict.PARTIAL, 100L, OverlapVerdict.NONE, 100L));
        assertThat(results.get(1).providers().getFirst().overlap().cidrs()).containsExactly("192.0.2.1/32");
        // The provider's records were asked for once, however many customers include them.
        assertThat(dns.queries("service.example", Type.TXT)).isEqualTo(1);
        assertThat(dns.queries("_spf.service.example", Type.TXT)).isEqualTo(1);
    }
}
