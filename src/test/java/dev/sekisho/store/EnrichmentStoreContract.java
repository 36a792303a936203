package dev.sekisho.store;

import dev.sekisho.geo.GeoAnswer;
import dev.sekisho.reports.enrichment.EnrichmentPart;
import dev.sekisho.reports.enrichment.ReverseDns;
import dev.sekisho.reports.enrichment.SourceEnrichment;
import dev.sekisho.reports.source.ReportReader;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What every store's enrichment cache must do; SQLite and PostgreSQL test classes supply fresh stores. */
public interface EnrichmentStoreContract {
    long T0 = 1_700_000_000L;
    Instant NOW = Instant.ofEpochSecond(1_800_000_000L);
    Set<EnrichmentPart> BOTH = EnumSet.allOf(EnrichmentPart.class);

    /** A new, empty store; the test closes it. */
    ReportStore newStore();

    private static void importSources(ReportStore store, String reportId, String... ips) {
        AggregateReportXml xml = new AggregateReportXml("r.example", reportId, "example.com", T0, T0 + 86_400);
        for (String ip : ips) xml.record(ip, 1, "none", "pass", "pass", "example.com", "example.com", "example.com=pass", "example.com=pass", "");
        new ReportReader().read(reportId + ".xml", new ByteArrayInputStream(xml.bytes()), new ReportImporter(store));
    }

    private static SourceEnrichment dns(String ip, ReverseDns outcome, Optional<String> base, Instant at) {
        return new SourceEnrichment(ip, Optional.of(new SourceEnrichment.Dns(outcome, base, at)), Optional.empty());
    }

    private static SourceEnrichment geo(String ip, GeoAnswer answer, Instant at) {
        return new SourceEnrichment(ip, Optional.empty(), Optional.of(new SourceEnrichment.Geo(answer, at)));
    }

    @Test
    default void everyDistinctSourceIsDueUntilEnrichedInAddressOrder() {
        try (ReportStore store = newStore()) {
            importSources(store, "a", "198.51.100.20", "192.0.2.10", "2001:db8::25", "192.0.2.10");
            importSources(store, "b", "192.0.2.10", "203.0.113.5");
            assertThat(store.enrichments().sourcesDue(BOTH, NOW)).containsExactly("192.0.2.10", "198.51.100.20", "2001:db8::25", "203.0.113.5");
            assertThat(store.enrichments().sourcesDue(Set.of(), NOW)).isEmpty();
        }
    }

    @Test
    default void aFreshPartIsNotDueAStaleOrUnknownOneIs() {
        try (ReportStore store = newStore()) {
            importSources(store, "a", "192.0.2.10", "198.51.100.20", "203.0.113.5", "203.0.113.6");
            Instant recent = NOW.plusSeconds(10);
            store.enrichments().save(List.of(
                    dns("192.0.2.10", new ReverseDns.Confirmed("mail.example.com"), Optional.of("example.com"), recent),
                    dns("198.51.100.20", new ReverseDns.NoPtr(), Optional.empty(), NOW.minusSeconds(1)),
                    dns("203.0.113.5", new ReverseDns.Unknown("PTR 5.113.0.203.in-addr.arpa: server failure"), Optional.empty(), recent),
                    geo("203.0.113.6", GeoAnswer.noDatabase(), recent)));
            assertThat(store.enrichments().sourcesDue(EnumSet.of(EnrichmentPart.DNS), NOW))
                    .as("stale, unknown, and never asked").containsExactly("198.51.100.20", "203.0.113.5", "203.0.113.6");
            assertThat(store.enrichments().sourcesDue(EnumSet.of(EnrichmentPart.GEO), NOW))
                    .containsExactly("192.0.2.10", "198.51.100.20", "203.0.113.5");
            assertThat(store.enrichments().sourcesDue(BOTH, NOW)).containsExactly("192.0.2.10", "198.51.100.20", "203.0.113.5", "203.0.113.6");
        }
    }

