package dev.sekisho.reports;

import java.util.Locale;
import java.util.Objects;

/**
 * What makes a report the same report when it arrives twice (resent, or in two mailboxes): the reporting
 * organisation and its report id. RFC 7489 7.2.1.1 and RFC 9990 2.1 make report_id unique per reporter;
 * RFC 8460 4.4 does the same for TLS reports. The reporter is compared without case and surrounding space.
 *
 * @param reporter the reporting organisation, trimmed and lower case
 * @param reportId the reporter's id for the report, trimmed
 */
public record ReportIdentity(String reporter, String reportId) {
    public ReportIdentity {
        reporter = Objects.requireNonNull(reporter, "reporter").strip().toLowerCase(Locale.ROOT);
        reportId = Objects.requireNonNull(reportId, "reportId").strip();
    }

    @Override
    public String toString() {
        return reporter + " " + reportId;
    }
}
