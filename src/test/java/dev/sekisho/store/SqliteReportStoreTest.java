package dev.sekisho.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SqliteReportStoreTest implements ReportStoreContract {
    @TempDir
    Path dir;
    private int stores;

    @Override
    public ReportStore newStore() {
        return ReportStore.openSqlite(dir.resolve("store-" + ++stores + ".db"));
    }

    @Test
    void createsTheFileAndItsFoldersInWalModeAndKeepsReportsAcrossRestarts() throws Exception {
        Path file = dir.resolve("a/b/reports.db");
        try (ReportStore store = ReportStore.open(file.toString())) {
            ReportImporter importer = new ReportImporter(store);
            new dev.sekisho.reports.source.ReportReader().read(CORPUS.resolve("cry-inc-dmarc-report-viewer/dmarc-reports/outlook.xml"), importer);
        }
        assertThat(file).exists();
        try (ReportStore store = ReportStore.open("jdbc:sqlite:" + file)) {
            assertThat(store.counts().records()).isEqualTo(2);
            assertThat(store.location()).isEqualTo(file.toAbsolutePath().toString());
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("PRAGMA journal_mode")) {
            r.next();
            assertThat(r.getString(1)).isEqualTo("wal");
        }
    }

    @Test
    void aVersionTwoFileIsMigratedToRecordsWithoutRowidKeepingEveryRecord() throws Exception {
        Path file = dir.resolve("v2.db");
        try (ReportStore store = ReportStore.openSqlite(file)) {
            new dev.sekisho.reports.source.ReportReader().read(CORPUS.resolve("cry-inc-dmarc-report-viewer/dmarc-reports/outlook.xml"),
                    new ReportImporter(store));
        }
        // Put the file back as version 2 left it: the records in an ordinary rowid table.
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE rowid_records AS SELECT * FROM aggregate_record");
            s.execute("DROP TABLE aggregate_record");
            s.execute("ALTER TABLE rowid_records RENAME TO aggregate_record");
            s.execute("DELETE FROM schema_version WHERE version = 3");
        }
        assertThat(tableSql(file)).doesNotContain("WITHOUT ROWID");

        try (ReportStore store = ReportStore.openSqlite(file)) {
            assertThat(store.counts().schemaVersion()).isEqualTo(3);
            assertThat(store.counts().records()).isEqualTo(2);
            assertThat(store.recordGroups(RecordFilter.all())).isNotEmpty();
        }
        assertThat(tableSql(file)).contains("WITHOUT ROWID");
    }

    private static String tableSql(Path file) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'aggregate_record'")) {
            assertThat(r.next()).isTrue();
            return r.getString(1);
        }
    }

    @Test
    void whatARunStoredIsCommittedWhenTheReaderReturns() throws Exception {
        // Reports are written behind the reader and share transactions; the end of the run commits them, so
        // another connection sees them while this store is still open.
        Path file = dir.resolve("shared.db");
        try (ReportStore store = ReportStore.openSqlite(file)) {
            new dev.sekisho.reports.source.ReportReader().read(List.of(CORPUS.resolve("cry-inc-dmarc-report-viewer/dmarc-reports/outlook.xml"),
                    CORPUS.resolve("opendmarc/testfiles/163.com!example.com!1337270400!1337356799.20120518163.xml")), new ReportImporter(store));
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT COUNT(*), SUM(record_count) FROM aggregate_report")) {
                r.next();
                assertThat(r.getLong(1)).isEqualTo(2);
                assertThat(r.getLong(2)).isEqualTo(52);
            }
        }
    }

    @Test
    void everyDkimAndSpfResultOfARecordIsKeptAsText() throws Exception {
        Path file = dir.resolve("results.db");
        try (ReportStore store = ReportStore.openSqlite(file)) {
            new dev.sekisho.reports.source.ReportReader().read("r.xml", new java.io.ByteArrayInputStream(
                    new AggregateReportXml("a.example", "all", "example.com", T0, T0 + DAY)
                            .record("192.0.2.1", 4, "none", "fail", "fail", "example.com", "bounce.esp.example",
                                    "example.com=fail esp.example=pass", "helo:mta.esp.example=pass bounce.esp.example=softfail", "")
                            .record("192.0.2.2", 1, "none", "fail", "fail", "example.com", "", "", "", "").bytes()), new ReportImporter(store));
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT dkim_all, spf_all, dkim_domain, spf_domain, spf_scope FROM aggregate_record ORDER BY record_index")) {
            r.next();
            assertThat(r.getString(1)).isEqualTo("example.com/s1=fail esp.example/s1=pass");
            assertThat(r.getString(2)).isEqualTo("helo:mta.esp.example=pass mfrom:bounce.esp.example=softfail");
            assertThat(r.getString(3)).isEqualTo("esp.example");
            assertThat(r.getString(4)).isEqualTo("bounce.esp.example");
            assertThat(r.getString(5)).isEqualTo("mfrom");
            r.next();
            assertThat(r.getString(1)).isNull();
            assertThat(r.getString(2)).isNull();
        }
    }

    @Test
    void refusesADatabaseWithANewerSchema() throws Exception {
        Path file = dir.resolve("newer.db");
        ReportStore.openSqlite(file).close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("INSERT INTO schema_version (version, name, applied_at) VALUES (99, 'future', 0)");
        }
        assertThatThrownBy(() -> ReportStore.openSqlite(file)).isInstanceOf(StoreException.class)
                .hasMessageContaining("schema version 99").hasMessageContaining(file.toAbsolutePath().toString());
    }

    @Test
    void aFolderOrAnUnknownUrlIsAClearError() throws Exception {
        assertThatThrownBy(() -> ReportStore.open(dir.toString())).isInstanceOf(StoreException.class).hasMessageContaining("is a folder");
        assertThatThrownBy(() -> ReportStore.open("jdbc:mysql://db/reports?password=secret")).isInstanceOf(StoreException.class)
                .hasMessageContaining("unsupported database URL jdbc:mysql://db/reports?password=***");
        Path notADatabase = Files.writeString(dir.resolve("text.db"), "this is not a database, just text that is long enough to be a header");
        assertThatThrownBy(() -> ReportStore.open(notADatabase.toString())).isInstanceOf(StoreException.class)
                .hasMessageContaining(notADatabase.toAbsolutePath().toString());
    }

    @Test
    void migrationScriptsSplitIntoStatements() {
        assertThat(Migrations.statements("-- comment\nCREATE TABLE a (x INT);\n\nCREATE INDEX b\n  ON a (x);\n"))
                .containsExactly("CREATE TABLE a (x INT)", "CREATE INDEX b\n  ON a (x)");
    }
}
