package dev.sekisho.dmarc;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A parsed and validated DMARC policy record (RFC 7489 6.3, RFC 9989 4.7), immutable.
 *
 * <p>Every tag that is absent, invalid or ignored holds its default here, as a receiver would
 * read it; what was wrong is in {@link #findings()}.
 *
 * @param text        the record as given
 * @param recognized  true when it starts with v=DMARC1, so that receivers treat it as a DMARC record at all
 * @param requestedPolicy        p, when present and valid
 * @param requestedSubdomainPolicy sp, when present and valid
 * @param requestedNonExistentPolicy np (RFC 9989), when present and valid
 * @param dkimAlignment adkim, default relaxed
 * @param spfAlignment  aspf, default relaxed
 * @param percent       pct (RFC 7489 only), default 100
 * @param aggregateReports rua: the URIs that parsed
 * @param failureReports   ruf: the URIs that parsed
 * @param failureOptions   fo, default {0}
 * @param reportFormats    rf (RFC 7489 only), default [afrf]
 * @param reportInterval   ri in seconds (RFC 7489 only), default 86400
 * @param psd              psd (RFC 9989), default unspecified
 * @param testing          t=y (RFC 9989), default false
 * @param tags             every syntactically valid tag, lower-case name to value, first occurrence, in record order
 * @param findings         what the validator found, in record order, then the checks across tags
 */
public record DmarcRecord(
        String text,
        boolean recognized,
        Optional<Policy> requestedPolicy,
        Optional<Policy> requestedSubdomainPolicy,
        Optional<Policy> requestedNonExistentPolicy,
        AlignmentMode dkimAlignment,
        AlignmentMode spfAlignment,
        int percent,
        List<ReportUri> aggregateReports,
        List<ReportUri> failureReports,
        Set<FailureOption> failureOptions,
        List<String> reportFormats,
        long reportInterval,
        PsdFlag psd,
        boolean testing,
        Map<String, String> tags,
        List<Finding> findings) {

    /** Longer than any TXT record can be (RFC 1035 3.3.14: RDATA is at most 65535 octets). */
    public static final int MAX_LENGTH = 65_535;
    /** At most this many findings are kept; a last one says that more were dropped. */
    public static final int MAX_FINDINGS = 100;

    public DmarcRecord {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(requestedPolicy, "requestedPolicy");
        Objects.requireNonNull(requestedSubdomainPolicy, "requestedSubdomainPolicy");
        Objects.requireNonNull(requestedNonExistentPolicy, "requestedNonExistentPolicy");
        Objects.requireNonNull(dkimAlignment, "dkimAlignment");
        Objects.requireNonNull(spfAlignment, "spfAlignment");
        Objects.requireNonNull(psd, "psd");
        aggregateReports = List.copyOf(aggregateReports);
        failureReports = List.copyOf(failureReports);
        failureOptions = Set.copyOf(failureOptions);
        reportFormats = List.copyOf(reportFormats);
        tags = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(tags));
        findings = List.copyOf(findings);
    }

    /** Parses and validates one record; never throws for any text, however hostile. */
    public static DmarcRecord parse(String text) {
        return new RecordParser(Objects.requireNonNull(text, "text")).parse();
    }

    /**
     * Parses a TXT record given as its character-strings: RFC 7489 6.1 / RFC 9989 4.5, the strings
     * are concatenated without separator and parsed as one.
     */
    public static DmarcRecord parse(List<String> characterStrings) {
        return parse(String.join("", characterStrings));
    }

    /**
     * True when a TXT record is a DMARC record candidate: its first tag is v=DMARC1 (RFC 7489 6.6.3
     * step 3, RFC 9989 4.10 step 2: records that do not start with a "v" tag identifying DMARC1 are
     * discarded). Space around "=" is allowed (RFC 9989 4.8: equals = *WSP "=" *WSP).
     */
    public static boolean isDmarcRecord(String text) {
        if (text == null) return false;
        int end = text.indexOf(';');
        String first = Text.trimWsp(end < 0 ? text : text.substring(0, end));
        int eq = first.indexOf('=');
        if (eq < 0) return false;
        return Text.trimWsp(first.substring(0, eq)).equalsIgnoreCase("v") && Text.trimWsp(first.substring(eq + 1)).equals("DMARC1");
    }

    /** p as receivers apply it: the requested policy, or none when p is absent or invalid (RFC 9989 4.7, RFC 7489 6.6.3). */
    public Policy policy() {
        return requestedPolicy.orElse(Policy.NONE);
    }

    /** The policy for existing subdomains: sp, else p (RFC 7489 6.3). */
    public Policy subdomainPolicy() {
        return requestedSubdomainPolicy.orElse(policy());
    }

    /** The policy for non-existent subdomains: np, else sp, else p (RFC 9989 4.7). */
    public Policy nonExistentSubdomainPolicy() {
        return requestedNonExistentPolicy.orElse(subdomainPolicy());
    }

    /** True when a tag was present with a valid name (whatever its value). */
    public boolean has(String tag) {
        return tags.containsKey(tag);
    }

    public List<Finding> findings(Severity severity) {
        return findings.stream().filter(f -> f.severity() == severity).toList();
    }

    public List<Finding> findingsFor(String tag) {
        return findings.stream().filter(f -> f.tag().equals(tag)).toList();
    }

    public boolean hasErrors() {
        return findings.stream().anyMatch(f -> f.severity() == Severity.ERROR);
    }
}
