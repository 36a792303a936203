package dev.sekisho.reports.aggregate;

import dev.sekisho.reports.Origin;
import dev.sekisho.reports.ReportIdentity;

import java.util.Objects;
import java.util.Optional;

/**
 * An aggregate report without its records: what a handler receives before the first record.
 *
 * @param origin   where it was read from
 * @param format   the specification it follows
 * @param version  the feedback/version element, when present
 * @param metadata report_metadata
 * @param policy   policy_published
 */
public record AggregateReport(Origin origin, AggregateFormat format, Optional<String> version,
                              ReportMetadata metadata, PolicyPublished policy) {
    public AggregateReport {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(policy, "policy");
    }

    /**
     * The key a store deduplicates on: the org_name, or when a reporter leaves it empty the domain of its
     * contact address, with the report_id.
     */
    public ReportIdentity identity() {
        String reporter = metadata.orgName();
        if (reporter.isBlank()) {
            int at = metadata.email().lastIndexOf('@');
            reporter = at >= 0 ? metadata.email().substring(at + 1) : metadata.email();
        }
        return new ReportIdentity(reporter, metadata.reportId());
    }
}
