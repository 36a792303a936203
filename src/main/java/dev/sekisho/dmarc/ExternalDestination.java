package dev.sekisho.dmarc;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * RFC 7489 7.1 (and the DMARCbis aggregate reporting document, RFC 9990): a report destination in
 * another organisational domain than the policy's must authorise the reports with a TXT record
 * v=DMARC1 at {@code <policy-domain>._report._dmarc.<destination-host>}.
 */
public final class ExternalDestination {
    private final TxtLookup lookup;
    private final OrganizationalDomain.Finder finder;

    /** Organisational domains by the bundled Public Suffix List. */
    public ExternalDestination(TxtLookup lookup) {
        this(lookup, OrganizationalDomain.byPublicSuffixList());
    }

    public ExternalDestination(TxtLookup lookup, OrganizationalDomain.Finder finder) {
        this.lookup = Objects.requireNonNull(lookup, "lookup");
        this.finder = Objects.requireNonNull(finder, "finder");
    }

    /** The outcome for one URI. */
    public sealed interface Check {
        ReportUri uri();

        /** Same organisational domain as the policy: no authorisation needed. */
        record Internal(ReportUri uri, String organizationalDomain) implements Check {
        }

        /**
         * The destination authorised the reports.
         *
         * @param overrides the rua or ruf URIs of the authorising record that replace this one
         *                  (RFC 7489 7.1 step 8: only those with the same destination host)
         */
        record Authorized(ReportUri uri, String recordName, List<ReportUri> overrides) implements Check {
            public Authorized {
                overrides = List.copyOf(overrides);
            }
        }

        /** No authorising record: receivers will not send reports there. */
        record NotAuthorized(ReportUri uri, String recordName, String reason) implements Check {
        }

        /** The DNS failed temporarily (for the record or an organisational domain): try again later. */
        record CouldNotCheck(ReportUri uri, String name, String reason) implements Check {
        }

        /** Not a mailto: URI, so there is no destination host this check knows to read. */
        record NotApplicable(ReportUri uri, String reason) implements Check {
        }
    }

    /** Every rua and ruf URI of a record published at {@code policyDomain}, in record order, rua first. */
    public List<Check> checkAll(String policyDomain, DmarcRecord record) {
        List<Check> checks = new ArrayList<>();
        for (ReportUri uri : record.aggregateReports()) checks.add(check(policyDomain, uri, true));
        for (ReportUri uri : record.failureReports()) checks.add(check(policyDomain, uri, false));
        return checks;
    }

    /**
     * One URI of a record published at {@code policyDomain}.
     *
     * @param aggregate true for a rua URI, false for ruf (which tag of the authorising record may override it)
     * @throws IllegalArgumentException naming the value when {@code policyDomain} is not a domain name
     */
    public Check check(String policyDomain, ReportUri uri, boolean aggregate) {
        String policy = DomainName.normalize(policyDomain);
        if (!uri.isMailto()) return new Check.NotApplicable(uri, "only mailto: destinations are checked");
        String host = uri.domain();
        // RFC 7489 7.1: verify when the policy's organisational domain differs from the destination host's.
        OrganizationalDomain policyOrg = finder.find(policy);
        if (policyOrg instanceof OrganizationalDomain.TemporaryFailure f) return new Check.CouldNotCheck(uri, f.name(), f.reason());
        OrganizationalDomain hostOrg = finder.find(host);
        if (hostOrg instanceof OrganizationalDomain.TemporaryFailure f) return new Check.CouldNotCheck(uri, f.name(), f.reason());
        String a = ((OrganizationalDomain.Determined) policyOrg).organizationalDomain();
        String b = ((OrganizationalDomain.Determined) hostOrg).organizationalDomain();
        if (a.equals(b)) return new Check.Internal(uri, a);

        // RFC 7489 7.1 steps 1-3: <policy domain>._report._dmarc.<destination host>, as A-labels.
        String name = policy + "._report._dmarc." + host;
        if (name.length() > DomainName.MAX_LENGTH) {
            // RFC 9990 (DMARCbis aggregate reporting): a name beyond DNS limits cannot authorise anything.
            return new Check.NotAuthorized(uri, name, "the authorisation record's name is longer than a DNS name can be");
        }
        // RFC 7489 7.1 step 4: query; a temporary error allows no conclusion.
        return switch (lookup.txt(name)) {
            case TxtLookup.Answer.TemporaryFailure f -> new Check.CouldNotCheck(uri, name, f.reason());
            case TxtLookup.Answer.NoSuchDomain n -> new Check.NotAuthorized(uri, name, name + " does not exist");
            case TxtLookup.Answer.NoRecords n -> new Check.NotAuthorized(uri, name, name + " has no TXT record");
            case TxtLookup.Answer.Records r -> {
                // Step 5: keep records that start with v=DMARC1; step 6: none left, no authorisation.
                List<DmarcRecord> valid = r.texts().stream().filter(DmarcRecord::isDmarcRecord).map(DmarcRecord::parse).toList();
                if (valid.isEmpty()) yield new Check.NotAuthorized(uri, name, name + " has TXT records, but none starts with v=DMARC1");
                // Step 7: at least one remains, so the destination authorised the reports.
                yield new Check.Authorized(uri, name, overrides(valid.getFirst(), host, aggregate));
            }
        };
    }

    /** RFC 7489 7.1 step 8: rua or ruf in the authorising record replace the URI, if they keep the destination host. */
    private static List<ReportUri> overrides(DmarcRecord authorizing, String host, boolean aggregate) {
        List<ReportUri> given = aggregate ? authorizing.aggregateReports() : authorizing.failureReports();
        return given.stream().filter(u -> u.isMailto() && u.domain().equals(host)).toList();
    }

    /** The name of the authorisation record for reports about {@code policyDomain} sent to {@code destinationHost}. */
    public static Optional<String> recordName(String policyDomain, String destinationHost) {
        String name = DomainName.normalize(policyDomain) + "._report._dmarc." + DomainName.normalize(destinationHost);
        return name.length() > DomainName.MAX_LENGTH ? Optional.empty() : Optional.of(name);
    }
}
