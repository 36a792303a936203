package dev.sekisho.store;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

class SqliteEnrichmentStoreTest implements EnrichmentStoreContract {
    @TempDir
    Path dir;
    private int stores;

    @Override
    public ReportStore newStore() {
        return ReportStore.openSqlite(dir.resolve("store-" + ++stores + ".db"));
    }
}
