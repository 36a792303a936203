package dev.sekisho.dns;

import dev.sekisho.testing.MutableClock;
import dev.sekisho.testing.dns.TestDnsServer;
import dev.sekisho.testing.dns.Zone;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CachingResolverTest implements DnsResolverContract {
    private final MutableClock clock = MutableClock.at("2026-03-01T00:00:00Z");

    @Override
    public DnsResolver resolver(NetworkResolver.Settings network) {
        return new CachingResolver(new NetworkResolver(network), clock);
    }

    private CachingResolver cachingResolver(TestDnsServer server) {
        return new CachingResolver(new NetworkResolver(NetworkResolver.Settings.of(List.of(server.hostPort()))
                .withTimeout(Duration.ofMillis(300))), clock);
    }

    @Test
    void anAnswerIsKeptForItsTtlAndAskedForAgainAfter() throws Exception {
        try (TestDnsServer server = TestDnsServer.start(Zone.empty().ttl(Duration.ofSeconds(60)).a("example.com", "192.0.2.1"))) {
            CachingResolver resolver = cachingResolver(server);
            resolver.lookup("example.com", RecordType.A);
            clock.advance(Duration.ofSeconds(59));
            DnsOutcome cached = resolver.lookup("EXAMPLE.com", RecordType.A);
            assertThat(cached).isInstanceOfSatisfying(DnsOutcome.Answer.class, a -> {
                assertThat(a.ttl()).isEqualTo(Duration.ofSeconds(1));
                assertThat(a.name()).isEqualTo("EXAMPLE.com");
            });
            assertThat(server.queries("example.com", Type.A)).isEqualTo(1);
            clock.advance(Duration.ofSeconds(1));
            assertThat(resolver.lookup("example.com", RecordType.A)).isInstanceOfSatisfying(DnsOutcome.Answer.class,
                    a -> assertThat(a.ttl()).isEqualTo(Duration.ofSeconds(60)));
            assertThat(server.queries("example.com", Type.A)).isEqualTo(2);
        }
    }

    @Test
    void noDataFromTheNetworkAndNoDataFromTheCacheAreTheSameOutcome() throws Exception {
        try (TestDnsServer server = TestDnsServer.start(Zone.empty().negativeTtl(Duration.ofSeconds(30)).a("example.com", "192.0.2.1"))) {
            CachingResolver resolver = cachingResolver(server);
            DnsOutcome fromNetwork = resolver.lookup("example.com", RecordType.MX);
            DnsOutcome fromCache = resolver.lookup("example.com", RecordType.MX);
            assertThat(server.queries("example.com", Type.MX)).isEqualTo(1);
            assertThat(fromCache).isEqualTo(fromNetwork).isEqualTo(new DnsOutcome.NoData("example.com", RecordType.MX, Duration.ofSeconds(30)));
            assertThat(fromCache.isTemporaryFailure()).isFalse();

            clock.advance(Duration.ofSeconds(10));
            assertThat(resolver.lookup("example.com", RecordType.MX))
                    .isEqualTo(new DnsOutcome.NoData("example.com", RecordType.MX, Duration.ofSeconds(20)));
            clock.advance(Duration.ofSeconds(20));
            resolver.lookup("example.com", RecordType.MX);
            assertThat(server.queries("example.com", Type.MX)).isEqualTo(2);
        }
    }

    @Test
    void noSuchDomainIsKeptForTheNegativeTtl() throws Exception {
        try (TestDnsServer server = TestDnsServer.start(Zone.empty().negativeTtl(Duration.ofSeconds(30)))) {
            CachingResolver resolver = cachingResolver(server);
            assertThat(resolver.lookup("gone.example.com", RecordType.A)).isInstanceOf(DnsOutcome.NoSuchDomain.class);
            assertThat(resolver.lookup("gone.example.com", RecordType.A)).isInstanceOf(DnsOutcome.NoSuchDomain.class);
            assertThat(server.queries("gone.example.com", Type.A)).isEqualTo(1);
            // a record appearing is seen once the negative TTL ran out
            server.zone().a("gone.example.com", "192.0.2.9");
            clock.advance(Duration.ofSeconds(30));
            assertThat(resolver.lookup("gone.example.com", RecordType.A)).isInstanceOf(DnsOutcome.Answer.class);
        }
    }

    @Test
    void temporaryFailuresAreNeverCached() throws Exception {
        try (TestDnsServer server = TestDnsServer.start(Zone.empty().a("flaky.example.com", "192.0.2.1").servfail("flaky.example.com"))) {
            CachingResolver resolver = cachingResolver(server);
            assertThat(resolver.lookup("flaky.example.com", RecordType.A)).isInstanceOf(DnsOutcome.ServerFailure.class);
            assertThat(resolver.lookup("flaky.example.com", RecordType.A)).isInstanceOf(DnsOutcome.ServerFailure.class);
            assertThat(server.queries("flaky.example.com", Type.A)).isEqualTo(2);
            assertThat(resolver.size()).isZero();
        }
    }

    @Test
    void aZeroTtlIsNotCachedAndALongOneIsCapped() throws Exception {
        Zone zone = Zone.empty().ttl(Duration.ZERO).a("zero.example.com", "192.0.2.1")
                .ttl(Duration.ofDays(7)).a("week.example.com", "192.0.2.2");
        try (TestDnsServer server = TestDnsServer.start(zone)) {
            CachingResolver resolver = new CachingResolver(new NetworkResolver(NetworkResolver.Settings.of(List.of(server.hostPort()))),
                    clock, Duration.ofHours(1), 100);
            resolver.lookup("zero.example.com", RecordType.A);
            resolver.lookup("zero.example.com", RecordType.A);
            assertThat(server.queries("zero.example.com", Type.A)).isEqualTo(2);
            resolver.lookup("week.example.com", RecordType.A);
            clock.advance(Duration.ofHours(1));
            resolver.lookup("week.example.com", RecordType.A);
            assertThat(server.queries("week.example.com", Type.A)).isEqualTo(2);
        }
    }

    @Test
    void theNumberOfEntriesIsBounded() throws Exception {
        Zone zone = Zone.empty();
        for (int i = 0; i < 30; i++) zone.a("h" + i + ".example.com", "192.0.2." + i);
        try (TestDnsServer server = TestDnsServer.start(zone)) {
            CachingResolver resolver = new CachingResolver(new NetworkResolver(NetworkResolver.Settings.of(List.of(server.hostPort()))),
                    clock, Duration.ofHours(1), 10);
            for (int i = 0; i < 30; i++) resolver.lookup("h" + i + ".example.com", RecordType.A);
            assertThat(resolver.size()).isLessThanOrEqualTo(10);
        }
    }

    @Test
    void noDataIsNoDataHoweverTheServerSaysIt() throws Exception {
        // with an SOA, without one, and at the end of a CNAME chain: always NoData, never a failure or an empty answer
        try (TestDnsServer withSoa = TestDnsServer.start(Zone.empty().a("example.com", "192.0.2.1").cname("alias.example.com", "example.com"));
             TestDnsServer withoutSoa = TestDnsServer.start(Zone.empty().withoutSoaInNegativeAnswers().a("example.com", "192.0.2.1"))) {
            CachingResolver cached = cachingResolver(withSoa);
            assertThat(cached.lookup("example.com", RecordType.TXT)).isInstanceOf(DnsOutcome.NoData.class);
            assertThat(cached.lookup("example.com", RecordType.TXT)).isInstanceOf(DnsOutcome.NoData.class);
            assertThat(cached.lookup("alias.example.com", RecordType.TXT)).isInstanceOf(DnsOutcome.NoData.class);
            assertThat(cached.lookup("alias.example.com", RecordType.TXT)).isInstanceOf(DnsOutcome.NoData.class);
            assertThat(withSoa.queries("alias.example.com", Type.TXT)).isEqualTo(1);

            CachingResolver uncacheable = cachingResolver(withoutSoa);
            assertThat(uncacheable.lookup("example.com", RecordType.TXT)).isEqualTo(new DnsOutcome.NoData("example.com", RecordType.TXT, Duration.ZERO));
            assertThat(uncacheable.lookup("example.com", RecordType.TXT)).isEqualTo(new DnsOutcome.NoData("example.com", RecordType.TXT, Duration.ZERO));
            // RFC 2308 5: without an SOA a negative answer is not cached, so the server is asked again
            assertThat(withoutSoa.queries("example.com", Type.TXT)).isEqualTo(2);
        }
    }
}
