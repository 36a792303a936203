package dev.sekisho.store;

import dev.sekisho.dmarc.DomainName;
import dev.sekisho.engine.AddressText;
import dev.sekisho.reports.aggregate.AggregateRecord;
import dev.sekisho.reports.aggregate.AggregateReport;
import dev.sekisho.reports.aggregate.DkimResult;
import dev.sekisho.reports.aggregate.PolicyPublished;
import dev.sekisho.reports.aggregate.ReportMetadata;
import dev.sekisho.reports.aggregate.SpfScope;
import dev.sekisho.reports.enrichment.EnrichmentStore;
import dev.sekisho.reports.failure.FailureReport;
import dev.sekisho.reports.tls.TlsReport;

import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Savepoint;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** {@link ReportStore} over one JDBC connection, for SQLite and PostgreSQL. */
final class JdbcReportStore implements ReportStore {
    /** Records sent to the database in one round trip: large enough to amortise it, small enough to stay flat in memory. */
    static final int BATCH_SIZE = 2000;
    /**
     * Aggregate reports share a transaction until it holds this many records or {@link #GROUP_REPORTS} reports: one
     * commit per report of 100 records was half the import's time. Each report is still a savepoint of its own.
     */
    static final int GROUP_RECORDS = 20_000;
    static final int GROUP_REPORTS = 500;
    /** Records handed to the writer thread and not yet written, at most: what the reader may run ahead by. */
    static final int RECORDS_IN_FLIGHT = 4 * BATCH_SIZE;
    /** The columns of aggregate_record_row, numbered as the record insert's parameters. */
    static final int RECORD_COLUMNS = 19;

    enum Dialect {
        SQLITE("sqlite"), POSTGRESQL("postgresql");

        final String folder;

        Dialect(String folder) {
            this.folder = folder;
        }
    }

    private final Connection connection;
    private final Dialect dialect;
    private final String location;
    private final int schemaVersion;
    private final PreparedStatement insertRecord;
    private final Statements statements = new Statements();
    private final RecordTexts texts; // the writer's
    private final Semaphore inFlight = new Semaphore(RECORDS_IN_FLIGHT);
    private Writing open; // the aggregate report begun and not ended, on the caller's side
    private ExecutorService writer;
    private SourceEnrichmentTable enrichments;
    private volatile StoreException reportFailure; // what the writer could not write, raised on the caller's next call
    private volatile boolean broken; // the writer failed beyond one report: nothing more is written
    private int groupReports; // written by the writer, or by the caller once the writer is idle
    private long groupRecords;

    private JdbcReportStore(Connection connection, Dialect dialect, String location) throws SQLException {
        this(connection, dialect, location, null);
    }

    /** @param wordAdder opens the connection record_text words are added on (PostgreSQL; see {@link RecordTexts}) */
    private JdbcReportStore(Connection connection, Dialect dialect, String location, RecordTexts.Adder wordAdder) throws SQLException {
        this.connection = connection;
        this.dialect = dialect;
        this.location = location;
        connection.setAutoCommit(false);
        this.schemaVersion = Migrations.apply(connection, dialect.folder, dialect == Dialect.POSTGRESQL, location);
        this.insertRecord = connection.prepareStatement("""
                INSERT INTO aggregate_record_row (report, record_index, source_ip, message_count, disposition, dkim_evaluated,
                    spf_evaluated, reasons, header_from, envelope_from, envelope_to, dkim_domain, dkim_selector, dkim_result,
                    spf_domain, spf_scope, spf_result, dkim_all, spf_all)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""");
        this.texts = new RecordTexts(connection, wordAdder, RECORD_COLUMNS);
    }

    static ReportStore open(String location) {
        Objects.requireNonNull(location, "location");
        if (location.startsWith("jdbc:postgresql:")) return openPostgresql(location);
        if (location.startsWith("jdbc:sqlite:")) return openSqlite(Path.of(location.substring("jdbc:sqlite:".length())));
        if (location.startsWith("jdbc:")) {
            throw new StoreException("unsupported database URL " + redact(location)
                    + ": use jdbc:postgresql://HOST/DB, or a file path for SQLite");
        }
        if (location.isBlank()) throw new StoreException("the database location is empty: give a file path or a jdbc:postgresql: URL");
        return openSqlite(Path.of(location));
    }

    static ReportStore openSqlite(Path file) {
        Path absolute = file.toAbsolutePath();
        try {
            if (absolute.getParent() != null) Files.createDirectories(absolute.getParent());
        } catch (IOException e) {
            throw new StoreException("cannot create the folder for the store " + absolute + ": " + e.getMessage(), e);
        }
        if (Files.isDirectory(absolute)) throw new StoreException("the store " + absolute + " is a folder: give a file path");
        Connection connection = null;
        try {
            connection = DriverManager.getConnection("jdbc:sqlite:" + absolute, sqliteOpenProperties());
            try (Statement s = connection.createStatement()) {
                // WAL: readers do not block the importer and a commit is one sequential append;
                // synchronous=NORMAL keeps the database consistent after a crash and loses at most the last
                // transactions, which a re-import restores (reports are deduplicated).
                // 16 KiB pages for a new file (an existing one keeps its size): a record row is a few hundred bytes,
                // and larger pages mean fewer B-tree splits and fewer pages written per commit while importing.
                // Only possible before the file is in WAL mode, hence first.
                s.execute("PRAGMA page_size=16384");
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=NORMAL");
                s.execute("PRAGMA foreign_keys=ON");
                s.execute("PRAGMA busy_timeout=10000");
                s.execute("PRAGMA temp_store=MEMORY");
                s.execute("PRAGMA cache_size=-32768");
            }
            return new JdbcReportStore(connection, Dialect.SQLITE, absolute.toString());
        } catch (SQLException e) {
            closeQuietly(connection);
            throw new StoreException("cannot open the SQLite store " + absolute + ": " + e.getMessage(), e);
        }
    }

