package dev.sekisho.reports.enrichment;

import dev.sekisho.dmarc.PublicSuffixList;
import dev.sekisho.dns.NetworkResolver;
import dev.sekisho.geo.GeoAnswer;
import dev.sekisho.geo.GeoIp;
import dev.sekisho.reports.source.ReportReader;
import dev.sekisho.store.AggregateReportXml;
import dev.sekisho.store.ReportImporter;
import dev.sekisho.store.ReportStore;
import dev.sekisho.testing.MmdbWriter;
import dev.sekisho.testing.MutableClock;
import dev.sekisho.testing.dns.TestDnsServer;
import dev.sekisho.testing.dns.Zone;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Type;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Enrichment of a real SQLite store's sources, with the in-process DNS server and a generated MMDB. */
class SourceEnricherTest {
    private static final EnumSet<EnrichmentPart> BOTH = EnumSet.allOf(EnrichmentPart.class);
    private static final SourceEnricher.Settings SETTINGS = new SourceEnricher.Settings(BOTH, Duration.ofDays(7), Duration.ofMinutes(2), 4);

    @TempDir
    Path dir;
    private TestDnsServer dns;
    private ReportStore store;
    private final MutableClock clock = MutableClock.at("2026-12-01T00:00:00Z");
    private GeoIp geo;

    @BeforeEach
    void setUp() throws Exception {
        dns = TestDnsServer.start(Zone.empty()
                .ptr("10.2.0.192.in-addr.arpa", "mail.example.com").a("mail.example.com", "192.0.2.10")
                .ptr("11.2.0.192.in-addr.arpa", "out.mx1.sender.co.uk").a("out.mx1.sender.co.uk", "192.0.2.11")
                .ptr("20.100.51.198.in-addr.arpa", "mail.bank.example").a("mail.bank.example", "203.0.113.99")
                .servfail("5.113.0.203.in-addr.arpa")
                .drop("6.113.0.203.in-addr.arpa"));
        store = ReportStore.openSqlite(dir.resolve("reports.db"));
        AggregateReportXml xml = new AggregateReportXml("r.example", "r-1", "example.com", 1_700_000_000L, 1_700_086_400L);
        for (String ip : List.of("192.0.2.10", "192.0.2.11", "198.51.100.20", "198.51.100.30", "203.0.113.5", "203.0.113.6")) {
            xml.record(ip, 3, "none", "pass", "pass", "example.com", "example.com", "example.com=pass", "example.com=pass", "");
        }
        new ReportReader().read("r.xml", new ByteArrayInputStream(xml.bytes()), new ReportImporter(store));
        Path country = new MmdbWriter("GeoLite2-Country").network("192.0.2.0/24", MmdbWriter.country("JP"))
                .network("198.51.100.0/24", MmdbWriter.country("DE")).write(dir.resolve("country.mmdb"));
        Path asn = new MmdbWriter("GeoLite2-ASN").network("192.0.2.0/24", MmdbWriter.asn(64_496, "Example Transit"))
                .write(dir.resolve("asn.mmdb"));
        geo = GeoIp.open(new GeoIp.Databases(Optional.of(country), Optional.of(asn), Duration.ofMinutes(1)), clock, n -> {
        });
    }

    @AfterEach
    void tearDown() {
        store.close();
        dns.close();
    }

    private SourceEnricher enricher(InstantSource time) {
        var resolver = new NetworkResolver(NetworkResolver.Settings.of(List.of(dns.hostPort())).withTimeout(Duration.ofSeconds(1)));
        return new SourceEnricher(Optional.of(new ReverseDnsLookup(resolver)), geo, PublicSuffixList.bundled(), time);
    }

