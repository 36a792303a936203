package dev.sekisho.reports.failure;

import dev.sekisho.reports.Origin;
import dev.sekisho.reports.ReportIdentity;

import java.time.ZonedDateTime;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One failure report: the fields of its message/feedback-report part (RFC 5965 3.1-3.3, RFC 6591 3.1) and
 * the headers of the message it reports. Field values are unfolded and trimmed; every field is also in
 * {@link #fields()} in its original order, including those this record has no component for.
 *
 * @param origin                 where it was read from
 * @param identity               the key a store deduplicates on: the reporter (the report mail's From domain,
 *                               else the User-Agent) and a digest of the feedback fields and reported headers
 * @param feedbackType           Feedback-Type, lower case (RFC 6591 3.1: "auth-failure" for DMARC)
 * @param userAgent              User-Agent
 * @param version                Version
 * @param originalMailFrom       Original-Mail-From, without angle brackets ("" for the null path)
 * @param originalRcptTo         Original-Rcpt-To, each
 * @param arrivalDate            Arrival-Date, parsed when it is an RFC 5322 date
 * @param sourceIp               Source-IP as written
 * @param reportedDomains        Reported-Domain, each, lower case
 * @param authenticationResults  Authentication-Results, each
 * @param authFailure            Auth-Failure (RFC 6591 3.2.1: adsp, bodyhash, revoked, signature, spf, dmarc)
 * @param deliveryResult         Delivery-Result (RFC 6591 3.2.2)
 * @param identityAlignment      Identity-Alignment (RFC 7489 7.3.1), comma-separated values, lower case
 * @param dkimDomain             DKIM-Domain (RFC 6591 3.2.3)
 * @param dkimIdentity           DKIM-Identity
 * @param dkimSelector           DKIM-Selector
 * @param spfDns                 SPF-DNS, each (RFC 6591 3.2.5)
 * @param fields                 every field of the feedback part, in order
 * @param originalHeaders        the headers of the reported message (RFC 5965 2 (f)), in order; empty when
 *                               the report does not include them
 */
public record FailureReport(Origin origin, ReportIdentity identity, String feedbackType, Optional<String> userAgent,
                            Optional<String> version, Optional<String> originalMailFrom, List<String> originalRcptTo,
                            Optional<ZonedDateTime> arrivalDate, Optional<String> sourceIp, List<String> reportedDomains,
                            List<String> authenticationResults, Optional<String> authFailure,
                            Optional<String> deliveryResult, List<String> identityAlignment, Optional<String> dkimDomain,
                            Optional<String> dkimIdentity, Optional<String> dkimSelector, List<String> spfDns,
                            List<Field> fields, List<Field> originalHeaders) {
    public FailureReport {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(feedbackType, "feedbackType");
        Objects.requireNonNull(userAgent, "userAgent");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(originalMailFrom, "originalMailFrom");
        originalRcptTo = List.copyOf(originalRcptTo);
        Objects.requireNonNull(arrivalDate, "arrivalDate");
        Objects.requireNonNull(sourceIp, "sourceIp");
        reportedDomains = List.copyOf(reportedDomains);
        authenticationResults = List.copyOf(authenticationResults);
        Objects.requireNonNull(authFailure, "authFailure");
        Objects.requireNonNull(deliveryResult, "deliveryResult");
        identityAlignment = List.copyOf(identityAlignment);
        Objects.requireNonNull(dkimDomain, "dkimDomain");
        Objects.requireNonNull(dkimIdentity, "dkimIdentity");
        Objects.requireNonNull(dkimSelector, "dkimSelector");
        spfDns = List.copyOf(spfDns);
        fields = List.copyOf(fields);
        originalHeaders = List.copyOf(originalHeaders);
    }

    /** The values of every reported-message header so named (case-insensitive), in order. */
    public List<String> originalHeader(String name) {
        return originalHeaders.stream().filter(f -> f.name().equalsIgnoreCase(name)).map(Field::value).toList();
    }

    /**
     * A header field: name as written, value unfolded and trimmed.
     *
     * @param name  the field name
     * @param value the field body
     */
    public record Field(String name, String value) {
        public Field {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }

        boolean named(String other) {
            return name.toLowerCase(Locale.ROOT).equals(other.toLowerCase(Locale.ROOT));
        }
    }
}
