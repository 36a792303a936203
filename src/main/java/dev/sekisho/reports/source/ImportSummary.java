package dev.sekisho.reports.source;

import dev.sekisho.reports.Problem;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What one run of a {@link ReportReader} read. Counts cover complete reports only: the records of an
 * aggregate report that broke off are not counted (its problem is).
 *
 * @param files            files (or streams) read
 * @param aggregateReports complete aggregate reports
 * @param failureReports   failure reports
 * @param tlsReports       SMTP TLS reports
 * @param records          records of the complete aggregate reports
 * @param messages         the sum of their counts
 * @param skippedRecords   records (and TLS failure details) skipped, each with a problem
 * @param rejectedInputs   inputs (files, entries, mails, reports) that yielded no report, each with a problem
 * @param problems         the first problems, in order ({@link ReportLimits#maxListedProblems()} at most)
 */
public record ImportSummary(long files, long aggregateReports, long failureReports, long tlsReports, long records,
                            long messages, long skippedRecords, long rejectedInputs, List<Problem> problems) {
    public ImportSummary {
        problems = List.copyOf(problems);
    }

    public static ImportSummary empty() {
        return new ImportSummary(0, 0, 0, 0, 0, 0, 0, 0, List.of());
    }

    /** All reports of every kind. */
    public long reports() {
        return aggregateReports + failureReports + tlsReports;
    }

    /** Problems beyond those listed. */
    public long unlistedProblems() {
        return skippedRecords + rejectedInputs - problems.size();
    }

    /** This summary and {@code other} together, e.g. for several paths; at most {@code maxListedProblems} listed. */
    public ImportSummary plus(ImportSummary other, int maxListedProblems) {
        Objects.requireNonNull(other, "other");
        List<Problem> listed = new ArrayList<>(problems);
        for (Problem p : other.problems) {
            if (listed.size() >= maxListedProblems) break;
            listed.add(p);
        }
        return new ImportSummary(files + other.files, aggregateReports + other.aggregateReports,
                failureReports + other.failureReports, tlsReports + other.tlsReports, records + other.records,
                messages + other.messages, skippedRecords + other.skippedRecords, rejectedInputs + other.rejectedInputs, listed);
    }

    @Override
    public String toString() {
        return files + " files: " + reports() + " reports (" + aggregateReports + " aggregate, " + failureReports + " failure, "
                + tlsReports + " TLS), " + records + " records, " + messages + " messages, " + skippedRecords
                + " records skipped, " + rejectedInputs + " inputs rejected";
    }
}
