package dev.sekisho.reports.aggregate;

import dev.sekisho.dmarc.AlignmentMode;
import dev.sekisho.dmarc.Policy;

import java.util.Objects;
import java.util.Optional;

/**
 * policy_published: the DMARC record the receiver applied (RFC 7489 appendix C PolicyPublishedType,
 * RFC 9990 2.1.2). Fields the report leaves out are empty, never filled with the record's defaults,
 * so that the store keeps what the reporter said.
 *
 * @param domain          the domain where the record was found, lower case
 * @param adkim           DKIM alignment mode
 * @param aspf            SPF alignment mode
 * @param p               the domain policy
 * @param sp              the subdomain policy
 * @param np              RFC 9990: the policy for non-existent subdomains
 * @param pct             RFC 7489: the sampling percentage (removed by RFC 9990)
 * @param fo              failure reporting options as written
 * @param testing         RFC 9990: t=y (true) or t=n (false)
 * @param discoveryMethod RFC 9990: "psl" or "treewalk"
 */
public record PolicyPublished(String domain, Optional<AlignmentMode> adkim, Optional<AlignmentMode> aspf, Policy p,
                              Optional<Policy> sp, Optional<Policy> np, Optional<Integer> pct, Optional<String> fo,
                              Optional<Boolean> testing, Optional<String> discoveryMethod) {
    public PolicyPublished {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(adkim, "adkim");
        Objects.requireNonNull(aspf, "aspf");
        Objects.requireNonNull(p, "p");
        Objects.requireNonNull(sp, "sp");
        Objects.requireNonNull(np, "np");
        Objects.requireNonNull(pct, "pct");
        Objects.requireNonNull(fo, "fo");
        Objects.requireNonNull(testing, "testing");
        Objects.requireNonNull(discoveryMethod, "discoveryMethod");
    }
}