    @Test
    default void whatIsSavedReadsBackAndASavedPartLeavesTheOtherAlone() {
        try (ReportStore store = newStore()) {
            importSources(store, "a", "192.0.2.10");
            GeoAnswer found = new GeoAnswer(GeoAnswer.Status.FOUND, Optional.of("JP"), GeoAnswer.Status.FOUND, Optional.of(4_200_000_001L),
                    Optional.of("Example Transit"));
            GeoAnswer partial = new GeoAnswer(GeoAnswer.Status.NOT_IN_DATABASE, Optional.empty(), GeoAnswer.Status.DATABASE_ERROR,
                    Optional.empty(), Optional.empty());
            SourceEnrichment confirmed = new SourceEnrichment("192.0.2.10",
                    Optional.of(new SourceEnrichment.Dns(new ReverseDns.Confirmed("mail.example.com"), Optional.of("example.com"), NOW)),
                    Optional.of(new SourceEnrichment.Geo(found, NOW)));
            store.enrichments().save(List.of(confirmed,
                    dns("198.51.100.20", new ReverseDns.Unconfirmed("mail.bank.example"), Optional.empty(), NOW),
                    dns("203.0.113.5", new ReverseDns.Unknown("PTR x: no answer within 300 ms"), Optional.empty(), NOW),
                    geo("203.0.113.6", partial, NOW)));
            Map<String, SourceEnrichment> read = store.enrichments().find(List.of("192.0.2.10", "198.51.100.20", "203.0.113.5",
                    "203.0.113.6", "203.0.113.99"));
            assertThat(read).containsOnlyKeys("192.0.2.10", "198.51.100.20", "203.0.113.5", "203.0.113.6");
            assertThat(read.get("192.0.2.10")).isEqualTo(confirmed);
            assertThat(read.get("198.51.100.20").dns().orElseThrow().reverseDns()).isEqualTo(new ReverseDns.Unconfirmed("mail.bank.example"));
            assertThat(read.get("203.0.113.5").dns().orElseThrow().reverseDns()).isEqualTo(new ReverseDns.Unknown("PTR x: no answer within 300 ms"));
            assertThat(read.get("203.0.113.6")).isEqualTo(geo("203.0.113.6", partial, NOW));

            Instant later = NOW.plusSeconds(3600);
            store.enrichments().save(List.of(geo("192.0.2.10", GeoAnswer.noDatabase(), later),
                    dns("203.0.113.6", new ReverseDns.NoPtr(), Optional.empty(), later)));
            read = store.enrichments().find(List.of("192.0.2.10", "203.0.113.6"));
            assertThat(read.get("192.0.2.10")).isEqualTo(new SourceEnrichment("192.0.2.10", confirmed.dns(),
                    Optional.of(new SourceEnrichment.Geo(GeoAnswer.noDatabase(), later))));
            assertThat(read.get("203.0.113.6")).isEqualTo(new SourceEnrichment("203.0.113.6",
                    Optional.of(new SourceEnrichment.Dns(new ReverseDns.NoPtr(), Optional.empty(), later)),
                    Optional.of(new SourceEnrichment.Geo(partial, NOW))));
        }
    }

    @Test
    default void manyAddressesAreReadInChunks() {
        try (ReportStore store = newStore()) {
            List<SourceEnrichment> many = new ArrayList<>();
            List<String> ips = new ArrayList<>();
            for (int i = 0; i < 1_200; i++) {
                String ip = "2001:db8::" + Integer.toHexString(i + 1);
                ips.add(ip);
                many.add(dns(ip, new ReverseDns.NoPtr(), Optional.empty(), NOW));
            }
            store.enrichments().save(many);
            assertThat(store.enrichments().find(ips)).hasSize(1_200);
            assertThat(store.enrichments().find(List.of())).isEmpty();
        }
    }

    @Test
    default void theCacheIsNotUsedWhileAnAggregateImportIsOpen() {
        try (ReportStore store = newStore()) {
            var report = new dev.sekisho.reports.aggregate.AggregateReport(dev.sekisho.reports.Origin.of("made.xml"),
                    dev.sekisho.reports.aggregate.AggregateFormat.RFC7489, Optional.empty(),
                    new dev.sekisho.reports.aggregate.ReportMetadata("r.example", "a@r.example", Optional.empty(), "open-1",
                            Instant.ofEpochSecond(T0), Instant.ofEpochSecond(T0 + 1), List.of(), Optional.empty()),
                    new dev.sekisho.reports.aggregate.PolicyPublished("example.com", Optional.empty(), Optional.empty(),
                            dev.sekisho.dmarc.Policy.NONE, Optional.empty(), Optional.empty(), Optional.empty(),
                            Optional.empty(), Optional.empty(), Optional.empty()));
            var cache = store.enrichments();
            ReportStore.AggregateImport open = store.beginAggregate(report);
            assertThatThrownBy(() -> cache.sourcesDue(BOTH, NOW)).isInstanceOf(IllegalStateException.class);
            open.end(false);
            assertThat(cache.sourcesDue(BOTH, NOW)).isEmpty();
        }
    }
}
