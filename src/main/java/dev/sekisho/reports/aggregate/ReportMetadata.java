package dev.sekisho.reports.aggregate;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * report_metadata (RFC 7489 appendix C ReportMetadataType, RFC 9990 2.1.1).
 *
 * @param orgName          the reporting organisation as written, trimmed (may be empty: some reporters leave it so)
 * @param email            the reporter's contact address
 * @param extraContactInfo further contact details, when given
 * @param reportId         the reporter's id for the report
 * @param begin            start of the period the report covers
 * @param end              end of that period
 * @param errors           the error elements, in order
 * @param generator        RFC 9990: the software that wrote the report, when given
 */
public record ReportMetadata(String orgName, String email, Optional<String> extraContactInfo, String reportId,
                             Instant begin, Instant end, List<String> errors, Optional<String> generator) {
    public ReportMetadata {
        Objects.requireNonNull(orgName, "orgName");
        Objects.requireNonNull(email, "email");
        Objects.requireNonNull(extraContactInfo, "extraContactInfo");
        Objects.requireNonNull(reportId, "reportId");
        Objects.requireNonNull(begin, "begin");
        Objects.requireNonNull(end, "end");
        errors = List.copyOf(errors);
        Objects.requireNonNull(generator, "generator");
    }
}
