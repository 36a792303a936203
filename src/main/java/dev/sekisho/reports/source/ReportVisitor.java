package dev.sekisho.reports.source;

import dev.sekisho.reports.Problem;
import dev.sekisho.reports.aggregate.AggregateRecord;
import dev.sekisho.reports.aggregate.AggregateReport;
import dev.sekisho.reports.failure.FailureReport;
import dev.sekisho.reports.tls.TlsReport;

/**
 * Receives what a {@link ReportReader} finds, in the order it finds it, on the reader's thread.
 *
 * <p>An aggregate report arrives as {@link #aggregateReport}, its records one by one, then
 * {@link #aggregateReportEnd}: a store opens a transaction at the first, and commits at the last when
 * {@code complete} is true, or rolls back when it is false (the report broke off; a {@link #problem} says why).
 * An exception thrown by the visitor stops the reader and reaches its caller.
 */
public interface ReportVisitor {
    default void aggregateReport(AggregateReport report) {
    }

    default void aggregateRecord(AggregateReport report, AggregateRecord record) {
    }

    default void aggregateReportEnd(AggregateReport report, boolean complete) {
    }

    default void failureReport(FailureReport report) {
    }

    default void tlsReport(TlsReport report) {
    }

    /** A record skipped or an input rejected; everything else goes on. */
    default void problem(Problem problem) {
    }

    /**
     * The run read everything it was given: the last call of a run. A store that writes behind the reader makes
     * what it was handed durable here, so that whatever the caller does after the run sees it.
     */
    default void endOfInput() {
    }
}
