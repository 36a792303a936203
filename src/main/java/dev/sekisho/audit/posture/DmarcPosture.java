package dev.sekisho.audit.posture;

import dev.sekisho.dmarc.DmarcDiscovery;
import dev.sekisho.dmarc.DmarcRecord;
import dev.sekisho.dmarc.ExternalDestination;
import dev.sekisho.dmarc.Finding;
import dev.sekisho.dmarc.Policy;
import dev.sekisho.dmarc.TxtLookup;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The DMARC part of the posture audit (RFC 7489, RFC 9989), over the dmarc package's parser and discovery. */
final class DmarcPosture {
    static final String PARKED_RECORD = "v=DMARC1; p=reject;";

    private final TxtLookup lookup;

    DmarcPosture(TxtLookup lookup) {
        this.lookup = lookup;
    }

    /** The findings, and the policy receivers apply to mail from the domain when it could be read. */
    record Result(List<DomainFinding> findings, Optional<Policy> policy) {
    }

    Result check(String domain, boolean parked) {
        List<DomainFinding> findings = new ArrayList<>();
        DmarcDiscovery discovery = new DmarcDiscovery(lookup);
        String name = "_dmarc." + domain;
        String starter = parked ? PARKED_RECORD : "v=DMARC1; p=none; rua=mailto:dmarc-reports@" + domain;
        DmarcDiscovery.Fetch fetch = discovery.fetch(domain);
        switch (fetch) {
            case DmarcDiscovery.Fetch.TemporaryFailure f -> {
                findings.add(DomainFinding.couldNotCheck(Area.DMARC, "DMARC", f.reason()));
                return new Result(findings, Optional.empty());
            }
            case DmarcDiscovery.Fetch.NotFound n when n.reason() == DmarcDiscovery.Reason.MULTIPLE_RECORDS -> {
                findings.add(DomainFinding.of(Severity.ERROR, Area.DMARC, "dmarc-multiple-records",
                        n.texts().size() + " DMARC records at " + name + "; RFC 7489 6.6.3: receivers discard them all, so no policy applies",
                        RecordToPublish.txt(name, n.texts().getFirst())));
                return new Result(findings, Optional.empty());
            }
            case DmarcDiscovery.Fetch.NotFound n -> {
                return missing(domain, parked, discovery, name, starter, findings);
            }
            case DmarcDiscovery.Fetch.Found found -> {
                return found(domain, parked, found.record(), name, findings);
            }
        }
    }

    private Result missing(String domain, boolean parked, DmarcDiscovery discovery, String name, String starter, List<DomainFinding> findings) {
        // RFC 9989 4.10.1: without a record at the domain, the organisational domain's record may apply (its sp or np).
        DmarcDiscovery.Discovery applies = discovery.discover(domain);
        switch (applies) {
            case DmarcDiscovery.Discovery.TemporaryFailure f -> {
                findings.add(DomainFinding.couldNotCheck(Area.DMARC, "the DMARC policy that applies", f.reason()));
                return new Result(findings, Optional.empty());
            }
            case DmarcDiscovery.Discovery.Found f -> {
                Policy policy = f.applicablePolicy(true);
                boolean enough = parked ? policy == Policy.REJECT : policy != Policy.NONE;
                Severity severity = enough ? Severity.INFO : Severity.WARNING;
                findings.add(new DomainFinding(severity, Area.DMARC, enough ? "dmarc-inherited" : "dmarc-inherited-weak",
                        "no record at " + name + "; receivers apply " + (f.source() == DmarcDiscovery.Source.AUTHOR_DOMAIN ? "p" : "sp")
                                + "=" + policy.token() + " from the record at _dmarc." + f.policyDomain() + " (RFC 9989 4.10.1)",
                        enough ? Optional.empty() : Optional.of(RecordToPublish.txt(name, starter))));
                return new Result(findings, Optional.of(policy));
            }
            case DmarcDiscovery.Discovery.None none -> {
                findings.add(DomainFinding.of(Severity.ERROR, Area.DMARC, "dmarc-missing",
                        "no DMARC record at " + name + " or above it: receivers apply no policy to mail that spoofs " + domain
                                + (parked ? "" : "; start with p=none to collect reports, then raise it to quarantine and reject"),
                        RecordToPublish.txt(name, starter)));
                return new Result(findings, Optional.empty());
            }
        }
    }

    private Result found(String domain, boolean parked, DmarcRecord record, String name, List<DomainFinding> findings) {
        if (parked && record.policy() != Policy.REJECT) {
            findings.add(DomainFinding.of(Severity.WARNING, Area.DMARC, "dmarc-parked-not-reject",
                    domain + " has no mail, so mail from it is spoofed: p=" + record.policy().token() + " should be p=reject",
                    RecordToPublish.txt(name, PARKED_RECORD)));
        }
        for (Finding f : record.findings()) {
            if (parked && f.code().equals("policy-none")) continue; // dmarc-parked-not-reject says it, with the record
            if (parked && f.code().equals("no-aggregate-reports")) continue; // a parked domain need not collect reports
            Severity severity = switch (f.severity()) {
                case ERROR -> Severity.ERROR;
                case WARNING -> Severity.WARNING;
                case INFO -> Severity.INFO;
            };
            Optional<RecordToPublish> fix = switch (f.code()) {
                case "policy-none" -> Optional.of(RecordToPublish.txt(name, record.text().replaceFirst("(?i)(;\\s*p\\s*=\\s*)none", "$1quarantine")));
                case "no-aggregate-reports" -> Optional.of(RecordToPublish.txt(name, withoutTrailingSemicolon(record.text())
                        + "; rua=mailto:dmarc-reports@" + domain));
                default -> Optional.empty();
            };
            findings.add(new DomainFinding(severity, Area.DMARC, "dmarc-" + f.code(),
                    (f.tag().isEmpty() ? "" : f.tag() + ": ") + f.message(), fix));
        }
        // RFC 7489 3.1: relaxed alignment lets subdomains (and the organisational domain) align; strict needs the exact domain.
        findings.add(DomainFinding.of(Severity.INFO, Area.DMARC, "dmarc-alignment",
                "alignment: DKIM " + mode(record.dkimAlignment().name()) + ", SPF " + mode(record.spfAlignment().name())));
        for (ExternalDestination.Check check : new ExternalDestination(lookup).checkAll(domain, record)) {
            switch (check) {
                case ExternalDestination.Check.NotAuthorized n -> findings.add(DomainFinding.of(Severity.WARNING, Area.DMARC,
                        "dmarc-external-destination-not-authorised",
                        n.uri().text() + " is in another organisation, which has not authorised the reports (" + n.reason()
                                + "; RFC 7489 7.1): receivers send none there; the destination publishes",
                        RecordToPublish.txt(n.recordName(), "v=DMARC1;")));
                case ExternalDestination.Check.CouldNotCheck c -> findings.add(DomainFinding.couldNotCheck(Area.DMARC,
                        "the report destination " + c.uri().text(), c.reason()));
                default -> {
                }
            }
        }
        return new Result(findings, Optional.of(record.policy()));
    }

    private static String mode(String name) {
        return name.toLowerCase(java.util.Locale.ROOT);
    }

    private static String withoutTrailingSemicolon(String text) {
        return text.strip().replaceFirst(";\\s*$", "");
    }
}
