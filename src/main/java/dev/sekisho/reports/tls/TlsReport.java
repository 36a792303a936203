package dev.sekisho.reports.tls;

import dev.sekisho.reports.Origin;
import dev.sekisho.reports.ReportIdentity;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An SMTP TLS report (RFC 8460 4.4).
 *
 * @param origin           where it was read from
 * @param organizationName organization-name
 * @param start            date-range/start-datetime
 * @param end              date-range/end-datetime
 * @param contactInfo      contact-info (RFC 8460 4.4 requires it; some reporters send null)
 * @param reportId         report-id
 * @param policies         policies, in order
 */
public record TlsReport(Origin origin, String organizationName, Instant start, Instant end, Optional<String> contactInfo,
                        String reportId, List<PolicyResult> policies) {
    public TlsReport {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(organizationName, "organizationName");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        Objects.requireNonNull(contactInfo, "contactInfo");
        Objects.requireNonNull(reportId, "reportId");
        policies = List.copyOf(policies);
    }

    /** The key a store deduplicates on (RFC 8460 4.4: report-id is unique per reporter). */
    public ReportIdentity identity() {
        return new ReportIdentity(organizationName, reportId);
    }

    /** The failed sessions of all policies. */
    public long totalFailureSessionCount() {
        return policies.stream().mapToLong(PolicyResult::totalFailureSessionCount).sum();
    }

    /** The successful sessions of all policies. */
    public long totalSuccessfulSessionCount() {
        return policies.stream().mapToLong(PolicyResult::totalSuccessfulSessionCount).sum();
    }

    /**
     * One element of policies (RFC 8460 4.3, 4.4).
     *
     * @param policyType                  policy-type: "tlsa", "sts" or "no-policy-found", lower case
     * @param policyString                policy-string lines
     * @param policyDomain                policy-domain, lower case
     * @param mxHosts                     mx-host patterns (an array in RFC 8460 4.4, a string in its example; both read)
     * @param totalSuccessfulSessionCount summary/total-successful-session-count
     * @param totalFailureSessionCount    summary/total-failure-session-count
     * @param failureDetails              failure-details, in order
     */
    public record PolicyResult(String policyType, List<String> policyString, String policyDomain, List<String> mxHosts,
                               long totalSuccessfulSessionCount, long totalFailureSessionCount,
                               List<FailureDetail> failureDetails) {
        public PolicyResult {
            Objects.requireNonNull(policyType, "policyType");
            policyString = List.copyOf(policyString);
            Objects.requireNonNull(policyDomain, "policyDomain");
            mxHosts = List.copyOf(mxHosts);
            failureDetails = List.copyOf(failureDetails);
        }
    }

    /**
     * One element of failure-details (RFC 8460 4.3, result types in 4.3.1-4.3.3). Empty strings are absent.
     *
     * @param resultType            result-type, lower case, e.g. "certificate-expired", "sts-policy-fetch-error"
     * @param sendingMtaIp          sending-mta-ip
     * @param receivingMxHostname   receiving-mx-hostname
     * @param receivingMxHelo       receiving-mx-helo
     * @param receivingIp           receiving-ip
     * @param failedSessionCount    failed-session-count
     * @param additionalInformation additional-information (a URI)
     * @param failureReasonCode     failure-reason-code
     */
    public record FailureDetail(String resultType, Optional<String> sendingMtaIp, Optional<String> receivingMxHostname,
                                Optional<String> receivingMxHelo, Optional<String> receivingIp, long failedSessionCount,
                                Optional<String> additionalInformation, Optional<String> failureReasonCode) {
        public FailureDetail {
            Objects.requireNonNull(resultType, "resultType");
            Objects.requireNonNull(sendingMtaIp, "sendingMtaIp");
            Objects.requireNonNull(receivingMxHostname, "receivingMxHostname");
            Objects.requireNonNull(receivingMxHelo, "receivingMxHelo");
            Objects.requireNonNull(receivingIp, "receivingIp");
            Objects.requireNonNull(additionalInformation, "additionalInformation");
            Objects.requireNonNull(failureReasonCode, "failureReasonCode");
        }
    }
}
