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
     * Starts storing an aggregate report. Its records are written while the caller reads on, and the report
     * is stored whole or not at all: several reports may share a transaction, each in a savepoint of its own.
     * When the report is a duplicate its records are ignored. A failure to write surfaces as a
     * {@link StoreException} from a later call (the next report, {@link #flush}, a question, {@link #close}).
     */
    AggregateImport beginAggregate(AggregateReport report);

    /**
     * Waits until every aggregate report ended so far is written, and commits them: after this they survive a
     * crash of this process. Each question, each failure or TLS report and {@link #close} flush first.
     *
     * @throws StoreException when a report could not be written
     */
    void flush();

    /** Stores a failure report in one transaction (after a {@link #flush}). */
    Outcome storeFailure(FailureReport report);

    /** Stores a TLS report with its policies and failure details in one transaction (after a {@link #flush}). */
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
     * batches; nothing is visible to others before the report is committed (at the latest by {@link #flush}).
     */
    interface AggregateImport {
        /** Stored or duplicate; waits, after {@link #end}{@code (true)}, until the store has written the report. */
        Outcome outcome();

        /** Whether {@link #outcome} is known without waiting. */
        boolean written();

        void add(AggregateRecord record);

        /**
         * Keeps the report when {@code complete} (the reader read the whole report; it is committed with its
         * group, or by {@link #flush}), rolls it back otherwise, so a report that broke off leaves nothing
         * behind and can be imported again.
         */
        void end(boolean complete);
    }
}
