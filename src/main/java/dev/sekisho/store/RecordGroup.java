package dev.sekisho.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Stored aggregate records that agree on everything the analyses look at, added up: the messages one source
 * IP sent with one From domain and one set of results, across reports.
 *
 * @param sourceIp      row/source_ip, as {@link java.net.InetAddress#getHostAddress()} writes it
 * @param headerFrom    identifiers/header_from
 * @param envelopeFrom  identifiers/envelope_from, when reported
 * @param disposition   policy_evaluated/disposition, lower case ("none", "pass", "quarantine", "reject")
 * @param dkimAligned   policy_evaluated/dkim is "pass": DKIM passed for a domain aligned with header_from
 * @param spfAligned    policy_evaluated/spf is "pass": SPF passed for a domain aligned with header_from
 * @param dkimDomain    the d= domain of the first passing DKIM result, else of the first one; empty without DKIM
 * @param dkimResult    that result, lower case; empty without DKIM
 * @param spfDomain     the domain of the first mfrom SPF result, else of the first one; empty without SPF
 * @param spfResult     that result, lower case; empty without SPF
 * @param reasons       policy_evaluated/reason types joined by ",", e.g. "forwarded"; "" when none
 * @param messages      the sum of the records' counts
 * @param firstSeen     the earliest begin of the reports they came in
 * @param lastSeen      the latest end of those reports
 */
public record RecordGroup(String sourceIp, String headerFrom, Optional<String> envelopeFrom, String disposition,
                          boolean dkimAligned, boolean spfAligned, Optional<String> dkimDomain, Optional<String> dkimResult,
                          Optional<String> spfDomain, Optional<String> spfResult, String reasons, long messages,
                          Instant firstSeen, Instant lastSeen) {
    public RecordGroup {
        Objects.requireNonNull(sourceIp, "sourceIp");
        Objects.requireNonNull(headerFrom, "headerFrom");
        Objects.requireNonNull(envelopeFrom, "envelopeFrom");
        Objects.requireNonNull(disposition, "disposition");
        Objects.requireNonNull(dkimDomain, "dkimDomain");
        Objects.requireNonNull(dkimResult, "dkimResult");
        Objects.requireNonNull(spfDomain, "spfDomain");
        Objects.requireNonNull(spfResult, "spfResult");
        Objects.requireNonNull(reasons, "reasons");
        Objects.requireNonNull(firstSeen, "firstSeen");
        Objects.requireNonNull(lastSeen, "lastSeen");
    }

    /** DMARC passed (RFC 7489 6.6.2): an aligned identifier authenticated. */
    public boolean dmarcPass() {
        return dkimAligned || spfAligned;
    }

    /** DKIM passed for some domain, aligned or not. */
    public boolean dkimPass() {
        return dkimResult.filter("pass"::equals).isPresent();
    }

    /** SPF passed for some domain, aligned or not. */
    public boolean spfPass() {
        return spfResult.filter("pass"::equals).isPresent();
    }
}
