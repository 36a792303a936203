package dev.sekisho.dmarc;

import java.util.Objects;

/**
 * Identifier alignment (RFC 7489 3.1, RFC 9989 4.4 and 4.10.2): whether an authenticated domain
 * (the SPF MAIL FROM domain or a DKIM d= domain) aligns with the RFC5322.From domain.
 */
public final class IdentifierAlignment {
    private final OrganizationalDomain.Finder finder;

    /** Alignment with organisational domains from {@code finder} (Public Suffix List or tree walk). */
    public IdentifierAlignment(OrganizationalDomain.Finder finder) {
        this.finder = Objects.requireNonNull(finder, "finder");
    }

    public enum Status {
        ALIGNED,
        NOT_ALIGNED,
        /** An organisational domain could not be determined (DNS trouble); neither pass nor fail. */
        TEMPORARY_FAILURE
    }

    /** Which authenticated identifier is compared; the check is the same, the record tag differs (aspf, adkim). */
    public enum Identifier { SPF, DKIM }

    /**
     * @param fromOrganizationalDomain          "" under strict mode, or when it could not be determined
     * @param authenticatedOrganizationalDomain "" likewise
     * @param detail                            one sentence saying why
     */
    public record Result(Status status, Identifier identifier, AlignmentMode mode, String fromDomain, String authenticatedDomain,
                         String fromOrganizationalDomain, String authenticatedOrganizationalDomain, String detail) {
        public boolean aligned() {
            return status == Status.ALIGNED;
        }
    }

    /** SPF alignment in the record's aspf mode. */
    public Result spf(String fromDomain, String mailFromDomain, DmarcRecord record) {
        return check(Identifier.SPF, record.spfAlignment(), fromDomain, mailFromDomain);
    }

    /** DKIM alignment in the record's adkim mode. */
    public Result dkim(String fromDomain, String signingDomain, DmarcRecord record) {
        return check(Identifier.DKIM, record.dkimAlignment(), fromDomain, signingDomain);
    }

    /**
     * @throws IllegalArgumentException naming the value when a domain is not a domain name
     */
    public Result check(Identifier identifier, AlignmentMode mode, String fromDomain, String authenticatedDomain) {
        String from = DomainName.normalize(fromDomain);
        String auth = DomainName.normalize(authenticatedDomain);
        if (mode == AlignmentMode.STRICT) {
            // RFC 7489 3.1.1 / 3.1.2, RFC 9989 4.4: strict mode requires the two names to be identical
            // (compared case-insensitively, RFC 4343; normalisation lower-cases both).
            boolean same = from.equals(auth);
            return new Result(same ? Status.ALIGNED : Status.NOT_ALIGNED, identifier, mode, from, auth, "", "",
                    same ? "identical domains" : auth + " is not identical to " + from + " (strict alignment)");
        }
        if (from.equals(auth)) {
            // RFC 9989 4.10.2: no tree walk is needed when the domains are the same.
            return new Result(Status.ALIGNED, identifier, mode, from, auth, "", "", "identical domains");
        }
        // RFC 7489 3.1.1 / 3.1.2, RFC 9989 4.4: relaxed mode requires the same organisational domain.
        OrganizationalDomain fromOrg = finder.find(from);
        if (fromOrg instanceof OrganizationalDomain.TemporaryFailure f) return failure(identifier, mode, from, auth, f);
        OrganizationalDomain authOrg = finder.find(auth);
        if (authOrg instanceof OrganizationalDomain.TemporaryFailure f) return failure(identifier, mode, from, auth, f);
        String a = ((OrganizationalDomain.Determined) fromOrg).organizationalDomain();
        String b = ((OrganizationalDomain.Determined) authOrg).organizationalDomain();
        boolean same = a.equals(b);
        return new Result(same ? Status.ALIGNED : Status.NOT_ALIGNED, identifier, mode, from, auth, a, b,
                same ? "both have the organisational domain " + a
                        : auth + " has the organisational domain " + b + ", " + from + " has " + a);
    }

    private static Result failure(Identifier identifier, AlignmentMode mode, String from, String auth, OrganizationalDomain.TemporaryFailure f) {
        return new Result(Status.TEMPORARY_FAILURE, identifier, mode, from, auth, "", "",
                "the organisational domain of " + f.domain() + " is unknown: " + f.name() + " failed (" + f.reason() + ")");
    }
}
