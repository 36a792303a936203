package dev.sekisho.audit.posture;

import dev.sekisho.audit.SpecialPurposeAddressRegistry;
import dev.sekisho.audit.SpecialPurposeAddressRegistry.Classification;
import dev.sekisho.audit.SpecialPurposeAddressRegistry.Row;
import dev.sekisho.dns.DnsNames;
import dev.sekisho.dns.DnsOutcome;
import dev.sekisho.dns.DnsRecord;
import dev.sekisho.dns.DnsResolver;
import dev.sekisho.dns.RecordType;
import dev.sekisho.engine.AddressText;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The MX part of the posture audit: who receives the domain's mail, and whether they can be reached. */
final class MxPosture {
    static final String NULL_MX = "0 .";

    private final DnsResolver resolver;
    private final SpecialPurposeAddressRegistry addressRegistry;

    MxPosture(DnsResolver resolver, SpecialPurposeAddressRegistry addressRegistry) {
        this.resolver = resolver;
        this.addressRegistry = addressRegistry;
    }

    /** The findings, what they say about mail to the domain, and the MX host names (for the MTA-STS policy check). */
    record Result(List<DomainFinding> findings, DomainPosture.MailStatus status, List<String> hosts) {
    }

    Result check(String domain) {
        List<DomainFinding> findings = new ArrayList<>();
        DnsOutcome mx = resolver.lookup(domain, RecordType.MX);
        switch (mx) {
            case DnsOutcome.NoSuchDomain n -> {
                findings.add(DomainFinding.of(Severity.ERROR, Area.DOMAIN, "domain-does-not-exist",
                        domain + " does not exist (NXDOMAIN): there is nothing to audit"));
                return new Result(findings, DomainPosture.MailStatus.NO_SUCH_DOMAIN, List.of());
            }
            case DnsOutcome.NoData n -> {
                return withoutMx(domain, findings);
            }
            case DnsOutcome.Answer a -> {
                return withMx(domain, a.records(DnsRecord.Mx.class), findings);
            }
            default -> {
                findings.add(DomainFinding.couldNotCheck(Area.MX, "MX", TxtQuery.failure(mx)));
                return new Result(findings, DomainPosture.MailStatus.UNKNOWN, List.of());
            }
        }
    }

    private Result withoutMx(String domain, List<DomainFinding> findings) {
        boolean address = false;
        for (RecordType type : List.of(RecordType.A, RecordType.AAAA)) {
            DnsOutcome outcome = resolver.lookup(domain, type);
            if (outcome instanceof DnsOutcome.Answer) address = true;
            if (outcome.isTemporaryFailure()) {
                findings.add(DomainFinding.couldNotCheck(Area.MX, "whether " + domain + " has an address", TxtQuery.failure(outcome)));
                return new Result(findings, DomainPosture.MailStatus.UNKNOWN, List.of());
            }
        }
        if (address) {
            findings.add(DomainFinding.of(Severity.WARNING, Area.MX, "mx-missing",
                    "no MX record: senders deliver to the domain's A/AAAA address instead (RFC 5321 5.1); publish the MX that receives its mail,"
                            + " or a null MX if it receives none (RFC 7505)", new RecordToPublish(domain, "MX", NULL_MX)));
            return new Result(findings, DomainPosture.MailStatus.ADDRESS_FALLBACK, List.of(domain));
        }
        findings.add(DomainFinding.of(Severity.WARNING, Area.MX, "mx-missing-no-mail",
                "no MX and no A/AAAA record: " + domain + " receives no mail; say so with a null MX (RFC 7505), so that senders fail at once",
                new RecordToPublish(domain, "MX", NULL_MX)));
        return new Result(findings, DomainPosture.MailStatus.NO_MAIL, List.of());
    }