    /**
     * The SQLite connection is opened without SQLite's own per-connection mutex (SQLITE_OPEN_NOMUTEX, "multi-thread"
     * mode): sqlite-jdbc already holds its connection's Java lock around every call into SQLite, so the mutex was
     * taken and released for nothing around each bind and step, about a tenth of the writer thread's CPU while importing.
     */
    static Properties sqliteOpenProperties() {
        SQLiteConfig config = new SQLiteConfig();
        config.setOpenMode(SQLiteOpenMode.NOMUTEX);
        return config.toProperties();
    }

    private static ReportStore openPostgresql(String url) {
        Properties properties = new Properties();
        // One multi-row INSERT per batch instead of one statement per record.
        properties.setProperty("reWriteBatchedInserts", "true");
        Connection connection = null;
        try {
            connection = DriverManager.getConnection(url, properties);
            // RecordTexts finds a word another connection just committed: that needs READ COMMITTED, whatever the
            // database's default_transaction_isolation says.
            connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            Properties words = new Properties();
            words.putAll(properties);
            words.setProperty("ApplicationName", "sekisho record_text"); // told apart in pg_stat_activity
            return new JdbcReportStore(connection, Dialect.POSTGRESQL, redact(url), () -> DriverManager.getConnection(url, words));
        } catch (SQLException e) {
            closeQuietly(connection);
            throw new StoreException("cannot open the PostgreSQL store " + redact(url) + ": " + e.getMessage(), e);
        }
    }

