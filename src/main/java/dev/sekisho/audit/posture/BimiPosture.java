package dev.sekisho.audit.posture;

import dev.sekisho.dmarc.Policy;
import dev.sekisho.dns.DnsRecord;
import dev.sekisho.dns.DnsResolver;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The BIMI part of the posture audit: whether a default._bimi record is published. BIMI has no RFC yet
 * (draft-brand-indicators-for-message-identification); mailbox providers show the logo only for domains
 * whose DMARC policy is quarantine or reject.
 */
final class BimiPosture {
    private final DnsResolver resolver;

    BimiPosture(DnsResolver resolver) {
        this.resolver = resolver;
    }

    List<DomainFinding> check(String domain, Optional<Policy> dmarcPolicy) {
        List<DomainFinding> findings = new ArrayList<>();
        String name = "default._bimi." + domain;
        TxtQuery txt = TxtQuery.ask(resolver, name);
        if (txt instanceof TxtQuery.Failed f) {
            findings.add(DomainFinding.couldNotCheck(Area.BIMI, "BIMI", f.reason()));
            return findings;
        }
        List<DnsRecord.Txt> records = txt.startingWith("v=BIMI1");
        if (records.isEmpty()) {
            findings.add(DomainFinding.of(Severity.INFO, Area.BIMI, "bimi-absent", "no BIMI record at " + name));
            return findings;
        }
        findings.add(DomainFinding.of(Severity.INFO, Area.BIMI, "bimi-present", "BIMI record at " + name + ": " + records.getFirst().text()));
        if (dmarcPolicy.isPresent() && dmarcPolicy.get() == Policy.NONE) {
            findings.add(DomainFinding.of(Severity.WARNING, Area.BIMI, "bimi-without-enforcement",
                    "a BIMI record with DMARC p=none: mailbox providers show the logo only under p=quarantine or p=reject"));
        }
        return findings;
    }
}
