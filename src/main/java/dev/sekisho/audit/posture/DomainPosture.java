package dev.sekisho.audit.posture;

import java.util.List;
import java.util.Optional;

/**
 * The posture audit's answer for one domain.
 *
 * @param domain   the domain as asked
 * @param mail     what its MX records say about mail to it
 * @param findings every finding, ranked by {@link DomainFinding#RANKING}
 * @param error    why the domain could not be audited at all (e.g. it is not a domain name); empty when it was
 */
public record DomainPosture(String domain, MailStatus mail, List<DomainFinding> findings, Optional<String> error) {

    /** What the MX lookup (and, without MX, the A/AAAA lookups) said. */
    public enum MailStatus {
        /** MX hosts receive its mail. */
        RECEIVES_MAIL,
        /** No MX, but an A or AAAA record that senders fall back to (RFC 5321 5.1). */
        ADDRESS_FALLBACK,
        /** A null MX (RFC 7505): it says it accepts no mail. */
        NULL_MX,
        /** No MX and no A/AAAA: a domain without mail, which should say so (the parked-domain advice). */
        NO_MAIL,
        /** The domain does not exist (NXDOMAIN). */
        NO_SUCH_DOMAIN,
        /** The lookups failed temporarily, or the domain was not checked. */
        UNKNOWN
    }

    public DomainPosture {
        findings = findings.stream().sorted(DomainFinding.RANKING).toList();
    }

    static DomainPosture notChecked(String domain, String error) {
        return new DomainPosture(domain, MailStatus.UNKNOWN, List.of(), Optional.of(error));
    }

    /** True when the audit could not be completed: the domain was not checked, or some lookup failed temporarily. */
    public boolean incomplete() {
        return error.isPresent() || findings.stream().anyMatch(f -> f.severity() == Severity.COULD_NOT_CHECK);
    }

    /** True when there is an error or warning (info alone is clean). */
    public boolean hasProblems() {
        return findings.stream().anyMatch(f -> f.severity() == Severity.ERROR || f.severity() == Severity.WARNING);
    }

    /** The domain sends and receives no mail, so it gets the parked-domain advice. */
    public boolean parked() {
        return mail == MailStatus.NO_MAIL || mail == MailStatus.NULL_MX;
    }
}
