package dev.sekisho.store;

import dev.sekisho.reports.aggregate.AggregateRecord;
import dev.sekisho.reports.aggregate.AggregateReport;
import dev.sekisho.reports.failure.FailureReport;
import dev.sekisho.reports.source.ReportVisitor;
import dev.sekisho.reports.tls.TlsReport;

import java.util.ArrayDeque;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The bridge from the report reader to a store: give it to {@link dev.sekisho.reports.source.ReportReader#read}.
 * Each aggregate report is kept when the reader says it was read whole and rolled back alone when it broke off.
 * The store writes a report while the reader parses the next ones, so a report is counted once the store has
 * written it: {@link #tally} flushes the store and counts everything. Not thread-safe: one reader run at a time.
 */
public final class ReportImporter implements ReportVisitor {
    private final ReportStore store;
    private final Consumer<ImportTally> afterEachReport;
    private ReportStore.AggregateImport current;
    private long aggregateStored, aggregateDuplicates, failureStored, failureDuplicates, tlsStored, tlsDuplicates;
    private long records, messages, abandoned;
    private long currentRecords, currentMessages;
    /** Reports ended whole whose outcome the store has not written yet: as many as the store has in flight. */
    private final ArrayDeque<Ended> unwritten = new ArrayDeque<>();

    private record Ended(ReportStore.AggregateImport report, long records, long messages) {
    }

    /**
     * @param afterEachReport called with the running tally after each report, once the store has written it (e.g. a progress line)
     */
    public ReportImporter(ReportStore store, Consumer<ImportTally> afterEachReport) {
        this.store = Objects.requireNonNull(store, "store");
        this.afterEachReport = Objects.requireNonNull(afterEachReport, "afterEachReport");
    }

    public ReportImporter(ReportStore store) {
        this(store, tally -> {
        });
    }

    @Override
    public void aggregateReport(AggregateReport report) {
        if (current != null) throw new IllegalStateException("aggregate report " + report.identity() + " began inside another");
        current = store.beginAggregate(report);
        currentRecords = 0;
        currentMessages = 0;
    }

    @Override
    public void aggregateRecord(AggregateReport report, AggregateRecord record) {
        current.add(record);
        currentRecords++;
        currentMessages += record.count();
    }

    @Override
    public void aggregateReportEnd(AggregateReport report, boolean complete) {
        ReportStore.AggregateImport ending = current;
        current = null;
        ending.end(complete);
        if (complete) {
            unwritten.add(new Ended(ending, currentRecords, currentMessages));
        } else {
            abandoned++;
            afterEachReport.accept(counted());
        }
        countWritten(false);
    }

    /** Counts the reports whose outcome is known, in the order they ended; all of them when {@code wait}. */
    private void countWritten(boolean wait) {
        while (!unwritten.isEmpty() && (wait || unwritten.peek().report().written())) {
            Ended ended = unwritten.poll();
            if (ended.report().outcome() == ReportStore.Outcome.DUPLICATE) {
                aggregateDuplicates++;
            } else {
                aggregateStored++;
                records += ended.records();
                messages += ended.messages();
            }
            afterEachReport.accept(counted());
        }
    }

    @Override
    public void failureReport(FailureReport report) {
        if (store.storeFailure(report) == ReportStore.Outcome.STORED) failureStored++;
        else failureDuplicates++;
        countWritten(true); // storing it flushed the store
        afterEachReport.accept(counted());
    }

    @Override
    public void tlsReport(TlsReport report) {
        if (store.storeTls(report) == ReportStore.Outcome.STORED) tlsStored++;
        else tlsDuplicates++;
        countWritten(true); // storing it flushed the store
        afterEachReport.accept(counted());
    }

    /** Flushes the store at the end of each reader run: what the run stored is committed when the reader returns. */
    @Override
    public void endOfInput() {
        if (current == null) store.flush();
        countWritten(true);
    }

    /**
     * Flushes the store (every report ended so far is written and committed) and returns the counts.
     *
     * @throws StoreException when a report could not be written
     */
    public ImportTally tally() {
        if (current == null) store.flush();
        countWritten(true);
        return counted();
    }

    private ImportTally counted() {
        return new ImportTally(aggregateStored, aggregateDuplicates, failureStored, failureDuplicates, tlsStored, tlsDuplicates,
                records, messages, abandoned);
    }
}