    @Test
    void everySourceGetsReverseDnsBaseDomainCountryAndAsn() {
        List<Integer> progress = new ArrayList<>();
        EnrichmentTally tally = enricher(clock).enrich(store.enrichments(), SETTINGS, progress::add);

        assertThat(tally).isEqualTo(new EnrichmentTally(6, 6, 0,
                Map.of("confirmed", 2, "unconfirmed", 1, "no-ptr", 1, "unknown", 2), 4, 2));
        assertThat(tally.reverseDns().keySet()).containsExactly("confirmed", "unconfirmed", "no-ptr", "unknown");
        assertThat(progress).hasSize(6).contains(6);
        Map<String, SourceEnrichment> stored = store.enrichments().find(List.of("192.0.2.10", "192.0.2.11", "198.51.100.20", "203.0.113.5"));
        Instant now = clock.instant();
        assertThat(stored.get("192.0.2.10")).isEqualTo(new SourceEnrichment("192.0.2.10",
                Optional.of(new SourceEnrichment.Dns(new ReverseDns.Confirmed("mail.example.com"), Optional.of("example.com"), now)),
                Optional.of(new SourceEnrichment.Geo(new GeoAnswer(GeoAnswer.Status.FOUND, Optional.of("JP"), GeoAnswer.Status.FOUND,
                        Optional.of(64_496L), Optional.of("Example Transit")), now))));
        assertThat(stored.get("192.0.2.11").dns().orElseThrow().baseDomain()).contains("sender.co.uk");
        assertThat(stored.get("198.51.100.20").dns().orElseThrow()).isEqualTo(
                new SourceEnrichment.Dns(new ReverseDns.Unconfirmed("mail.bank.example"), Optional.empty(), now));
        assertThat(stored.get("198.51.100.20").geo().orElseThrow().answer().asStatus()).isEqualTo(GeoAnswer.Status.NOT_IN_DATABASE);
        assertThat(stored.get("203.0.113.5").dns().orElseThrow().reverseDns()).isInstanceOf(ReverseDns.Unknown.class);
        assertThat(stored.get("203.0.113.5").geo().orElseThrow().answer().found()).isFalse();
    }

    @Test
    void anAddressEnrichedRecentlyIsNotLookedUpAgainUntilItsResultIsOld() {
        enricher(clock).enrich(store.enrichments(), SETTINGS, done -> {
        });
        dns.resetCounts();

        clock.advance(Duration.ofDays(6));
        EnrichmentTally again = enricher(clock).enrich(store.enrichments(), SETTINGS, done -> {
        });
        assertThat(again.due()).as("only the two unknown ones are asked again").isEqualTo(2);
        assertThat(dns.queries("10.2.0.192.in-addr.arpa", Type.PTR)).isZero();
        assertThat(dns.queries("5.113.0.203.in-addr.arpa", Type.PTR)).isPositive();

        clock.advance(Duration.ofDays(2));
        assertThat(enricher(clock).enrich(store.enrichments(), SETTINGS, done -> {
        }).due()).isEqualTo(6);
        assertThat(dns.queries("10.2.0.192.in-addr.arpa", Type.PTR)).isPositive();
    }

    @Test
    void aSwitchedOffPartIsNeitherLookedUpNorOverwritten() {
        var geoOnly = new SourceEnricher.Settings(EnumSet.of(EnrichmentPart.GEO), Duration.ofDays(7), Duration.ofMinutes(2), 4);
        EnrichmentTally tally = enricher(clock).enrich(store.enrichments(), geoOnly, done -> {
        });
        assertThat(tally.reverseDns()).isEmpty();
        assertThat(dns.totalQueries()).isZero();
        SourceEnrichment e = store.enrichments().find(List.of("192.0.2.10")).get("192.0.2.10");
        assertThat(e.dns()).isEmpty();
        assertThat(e.geo().orElseThrow().answer().country()).contains("JP");

        var none = new SourceEnricher(Optional.empty(), GeoIp.open(GeoIp.Databases.none(), clock, n -> {
        }), PublicSuffixList.bundled(), clock);
        assertThat(none.usable(BOTH)).isEmpty();
        assertThat(none.enrich(store.enrichments(), SETTINGS, done -> {
        })).isEqualTo(EnrichmentTally.nothing());
    }

    @Test
    void addressesNotStartedWhenTheBudgetIsSpentAreLeftForTheNextRun() {
        AtomicLong seconds = new AtomicLong(1_800_000_000L);
        InstantSource ticking = () -> Instant.ofEpochSecond(seconds.getAndIncrement()); // every reading one second later
        var oneSecond = new SourceEnricher.Settings(BOTH, Duration.ofDays(7), Duration.ZERO, 1);
        EnrichmentTally tally = enricher(ticking).enrich(store.enrichments(), oneSecond, done -> {
        });
        assertThat(tally.due()).isEqualTo(6);
        assertThat(tally.outOfTime()).isEqualTo(6);
        assertThat(tally.enriched()).isZero();
        assertThat(dns.totalQueries()).isZero();
        assertThat(store.enrichments().sourcesDue(BOTH, Instant.ofEpochSecond(1_800_000_000L))).hasSize(6);
    }
}