    private Result withMx(String domain, List<DnsRecord.Mx> records, List<DomainFinding> findings) {
        // RFC 7505 3: a null MX is one record with preference 0 and the root as exchange.
        List<DnsRecord.Mx> nulls = records.stream().filter(r -> r.exchange().isEmpty()).toList();
        if (!nulls.isEmpty()) {
            if (records.size() > nulls.size()) {
                findings.add(DomainFinding.of(Severity.ERROR, Area.MX, "mx-null-with-others",
                        "a null MX beside other MX records: RFC 7505 3 forbids it, and senders may treat the domain as receiving no mail"));
            } else {
                if (nulls.stream().anyMatch(r -> r.preference() != 0)) {
                    findings.add(DomainFinding.of(Severity.WARNING, Area.MX, "mx-null-preference",
                            "the null MX has preference " + nulls.getFirst().preference() + ", not 0 (RFC 7505 3)",
                            new RecordToPublish(domain, "MX", NULL_MX)));
                }
                findings.add(DomainFinding.of(Severity.INFO, Area.MX, "mx-null",
                        "null MX: " + domain + " accepts no mail (RFC 7505)"));
                return new Result(findings, DomainPosture.MailStatus.NULL_MX, List.of());
            }
        }
        Set<String> hosts = new LinkedHashSet<>();
        records.stream().filter(r -> !r.exchange().isEmpty()).sorted(java.util.Comparator.comparingInt(DnsRecord.Mx::preference))
                .forEach(r -> hosts.add(DnsNames.canonical(r.exchange())));
        for (String host : hosts) host(host, findings);
        return new Result(findings, DomainPosture.MailStatus.RECEIVES_MAIL, List.copyOf(hosts));
    }

    private void host(String host, List<DomainFinding> findings) {
        if (host.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            // RFC 5321 5.1 and RFC 7505 1: the exchange is a host name, never an address literal.
            findings.add(DomainFinding.of(Severity.ERROR, Area.MX, "mx-address-literal",
                    "MX " + host + " is an IP address, not a host name (RFC 5321 5.1): senders look it up as a name and fail"));
            return;
        }
        boolean found = false;
        boolean alias = false;
        boolean nameExists = false;
        for (RecordType type : List.of(RecordType.A, RecordType.AAAA)) {
            DnsOutcome outcome = resolver.lookup(host, type);
            switch (outcome) {
                case DnsOutcome.Answer a -> {
                    found = true;
                    nameExists = true;
                    alias |= !a.cnameChain().isEmpty();
                    for (DnsRecord.Address address : a.records(DnsRecord.Address.class)) unreachable(host, address.address(), findings);
                }
                case DnsOutcome.NoData n -> nameExists = true;
                case DnsOutcome.NoSuchDomain n -> {
                }
                default -> {
                    findings.add(DomainFinding.couldNotCheck(Area.MX, "MX host " + host, TxtQuery.failure(outcome)));
                    return;
                }
            }
        }
        if (alias) {
            findings.add(DomainFinding.of(Severity.WARNING, Area.MX, "mx-cname",
                    "MX " + host + " is an alias (CNAME); RFC 2181 10.3 and RFC 5321 5.1 require the MX to name a host with its own A/AAAA records"));
        }
        if (!found) {
            findings.add(DomainFinding.of(Severity.ERROR, Area.MX, "mx-unresolvable",
                    "MX " + host + (nameExists ? " has no A or AAAA record" : " does not exist (NXDOMAIN)") + ": mail to it cannot be delivered"));
        }
    }

    private void unreachable(String host, InetAddress address, List<DomainFinding> findings) {
        Classification classification = addressRegistry.classify(address);
        if (classification.globallyReachable()) return;
        Row row = classification.row().orElseThrow(); // an address in no row is globally reachable
        findings.add(DomainFinding.of(Severity.ERROR, Area.MX, "mx-special-address",
                "MX " + host + " has address " + AddressText.of(address) + " in " + row.block() + ", " + row.name() + " (" + row.rfc() + ")"
                        + ", which is not globally reachable (RFC 6890): senders on the internet cannot deliver to it"));
    }
}
