package dev.sekisho.store;

import dev.sekisho.reports.aggregate.AggregateRecord;
import dev.sekisho.reports.aggregate.AggregateReport;
import dev.sekisho.reports.enrichment.EnrichmentStore;
import dev.sekisho.reports.failure.FailureReport;
import dev.sekisho.reports.tls.TlsReport;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where reports are kept and asked about. One implementation over JDBC serves SQLite and PostgreSQL; both
 * pass ReportStoreContract. A store is used by one thread at a time; reports are deduplicated on their
 * {@link dev.sekisho.reports.ReportIdentity}, so a report read twice is stored once.
 */
public interface ReportStore extends AutoCloseable {

    /** What happened to one report. */
    enum Outcome {
        /** Stored now. */
        STORED,
        /** A report with the same identity was already stored; nothing was written. */
        DUPLICATE
    }

    /**
     * Opens (and creates or migrates) a store: a {@code jdbc:postgresql:} URL, or else a SQLite file path
     * ({@code jdbc:sqlite:} prefix optional). Credentials for PostgreSQL go in the URL or ~/.pgpass.
     *
     * @throws StoreException naming the location when it cannot be opened or its schema is newer than this program
     */
    static ReportStore open(String location) {
        return JdbcReportStore.open(location);
    }

    /** A SQLite file store, created with its parent folders when missing. */
    static ReportStore openSqlite(Path file) {
        return JdbcReportStore.openSqlite(file);
    }

    /**
     * Starts storing an aggregate report in its own transaction. When the report is a duplicate the
     * returned import ignores its records.
     */
    AggregateImport beginAggregate(AggregateReport report);

    /** Stores a failure report in one transaction. */
    Outcome storeFailure(FailureReport report);

    /** Stores a TLS report with its policies and failure details in one transaction. */
    Outcome storeTls(TlsReport report);

    /** The stored aggregate records that match, added up per {@link RecordGroup}, most messages first. */
    List<RecordGroup> recordGroups(RecordFilter filter);

    /** The policy of the most recent aggregate report whose policy domain is {@code domain}. */
    Optional<StoredPolicy> latestPolicy(String domain);

    StoreCounts counts();

    /**
     * The cache of source enrichments, on the same database and connection: used from the store's thread, never while an
     * aggregate import is open.
     */
    EnrichmentStore enrichments();

    /** Where the store is, for messages (a file path, or the URL without credentials). */
    String location();

    @Override
    void close();

    /**
     * One aggregate report being stored: {@link #add} each record, then {@link #end}. Records are written in
     * batches; nothing is visible to others before {@code end(true)} commits.
     */
    interface AggregateImport {
        Outcome outcome();

        void add(AggregateRecord record);

        /**
         * Commits when {@code complete} (the reader read the whole report), rolls back otherwise, so a report
         * that broke off leaves nothing behind and can be imported again.
         */
        void end(boolean complete);
    }
}
