package dev.sekisho.reports.aggregate;

import dev.sekisho.reports.Problem;

/**
 * Receives an aggregate report as it is read: {@link #report} once, before any record (a report without
 * records still calls it), then {@link #record} or {@link #recordSkipped} for each record in order. When the
 * parser then throws, the report is incomplete and whatever the handler kept of it should be dropped.
 */
public interface AggregateReportHandler {
    void report(AggregateReport report);

    void record(AggregateReport report, AggregateRecord record);

    /** A record that could not be read; the rest of the report is read on. */
    void recordSkipped(AggregateReport report, Problem problem);
}
