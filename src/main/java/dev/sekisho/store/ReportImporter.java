package dev.sekisho.store;

import dev.sekisho.reports.aggregate.AggregateRecord;
import dev.sekisho.reports.aggregate.AggregateReport;
import dev.sekisho.reports.failure.FailureReport;
import dev.sekisho.reports.source.ReportVisitor;
import dev.sekisho.reports.tls.TlsReport;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * The bridge from the report reader to a store: give it to {@link dev.sekisho.reports.source.ReportReader#read}.
 * Each aggregate report is one transaction, committed when the reader says it was read whole and rolled back
 * when it broke off. Not thread-safe: one reader run at a time.
 */
public final class ReportImporter implements ReportVisitor {
    private final ReportStore store;
    private final Consumer<ImportTally> afterEachReport;
    private ReportStore.AggregateImport current;
    private long aggregateStored, aggregateDuplicates, failureStored, failureDuplicates, tlsStored, tlsDuplicates;
    private long records, messages, abandoned;
    private long currentRecords, currentMessages;

    /**
     * @param afterEachReport called with the running tally after each report (e.g. a progress line)
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
        if (!complete) {
            abandoned++;
        } else if (ending.outcome() == ReportStore.Outcome.DUPLICATE) {
            aggregateDuplicates++;
        } else {
            aggregateStored++;
            records += currentRecords;
            messages += currentMessages;
        }
        afterEachReport.accept(tally());
    }

    @Override
    public void failureReport(FailureReport report) {
        if (store.storeFailure(report) == ReportStore.Outcome.STORED) failureStored++;
        else failureDuplicates++;
        afterEachReport.accept(tally());
    }

    @Override
    public void tlsReport(TlsReport report) {
        if (store.storeTls(report) == ReportStore.Outcome.STORED) tlsStored++;
        else tlsDuplicates++;
        afterEachReport.accept(tally());
    }

    /** The counts so far. */
    public ImportTally tally() {
        return new ImportTally(aggregateStored, aggregateDuplicates, failureStored, failureDuplicates, tlsStored, tlsDuplicates,
                records, messages, abandoned);
    }
}