    /** The URL without its password, for messages. */
    static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***").replaceAll("//[^/@]*:[^/@]*@", "//***@");
    }

    @Override
    public String location() {
        return location;
    }

    // ---- aggregate reports ----------------------------------------------------------------------

    @Override
    public AggregateImport beginAggregate(AggregateReport report) {
        Objects.requireNonNull(report, "report");
        requireNoImport();
        raiseWriterFailure();
        Writing writing = new Writing(report);
        open = writing;
        return writing;
    }

    /**
     * One aggregate report, collected on the caller's (the reader's) thread and written on the store's writer
     * thread: the reader hands over the report's records in batches (a small report in one, at its end) and goes on
     * parsing while the writer checks for a duplicate, inserts the report row and binds and inserts the records.
     * Each report is a savepoint of its own inside a transaction that groups several reports ({@link #GROUP_RECORDS}),
     * so a report that broke off or that the database refused rolls back alone while the commits, the largest cost
     * of small reports, are shared. The fields below the line are the writer's; the executor orders each hand-over
     * before the writer's work on it, and {@link #settleWriter} orders the writer's work before the caller's next step.
     */
    private final class Writing implements AggregateImport {
        private final AggregateReport report;
        private List<AggregateRecord> batch = new ArrayList<>();
        private long records;
        private long messages;
        private boolean handedOver; // something of this report went to the writer, so it has begun there
        private boolean ended;
        private volatile boolean written; // the writer has handled the report's end
        // ---- the writer's
        private Savepoint savepoint;
        private long reportKey;
        private boolean duplicate;
        private boolean failed;

        Writing(AggregateReport report) {
            this.report = report;
        }

        @Override
        public Outcome outcome() {
            if (!written) {
                // Before the end this asks whether the report is a duplicate: the writer begins it now.
                if (!ended && !handedOver) {
                    handedOver = true;
                    hand(1, this::begin);
                }
                settleWriter();
            }
            if (failed) throw new StoreException("the aggregate report " + report.identity() + " was not stored in " + location);
            return duplicate ? Outcome.DUPLICATE : Outcome.STORED;
        }

        @Override
        public boolean written() {
            return written;
        }

        @Override
        public void add(AggregateRecord record) {
            if (ended) throw new IllegalStateException("the import of this report has ended");
            batch.add(record);
            records++;
            messages += record.count();
            if (batch.size() == BATCH_SIZE) {
                List<AggregateRecord> full = batch;
                batch = new ArrayList<>();
                handedOver = true;
                hand(full.size(), () -> write(full));
            }
        }

        @Override
        public void end(boolean complete) {
            if (ended) return;
            ended = true;
            open = null;
            List<AggregateRecord> rest = batch;
            batch = List.of();
            if (!complete) {
                // Nothing of it reached the writer: there is nothing to undo.
                if (handedOver) hand(1, this::abandon);
                return;
            }
            long total = records;
            long totalMessages = messages;
            hand(Math.max(1, rest.size()), () -> {
                write(rest);
                finish(total, totalMessages);
            });
            // A report of several batches waits for its last one (a small part of it), so that a batch the database
            // refused is heard of here; a small report's failure is heard of at the next call.
            if (handedOver) settleWriter();
        }

        // ---- on the writer thread

        /** Begins the report (savepoint, duplicate check, report row) before its first records. */
        private void begin() throws SQLException {
            if (savepoint != null || failed) return;
            var identity = report.identity();
            try {
                savepoint = connection.setSavepoint();
                if (exists(identity.reporter(), identity.reportId())) {
                    duplicate = true;
                    return;
                }
                try {
                    reportKey = insertAggregateReport(report, identity.reporter(), identity.reportId());
                } catch (SQLException e) {
                    // Another importer stored it between the check and the insert (PostgreSQL, several nodes).
                    if (!isUniqueViolation(e)) throw e;
                    connection.rollback(savepoint);
                    texts.forget();
                    duplicate = true;
                }
            } catch (SQLException | RuntimeException e) {
                throw undo("store the aggregate report " + identity, e);
            }
        }

        private void write(List<AggregateRecord> records) throws SQLException {
            begin();
            if (failed || duplicate || records.isEmpty()) return;
            try {
                for (AggregateRecord record : records) {
                    bindRecord(insertRecord, reportKey, record);
                    insertRecord.addBatch();
                }
                insertRecord.executeBatch();
            } catch (SQLException | RuntimeException e) {
                throw undo("store the records of an aggregate report", e);
            }
        }

        private void finish(long total, long totalMessages) throws SQLException {
            if (failed) return;
            try {
                if (!duplicate) {
                    PreparedStatement count = statements.updateCounts();
                    count.setLong(1, total);
                    count.setLong(2, totalMessages);
                    count.setLong(3, reportKey);
                    count.executeUpdate();
                }
                connection.releaseSavepoint(savepoint);
            } catch (SQLException | RuntimeException e) {
                throw undo("store the aggregate report " + report.identity(), e);
            }
            written = true;
            if (duplicate) return;
            groupReports++;
            groupRecords += total;
            if (groupRecords >= GROUP_RECORDS || groupReports >= GROUP_REPORTS) commitGroup();
        }

        private void abandon() throws SQLException {
            written = true;
            if (savepoint == null || failed) return;
            connection.rollback(savepoint);
            texts.forget();
            connection.releaseSavepoint(savepoint);
        }

        /**
         * After the database refused a part of this report: its writes are undone (the reports before it in the group
         * stay), its later batches are skipped, and the caller hears of it at its next call. When even the undo fails
         * the store is broken.
         */
        private ReportFailed undo(String what, Exception cause) {
            failed = true;
            written = true;
            try {
                insertRecord.clearBatch();
                texts.forget();
                if (savepoint != null) {
                    connection.rollback(savepoint);
                    connection.releaseSavepoint(savepoint);
                }
            } catch (SQLException r) {
                cause.addSuppressed(r);
                broken = true;
            }
            String message = cause instanceof SQLException sql ? failure(what, sql).getMessage()
                    : "cannot " + what + " in " + location + ": " + cause;
            return new ReportFailed(new StoreException(message, cause));
        }
    }

    /** A report the database refused: raised to the caller once; the store goes on. */
    private static final class ReportFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient StoreException failure;

        ReportFailed(StoreException failure) {
            super(failure.getMessage(), failure, false, false);
            this.failure = failure;
        }
    }

    /** A piece of a report's writing, run on the writer thread. */
    private interface WriterTask {
        void run() throws SQLException;
    }

    /**
     * Hands a task that holds {@code records} records to the writer, waiting while the records already handed
     * over and not yet written would exceed {@link #RECORDS_IN_FLIGHT}: memory stays flat however far the reader
     * runs ahead. A failure of an earlier task is raised here, on the caller's thread.
     */
    private void hand(int records, WriterTask task) {
        raiseWriterFailure();
        int permits = Math.min(records, RECORDS_IN_FLIGHT);
        try {
            inFlight.acquire(permits);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while storing an aggregate report in " + location, e);
        }
        writer().execute(() -> {
            try {
                if (!broken) task.run();
            } catch (ReportFailed e) {
                if (reportFailure == null) reportFailure = e.failure;
            } catch (SQLException e) {
                broken = true;
                if (reportFailure == null) reportFailure = failure("store aggregate reports", e);
            } catch (RuntimeException | Error e) {
                broken = true;
                if (reportFailure == null) reportFailure = new StoreException("cannot store aggregate reports in " + location + ": " + e, e);
            } finally {
                inFlight.release(permits);
            }
        });
    }

    /** Commits the reports written since the last commit (on the writer, or on the caller once the writer is idle). */
    private void commitGroup() throws SQLException {
        connection.commit();
        groupReports = 0;
        groupRecords = 0;
    }

    /** Waits until the writer has written everything handed to it, and raises what it could not write. */
    private void settleWriter() {
        awaitWriter();
        raiseWriterFailure();
    }

    private void awaitWriter() {
        if (writer == null) return;
        try {
            writer.submit(() -> {
            }).get();
        } catch (ExecutionException e) {
            throw new StoreException("cannot store aggregate reports in " + location + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while storing aggregate reports in " + location, e);
        }
    }

    /**
     * Raises, once, what the writer could not write. A report the database refused was rolled back alone and the store
     * goes on; when the writer itself failed (a commit, an undo) it writes nothing more and every call says so, since a
     * later batch of a report would lack the earlier ones; close then rolls back what was not committed.
     */
    private void raiseWriterFailure() {
        StoreException failed = reportFailure;
        if (failed != null) {
            reportFailure = null;
            throw failed;
        }
        if (broken) throw new StoreException("cannot store aggregate reports in " + location + ": an earlier write failed");
    }

    @Override
    public void flush() {
        requireNoImport();
        awaitWriter();
        // A report the database refused was rolled back alone: the others of its group are committed all the same.
        if (groupReports > 0 && !broken) {
            try {
                commitGroup();
            } catch (SQLException e) {
                broken = true;
                throw failure("commit aggregate reports", e);
            }
        }
        raiseWriterFailure();
    }

    /** The thread that writes aggregate reports; started with the first report, stopped by {@link #close}. */
    private ExecutorService writer() {
        if (writer == null) {
            writer = Executors.newSingleThreadExecutor(task -> {
                Thread thread = new Thread(task, "report-store-writer");
                thread.setDaemon(true);
                return thread;
            });
        }
        return writer;
    }

    private long insertAggregateReport(AggregateReport report, String reporter, String reportId) throws SQLException {
        ReportMetadata m = report.metadata();
        PolicyPublished p = report.policy();
        PreparedStatement s = statements.insertReport();
        {
            int i = 0;
            s.setString(++i, reporter);
            s.setString(++i, reportId);
            s.setString(++i, m.orgName());
            s.setString(++i, m.email());
            setOptional(s, ++i, m.extraContactInfo());
            s.setLong(++i, m.begin().getEpochSecond());
            s.setLong(++i, m.end().getEpochSecond());
            setOptional(s, ++i, m.errors().isEmpty() ? Optional.empty() : Optional.of(String.join("\n", m.errors())));
            setOptional(s, ++i, m.generator());
            s.setString(++i, report.format().name());
            s.setString(++i, p.domain());
            setOptional(s, ++i, p.adkim().map(a -> a.name().substring(0, 1).toLowerCase(Locale.ROOT)));
            setOptional(s, ++i, p.aspf().map(a -> a.name().substring(0, 1).toLowerCase(Locale.ROOT)));
            s.setString(++i, p.p().token());
            setOptional(s, ++i, p.sp().map(x -> x.token()));
            setOptional(s, ++i, p.np().map(x -> x.token()));
            if (p.pct().isPresent()) s.setInt(++i, p.pct().get());
            else s.setNull(++i, Types.INTEGER);
            setOptional(s, ++i, p.fo());
            setOptional(s, ++i, p.testing().map(t -> t ? "y" : "n"));
            setOptional(s, ++i, p.discoveryMethod());
            s.setString(++i, report.origin().toString());
            s.setLong(++i, Instant.now().getEpochSecond());
            s.executeUpdate();
            return generatedId(s);
        }
    }

    /** The aggregate import's statements other than the record insert, prepared once on first use. */
    private final class Statements {
        private PreparedStatement exists;
        private PreparedStatement insertReport;
        private PreparedStatement updateCounts;

        PreparedStatement exists() throws SQLException {
            if (exists == null) exists = connection.prepareStatement("SELECT 1 FROM aggregate_report WHERE reporter = ? AND report_id = ?");
            return exists;
        }

        PreparedStatement insertReport() throws SQLException {
            if (insertReport == null) insertReport = prepareInsertReturningId("""
                    INSERT INTO aggregate_report (reporter, report_id, org_name, email, extra_contact_info, begin_at, end_at,
                        errors, generator, format, domain, adkim, aspf, p, sp, np, pct, fo, testing, discovery_method, origin, imported_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""");
            return insertReport;
        }

        PreparedStatement updateCounts() throws SQLException {
            if (updateCounts == null) updateCounts = connection.prepareStatement(
                    "UPDATE aggregate_report SET record_count = ?, message_count = ? WHERE id = ?");
            return updateCounts;
        }

        void close() throws SQLException {
            for (PreparedStatement s : new PreparedStatement[]{exists, insertReport, updateCounts}) {
                if (s != null) s.close();
            }
        }
    }

    /** Whether an aggregate report with this identity is stored (or written in the open group). */
    private boolean exists(String reporter, String reportId) throws SQLException {
        PreparedStatement s = statements.exists();
        s.setString(1, reporter);
        s.setString(2, reportId);
        try (ResultSet r = s.executeQuery()) {
            return r.next();
        }
    }

    /**
     * Binds one record: the source address and counts as they are, every repeated word as its number in record_text
     * (migration 4). Runs for every record on the writer thread: loops and nullable locals, not streams and Optionals.
     */
    private void bindRecord(PreparedStatement s, long reportKey, AggregateRecord r) throws SQLException {
        AggregateRecord.PolicyEvaluated evaluated = r.policyEvaluated();
        AggregateRecord.Identifiers identifiers = r.identifiers();
        AggregateRecord.DkimAuth dkim = null; // the first passing DKIM result, else the first
        for (AggregateRecord.DkimAuth d : r.dkim()) {
            if (d.result() == DkimResult.PASS) {
                dkim = d;
                break;
            }
            if (dkim == null) dkim = d;
        }
        AggregateRecord.SpfAuth spf = null; // the first mfrom SPF result, else the first
        for (AggregateRecord.SpfAuth x : r.spf()) {
            if (x.scope().orElse(null) == SpfScope.MFROM) {
                spf = x;
                break;
            }
            if (spf == null) spf = x;
        }
        int i = 0;
        s.setLong(++i, reportKey);
        s.setInt(++i, r.index());
        s.setString(++i, AddressText.of(r.sourceIp())); // IPv4 dotted, IPv6 in RFC 5952 form
        s.setLong(++i, r.count());
        s.setLong(++i, texts.id(i, word(evaluated.disposition())));
        s.setLong(++i, texts.id(i, word(evaluated.dkim())));
        s.setLong(++i, texts.id(i, word(evaluated.spf())));
        setText(s, ++i, reasons(evaluated.reasons()));
        s.setLong(++i, texts.id(i, identifiers.headerFrom()));
        setText(s, ++i, identifiers.envelopeFrom().orElse(null));
        setText(s, ++i, identifiers.envelopeTo().orElse(null));
        setText(s, ++i, dkim == null ? null : dkim.domain());
        setText(s, ++i, dkim == null ? null : dkim.selector().orElse(null));
        setText(s, ++i, dkim == null ? null : word(dkim.result()));
        setText(s, ++i, spf == null ? null : spf.domain());
        setText(s, ++i, spf == null || spf.scope().isEmpty() ? null : word(spf.scope().get()));
        setText(s, ++i, spf == null ? null : word(spf.result()));
        StringBuilder all = new StringBuilder(64);
        for (AggregateRecord.DkimAuth d : r.dkim()) {
            if (!all.isEmpty()) all.append(' ');
            all.append(d.domain());
            if (d.selector().isPresent()) all.append('/').append(d.selector().get());
            all.append('=').append(word(d.result()));
        }
        setText(s, ++i, r.dkim().isEmpty() ? null : all.toString());
        all.setLength(0);
        for (AggregateRecord.SpfAuth x : r.spf()) {
            if (!all.isEmpty()) all.append(' ');
            if (x.scope().isPresent()) all.append(word(x.scope().get())).append(':');
            all.append(x.domain()).append('=').append(word(x.result()));
        }
        setText(s, ++i, r.spf().isEmpty() ? null : all.toString());
    }

    /** The override types, comma-separated, or null when there are none. */
    private static String reasons(List<AggregateRecord.Reason> reasons) {
        if (reasons.isEmpty()) return null;
        if (reasons.size() == 1) return reasons.get(0).type();
        StringBuilder text = new StringBuilder();
        for (AggregateRecord.Reason reason : reasons) {
            if (!text.isEmpty()) text.append(',');
            text.append(reason.type());
        }
        return text.toString();
    }

    /** A nullable word as its number in record_text; {@code index} is also its column's. */
    private void setText(PreparedStatement s, int index, String value) throws SQLException {
        if (value == null) s.setNull(index, Types.BIGINT);
        else s.setLong(index, texts.id(index, value));
    }

    // ---- failure and TLS reports ----------------------------------------------------------------

    @Override
    public Outcome storeFailure(FailureReport report) {
        Objects.requireNonNull(report, "report");
        flush(); // questions and other reports see, and follow, the aggregate reports written before
        var identity = report.identity();
        try {
            if (exists("failure_report", "digest", identity.reporter(), identity.reportId())) {
                connection.rollback();
                return Outcome.DUPLICATE;
            }
            String sql = """
                    INSERT INTO failure_report (reporter, digest, feedback_type, user_agent, original_mail_from, original_rcpt_to,
                        arrival_at, source_ip, reported_domain, authentication_results, auth_failure, delivery_result,
                        identity_alignment, dkim_domain, dkim_identity, dkim_selector, spf_dns, original_from, original_subject,
                        fields, original_headers, origin, imported_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";
            try (PreparedStatement s = connection.prepareStatement(sql)) {
                int i = 0;
                s.setString(++i, identity.reporter());
                s.setString(++i, identity.reportId());
                s.setString(++i, report.feedbackType());
                setOptional(s, ++i, report.userAgent());
                setOptional(s, ++i, report.originalMailFrom());
                setOptional(s, ++i, joined(report.originalRcptTo(), ", "));
                if (report.arrivalDate().isPresent()) s.setLong(++i, report.arrivalDate().get().toEpochSecond());
                else s.setNull(++i, Types.BIGINT);
                setOptional(s, ++i, report.sourceIp());
                setOptional(s, ++i, joined(report.reportedDomains(), ","));
                setOptional(s, ++i, joined(report.authenticationResults(), "\n"));
                setOptional(s, ++i, report.authFailure());
                setOptional(s, ++i, report.deliveryResult());
                setOptional(s, ++i, joined(report.identityAlignment(), ","));
                setOptional(s, ++i, report.dkimDomain());
                setOptional(s, ++i, report.dkimIdentity());
                setOptional(s, ++i, report.dkimSelector());
                setOptional(s, ++i, joined(report.spfDns(), "\n"));
                setOptional(s, ++i, report.originalHeader("From").stream().findFirst());
                setOptional(s, ++i, report.originalHeader("Subject").stream().findFirst());
                s.setString(++i, fieldsText(report.fields()));
                s.setString(++i, fieldsText(report.originalHeaders()));
                s.setString(++i, report.origin().toString());
                s.setLong(++i, Instant.now().getEpochSecond());
                s.executeUpdate();
            }
            connection.commit();
            return Outcome.STORED;
        } catch (SQLException e) {
            return rollBackOrDuplicate(e, "store the failure report " + identity);
        }
    }

    @Override
    public Outcome storeTls(TlsReport report) {
        Objects.requireNonNull(report, "report");
        flush(); // questions and other reports see, and follow, the aggregate reports written before
        var identity = report.identity();
        try {
            if (exists("tls_report", "report_id", identity.reporter(), identity.reportId())) {
                connection.rollback();
                return Outcome.DUPLICATE;
            }
            long id;
            try (PreparedStatement s = prepareInsertReturningId("""
                    INSERT INTO tls_report (reporter, report_id, organization_name, contact_info, begin_at, end_at, origin, imported_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)""")) {
                s.setString(1, identity.reporter());
                s.setString(2, identity.reportId());
                s.setString(3, report.organizationName());
                setOptional(s, 4, report.contactInfo());
                s.setLong(5, report.start().getEpochSecond());
                s.setLong(6, report.end().getEpochSecond());
                s.setString(7, report.origin().toString());
                s.setLong(8, Instant.now().getEpochSecond());
                s.executeUpdate();
                id = generatedId(s);
            }
            try (PreparedStatement policy = connection.prepareStatement("""
                    INSERT INTO tls_policy (report, policy_index, policy_type, policy_domain, policy_string, mx_hosts,
                        successful_sessions, failed_sessions) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""");
                 PreparedStatement detail = connection.prepareStatement("""
                    INSERT INTO tls_failure (report, policy_index, detail_index, result_type, sending_mta_ip, receiving_mx_hostname,
                        receiving_mx_helo, receiving_ip, failed_sessions, additional_information, failure_reason_code)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
                int p = 0;
                for (TlsReport.PolicyResult result : report.policies()) {
                    p++;
                    policy.setLong(1, id);
                    policy.setInt(2, p);
                    policy.setString(3, result.policyType());
                    policy.setString(4, result.policyDomain());
                    setOptional(policy, 5, joined(result.policyString(), "\n"));
                    setOptional(policy, 6, joined(result.mxHosts(), " "));
                    policy.setLong(7, result.totalSuccessfulSessionCount());
                    policy.setLong(8, result.totalFailureSessionCount());
                    policy.addBatch();
                    int d = 0;
                    for (TlsReport.FailureDetail f : result.failureDetails()) {
                        detail.setLong(1, id);
                        detail.setInt(2, p);
                        detail.setInt(3, ++d);
                        detail.setString(4, f.resultType());
                        setOptional(detail, 5, f.sendingMtaIp());
                        setOptional(detail, 6, f.receivingMxHostname());
                        setOptional(detail, 7, f.receivingMxHelo());
                        setOptional(detail, 8, f.receivingIp());
                        detail.setLong(9, f.failedSessionCount());
                        setOptional(detail, 10, f.additionalInformation());
                        setOptional(detail, 11, f.failureReasonCode());
                        detail.addBatch();
                    }
                }
                policy.executeBatch();
                detail.executeBatch();
            }
            connection.commit();
            return Outcome.STORED;
        } catch (SQLException e) {
            return rollBackOrDuplicate(e, "store the TLS report " + identity);
        }
    }

    private Outcome rollBackOrDuplicate(SQLException e, String what) {
        try {
            connection.rollback();
        } catch (SQLException r) {
            e.addSuppressed(r);
        }
        if (isUniqueViolation(e)) return Outcome.DUPLICATE;
        throw failure(what, e);
    }

    // ---- questions ------------------------------------------------------------------------------

    private static final Comparator<Optional<String>> OPTIONAL_TEXT = Comparator.comparing(o -> o.orElse(""));
    /** Most messages first, then a total order on the rest, the same on every database. */
    static final Comparator<RecordGroup> GROUP_ORDER = Comparator.comparingLong(RecordGroup::messages).reversed()
            .thenComparing(RecordGroup::sourceIp).thenComparing(RecordGroup::headerFrom)
            .thenComparing(RecordGroup::envelopeFrom, OPTIONAL_TEXT).thenComparing(RecordGroup::disposition)
            .thenComparing(RecordGroup::dkimAligned).thenComparing(RecordGroup::spfAligned)
            .thenComparing(RecordGroup::dkimDomain, OPTIONAL_TEXT).thenComparing(RecordGroup::dkimResult, OPTIONAL_TEXT)
            .thenComparing(RecordGroup::spfDomain, OPTIONAL_TEXT).thenComparing(RecordGroup::spfResult, OPTIONAL_TEXT)
            .thenComparing(RecordGroup::reasons);

    @Override
    public List<RecordGroup> recordGroups(RecordFilter filter) {
        Objects.requireNonNull(filter, "filter");
        flush(); // questions and other reports see, and follow, the aggregate reports written before
        // Grouped by the numbers of record_text (migration 4), the same word always having the same number; the texts
        // are joined to the groups, not to every record.
        StringBuilder sql = new StringBuilder("""
                SELECT g.source_ip, header_from.value, envelope_from.value, disposition.value, dkim_evaluated.value,
                    spf_evaluated.value, dkim_domain.value, dkim_result.value, spf_domain.value, spf_result.value, reasons.value,
                    g.messages, g.first_begin, g.last_end
                FROM (SELECT r.source_ip, r.header_from, r.envelope_from, r.disposition, r.dkim_evaluated, r.spf_evaluated,
                        r.dkim_domain, r.dkim_result, r.spf_domain, r.spf_result, r.reasons,
                        SUM(r.message_count) AS messages, MIN(a.begin_at) AS first_begin, MAX(a.end_at) AS last_end
                    FROM aggregate_record_row r JOIN aggregate_report a ON a.id = r.report
                    WHERE 1 = 1""");
        List<Object> parameters = new ArrayList<>();
        filter.domain().ifPresent(domain -> {
            sql.append(" AND r.header_from IN (SELECT id FROM record_text WHERE value = ? OR value LIKE ? ESCAPE '\\')");
            parameters.add(domain);
            parameters.add("%." + domain.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_"));
        });
        filter.since().ifPresent(since -> {
            sql.append(" AND a.end_at > ?");
            parameters.add(since.getEpochSecond());
        });
        sql.append("""

                    GROUP BY r.source_ip, r.header_from, r.envelope_from, r.disposition, r.dkim_evaluated, r.spf_evaluated,
                        r.dkim_domain, r.dkim_result, r.spf_domain, r.spf_result, r.reasons) g
                JOIN record_text header_from ON header_from.id = g.header_from
                LEFT JOIN record_text envelope_from ON envelope_from.id = g.envelope_from
                JOIN record_text disposition ON disposition.id = g.disposition
                JOIN record_text dkim_evaluated ON dkim_evaluated.id = g.dkim_evaluated
                JOIN record_text spf_evaluated ON spf_evaluated.id = g.spf_evaluated
                LEFT JOIN record_text dkim_domain ON dkim_domain.id = g.dkim_domain
                LEFT JOIN record_text dkim_result ON dkim_result.id = g.dkim_result
                LEFT JOIN record_text spf_domain ON spf_domain.id = g.spf_domain
                LEFT JOIN record_text spf_result ON spf_result.id = g.spf_result
                LEFT JOIN record_text reasons ON reasons.id = g.reasons""");
        List<RecordGroup> groups = new ArrayList<>();
        try (PreparedStatement s = connection.prepareStatement(sql.toString())) {
            for (int i = 0; i < parameters.size(); i++) s.setObject(i + 1, parameters.get(i));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    groups.add(new RecordGroup(r.getString(1), r.getString(2), optional(r, 3), r.getString(4),
                            "pass".equals(r.getString(5)), "pass".equals(r.getString(6)), optional(r, 7), optional(r, 8),
                            optional(r, 9), optional(r, 10), Optional.ofNullable(r.getString(11)).orElse(""), r.getLong(12),
                            Instant.ofEpochSecond(r.getLong(13)), Instant.ofEpochSecond(r.getLong(14))));
                }
            }
            connection.commit();
        } catch (SQLException e) {
            throw failure("read aggregate records", e);
        }
        groups.sort(GROUP_ORDER);
        return groups;
    }

    @Override
    public Optional<StoredPolicy> latestPolicy(String domain) {
        String normalized = DomainName.normalize(domain);
        flush(); // questions and other reports see, and follow, the aggregate reports written before
        try (PreparedStatement s = connection.prepareStatement(
                "SELECT domain, p, sp, pct, end_at, reporter FROM aggregate_report WHERE domain = ? ORDER BY end_at DESC, id DESC LIMIT 1")) {
            s.setString(1, normalized);
            Optional<StoredPolicy> policy = Optional.empty();
            try (ResultSet r = s.executeQuery()) {
                if (r.next()) {
                    int pct = r.getInt(4);
                    Optional<Integer> pctValue = r.wasNull() ? Optional.empty() : Optional.of(pct);
                    policy = Optional.of(new StoredPolicy(r.getString(1), r.getString(2), optional(r, 3), pctValue,
                            Instant.ofEpochSecond(r.getLong(5)), r.getString(6)));
                }
            }
            connection.commit();
            return policy;
        } catch (SQLException e) {
            throw failure("read the policy of " + normalized, e);
        }
    }

    @Override
    public StoreCounts counts() {
        flush(); // questions and other reports see, and follow, the aggregate reports written before
        try {
            StoreCounts counts = new StoreCounts(count("SELECT COUNT(*) FROM aggregate_report"),
                    count("SELECT COUNT(*) FROM aggregate_record_row"),
                    count("SELECT COALESCE(SUM(message_count), 0) FROM aggregate_record_row"),
                    count("SELECT COUNT(*) FROM failure_report"), count("SELECT COUNT(*) FROM tls_report"), schemaVersion);
            connection.commit();
            return counts;
        } catch (SQLException e) {
            throw failure("count stored reports", e);
        }
    }

    @Override
    public EnrichmentStore enrichments() {
        flush(); // enrichment commits on the same connection: the reports written before are committed first
        // Each use flushes too, so that it never commits half of a group of reports written meanwhile.
        if (enrichments == null) enrichments = new SourceEnrichmentTable(connection, location, this::flush);
        return enrichments;
    }

    @Override
    public void close() {
        StoreException failed = null;
        if (writer != null) {
            try {
                if (open != null) open.end(false); // a report still open broke off: it rolls back alone
                flush(); // the reports ended complete are committed
            } catch (StoreException e) {
                failed = e;
            }
            writer.shutdown();
            try {
                while (!writer.awaitTermination(1, TimeUnit.MINUTES)) {
                    // flush waited for the writer, so it is idle; keep waiting rather than close under it
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            if (!connection.isClosed()) {
                connection.rollback();
                statements.close();
                insertRecord.close();
                connection.close();
            }
        } catch (SQLException e) {
            throw failure("close", e);
        } finally {
            try {
                texts.close(); // its own connection too (PostgreSQL), whatever became of the main one
            } catch (SQLException ignored) {
                // closing: nothing is left to lose in those statements
            }
        }
        if (failed != null) throw failed;
    }

    // ---- helpers --------------------------------------------------------------------------------

    private long count(String sql) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }

    private boolean exists(String table, String idColumn, String reporter, String id) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement("SELECT 1 FROM " + table + " WHERE reporter = ? AND " + idColumn + " = ?")) {
            s.setString(1, reporter);
            s.setString(2, id);
            try (ResultSet r = s.executeQuery()) {
                return r.next();
            }
        }
    }

    private PreparedStatement prepareInsertReturningId(String sql) throws SQLException {
        return dialect == Dialect.POSTGRESQL ? connection.prepareStatement(sql, new String[]{"id"})
                : connection.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS);
    }

    private static long generatedId(PreparedStatement s) throws SQLException {
        try (ResultSet keys = s.getGeneratedKeys()) {
            if (!keys.next()) throw new SQLException("the database returned no generated id");
            return keys.getLong(1);
        }
    }

    private boolean isUniqueViolation(SQLException e) {
        // PostgreSQL: SQLSTATE 23505 unique_violation; SQLite: SQLITE_CONSTRAINT (19) with its UNIQUE message.
        if ("23505".equals(e.getSQLState())) return true;
        return dialect == Dialect.SQLITE && e.getErrorCode() == 19 && String.valueOf(e.getMessage()).contains("UNIQUE");
    }

    private void requireNoImport() {
        if (open != null) throw new IllegalStateException("an aggregate import is still open: end it first");
    }

    private StoreException failure(String what, SQLException e) {
        return new StoreException("cannot " + what + " in " + location + ": " + e.getMessage(), e);
    }

    private static void setOptional(PreparedStatement s, int index, Optional<String> value) throws SQLException {
        if (value.isPresent()) s.setString(index, value.get());
        else s.setNull(index, Types.VARCHAR);
    }

    private static Optional<String> optional(ResultSet r, int column) throws SQLException {
        return Optional.ofNullable(r.getString(column));
    }

    private static Optional<String> joined(List<String> values, String separator) {
        return values.isEmpty() ? Optional.empty() : Optional.of(String.join(separator, values));
    }

    private static String fieldsText(List<FailureReport.Field> fields) {
        StringBuilder text = new StringBuilder();
        for (FailureReport.Field f : fields) text.append(f.name()).append(": ").append(f.value()).append('\n');
        return text.toString();
    }

    private static String lower(String word) {
        return word.toLowerCase(Locale.ROOT);
    }

    /** The constant's name in lower case, as stored ("quarantine", "softfail"): computed once per enum. */
    private static String word(Enum<?> constant) {
        return WORDS.get(constant.getDeclaringClass())[constant.ordinal()];
    }

    private static final ClassValue<String[]> WORDS = new ClassValue<>() {
        @Override
        protected String[] computeValue(Class<?> type) {
            Object[] constants = type.getEnumConstants();
            String[] words = new String[constants.length];
            for (int i = 0; i < constants.length; i++) words[i] = lower(((Enum<?>) constants[i]).name());
            return words;
        }
    };

    private static void closeQuietly(Connection connection) {
        if (connection == null) return;
        try {
            connection.close();
        } catch (SQLException ignored) {
            // the open already failed; its error is the one to report
        }
    }
}
