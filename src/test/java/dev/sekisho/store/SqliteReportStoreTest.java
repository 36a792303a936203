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
        backToVersionThree(file);
        // Put the file back as version 2 left it: the records in an ordinary rowid table.
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE rowid_records AS SELECT * FROM aggregate_record");
            s.execute("DROP TABLE aggregate_record");
            s.execute("ALTER TABLE rowid_records RENAME TO aggregate_record");
            s.execute("DELETE FROM schema_version WHERE version = 3");
        }
        assertThat(tableSql(file, "aggregate_record")).doesNotContain("WITHOUT ROWID");

        try (ReportStore store = ReportStore.openSqlite(file)) {
            assertThat(store.counts().schemaVersion()).isEqualTo(4);
            assertThat(store.counts().records()).isEqualTo(2);
            assertThat(store.recordGroups(RecordFilter.all())).isNotEmpty();
        }
        assertThat(tableSql(file, "aggregate_record_row")).contains("WITHOUT ROWID");
    }

    @Test
    void aVersionThreeFileIsMigratedToNumberedTextsKeepingEveryRecordAndItsWords() throws Exception {
        Path file = dir.resolve("v3.db");
        List<RecordGroup> groups;
        List<RecordGroup> exampleCom;
        try (ReportStore store = ReportStore.openSqlite(file)) {
            ReportImporter importer = new ReportImporter(store);
            new dev.sekisho.reports.source.ReportReader().read(List.of(CORPUS.resolve("cry-inc-dmarc-report-viewer/dmarc-reports/outlook.xml"),
                    CORPUS.resolve("opendmarc/testfiles/163.com!example.com!1337270400!1337356799.20120518163.xml")), importer);
            new dev.sekisho.reports.source.ReportReader().read("r.xml", new java.io.ByteArrayInputStream(
                    new AggregateReportXml("a.example", "all", "example.com", T0, T0 + DAY)
                            .record("192.0.2.1", 4, "none", "fail", "fail", "example.com", "bounce.esp.example",
                                    "example.com=fail esp.example=pass", "helo:mta.esp.example=pass bounce.esp.example=softfail", "forwarded")
                            .record("2001:db8::1", 3, "reject", "fail", "fail", "mail.example.com", "", "", "", "").bytes()), importer);
            groups = store.recordGroups(RecordFilter.all());
            exampleCom = store.recordGroups(new RecordFilter(java.util.Optional.of("example.com"), java.util.Optional.empty()));
        }
        assertThat(exampleCom).extracting(RecordGroup::headerFrom).contains("mail.example.com").containsOnly("example.com", "mail.example.com");
        assertThat(exampleCom).hasSizeLessThan(groups.size()); // outlook.xml's records are about another domain
        backToVersionThree(file);
        List<List<String>> before = records(file);
        assertThat(before).hasSize(52 + 2);

        try (ReportStore store = ReportStore.openSqlite(file)) {
            assertThat(store.counts().schemaVersion()).isEqualTo(4);
            assertThat(store.counts().records()).isEqualTo(54);
            assertThat(store.recordGroups(RecordFilter.all())).isEqualTo(groups);
            assertThat(store.recordGroups(new RecordFilter(java.util.Optional.of("example.com"), java.util.Optional.empty()))).isEqualTo(exampleCom);
        }
        assertThat(records(file)).isEqualTo(before); // the view gives every column of every record as version 3 had it
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT typeof(header_from), typeof(dkim_all) FROM aggregate_record_row WHERE record_index = 1 AND report = (SELECT id FROM aggregate_report WHERE report_id = 'all')")) {
            assertThat(r.next()).isTrue();
            assertThat(r.getString(1)).isEqualTo("integer");
            assertThat(r.getString(2)).isEqualTo("integer");
        }
    }

    /** Turns a file of the current schema back into what migration 3 left: the records a table of texts, WITHOUT ROWID. */
    private static void backToVersionThree(Path file) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("""
                    CREATE TABLE records_v3 (
                        report INTEGER NOT NULL REFERENCES aggregate_report (id) ON DELETE CASCADE, record_index INTEGER NOT NULL,
                        source_ip TEXT NOT NULL, message_count BIGINT NOT NULL, disposition TEXT NOT NULL, dkim_evaluated TEXT NOT NULL,
                        spf_evaluated TEXT NOT NULL, reasons TEXT, header_from TEXT NOT NULL, envelope_from TEXT, envelope_to TEXT,
                        dkim_domain TEXT, dkim_selector TEXT, dkim_result TEXT, spf_domain TEXT, spf_scope TEXT, spf_result TEXT,
                        dkim_all TEXT, spf_all TEXT, PRIMARY KEY (report, record_index)) WITHOUT ROWID""");
            s.execute("INSERT INTO records_v3 SELECT * FROM aggregate_record");
            s.execute("DROP VIEW aggregate_record");
            s.execute("DROP TABLE aggregate_record_row");
            s.execute("DROP TABLE record_text");
            s.execute("ALTER TABLE records_v3 RENAME TO aggregate_record");
            s.execute("CREATE INDEX aggregate_record_header_from ON aggregate_record (header_from)");
            s.execute("DELETE FROM schema_version WHERE version = 4");
        }
        assertThat(tableSql(file, "aggregate_record")).contains("WITHOUT ROWID");
    }

    /** Every column of every record, in key order, as text. */
    private static List<List<String>> records(Path file) throws Exception {
        List<List<String>> rows = new java.util.ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT * FROM aggregate_record ORDER BY report, record_index")) {
            int columns = r.getMetaData().getColumnCount();
            assertThat(columns).isEqualTo(19);
            while (r.next()) {
                List<String> row = new java.util.ArrayList<>();
                for (int i = 1; i <= columns; i++) row.add(r.getString(i));
                rows.add(row);
            }
        }
        return rows;
    }

    private static String tableSql(Path file, String table) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = '" + table + "'")) {
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
