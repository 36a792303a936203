package dev.sekisho.audit.posture;

import dev.sekisho.dns.DnsRecord;
import dev.sekisho.dns.DnsResolver;
import dev.sekisho.spf.SpfExpander;
import dev.sekisho.spf.SpfExpansion;
import dev.sekisho.spf.SpfRecord;
import dev.sekisho.spf.SpfSyntaxException;

import java.util.ArrayList;
import java.util.List;

/** The SPF part of the posture audit (RFC 7208). */
final class SpfPosture {
    static final String PARKED_RECORD = "v=spf1 -all";
    private static final int UDP_ANSWER_LIMIT = 512;
    private static final int LOOKUP_LIMIT = 10;
    private static final int VOID_LOOKUP_LIMIT = 2;

    private final DnsResolver resolver;

    SpfPosture(DnsResolver resolver) {
        this.resolver = resolver;
    }

    List<DomainFinding> check(String domain, DomainPosture.MailStatus mail) {
        List<DomainFinding> findings = new ArrayList<>();
        boolean parked = mail == DomainPosture.MailStatus.NO_MAIL || mail == DomainPosture.MailStatus.NULL_MX;
        TxtQuery txt = TxtQuery.ask(resolver, domain);
        if (txt instanceof TxtQuery.Failed f) {
            // RFC 7208 4.4: a DNS failure is temperror, not "no record".
            findings.add(DomainFinding.couldNotCheck(Area.SPF, "SPF", f.reason()));
            return findings;
        }
        // RFC 7208 4.5: records are selected by "v=spf1" followed by a space or the end.
        List<DnsRecord.Txt> spf = txt instanceof TxtQuery.Records r
                ? r.records().stream().filter(t -> SpfRecord.isSpfRecord(t.text())).toList() : List.of();
        if (spf.isEmpty()) {
            if (parked) {
                findings.add(DomainFinding.of(Severity.ERROR, Area.SPF, "spf-missing",
                        "no SPF record: anyone can send as " + domain + "; a domain without mail says so with " + PARKED_RECORD,
                        RecordToPublish.txt(domain, PARKED_RECORD)));
            } else {
                String suggestion = mail == DomainPosture.MailStatus.ADDRESS_FALLBACK ? "v=spf1 a -all" : "v=spf1 mx -all";
                findings.add(DomainFinding.of(Severity.ERROR, Area.SPF, "spf-missing",
                        "no SPF record (RFC 7208 4.5: receivers get none); list the hosts that send mail for " + domain
                                + " (the suggested record authorises the " + (suggestion.contains(" a ") ? "domain's address" : "MX hosts") + ")",
                        RecordToPublish.txt(domain, suggestion)));
            }
            return findings;
        }
        if (spf.size() > 1) {
            findings.add(DomainFinding.of(Severity.ERROR, Area.SPF, "spf-multiple-records",
                    spf.size() + " SPF records; RFC 7208 4.5: receivers return permerror, so none applies; merge them into one"));
            return findings;
        }
        DnsRecord.Txt record = spf.getFirst();
        TxtQuery.Records all = (TxtQuery.Records) txt;
        if (all.answerOctets() > UDP_ANSWER_LIMIT) {
            findings.add(DomainFinding.of(Severity.WARNING, Area.SPF, "spf-answer-too-large",
                    "the TXT answer for " + domain + " is " + all.answerOctets() + " octets, more than " + UDP_ANSWER_LIMIT
                            + " (RFC 7208 3.4): receivers need TCP or EDNS, and some give temperror; shorten the record or move terms into an include"));
        }
        if (record.strings().size() > 1) {
            // RFC 7208 3.3: a record split into character-strings (each at most 255 octets) is read joined without separators.
            findings.add(DomainFinding.of(Severity.INFO, Area.SPF, "spf-split-record",
                    "the record is published as " + record.strings().size() + " character-strings, which receivers join without spaces (RFC 7208 3.3)"));
        }
        try {
            SpfRecord.parse(record.text());
        } catch (SpfSyntaxException e) {
            findings.add(DomainFinding.of(Severity.ERROR, Area.SPF, "spf-syntax",
                    "syntax error: " + e.getMessage() + " (RFC 7208 4.6: receivers return permerror): " + record.text()));
            return findings;
        }
        SpfExpansion expansion = new SpfExpander(resolver).expand(domain);
        if (expansion.lookups() > LOOKUP_LIMIT) {
            findings.add(DomainFinding.of(Severity.ERROR, Area.SPF, "spf-too-many-lookups",
                    "evaluating the record needs " + expansion.lookups() + " DNS lookups, more than " + LOOKUP_LIMIT
                            + " (RFC 7208 4.6.4): receivers return permerror; flatten includes or drop unused ones"));
        }
        if (expansion.voidLookups() > VOID_LOOKUP_LIMIT) {
            findings.add(DomainFinding.of(Severity.ERROR, Area.SPF, "spf-too-many-void-lookups",
                    expansion.voidLookups() + " lookups find nothing, more than " + VOID_LOOKUP_LIMIT
                            + " (RFC 7208 4.6.4): receivers return permerror; remove the terms naming hosts that do not exist"));
        } else if (expansion.voidLookups() > 0) {
            findings.add(DomainFinding.of(Severity.WARNING, Area.SPF, "spf-void-lookup",
                    expansion.voidLookups() + " lookup(s) find nothing (RFC 7208 4.6.4 allows " + VOID_LOOKUP_LIMIT
                            + "): a term names a host without A/AAAA or MX records"));
        }
        for (String problem : expansion.problems()) {
            if (problem.startsWith("needs ") || problem.contains(" void lookups, more than ")) continue; // reported above
            if (expansion.temporaryFailures().contains(problem)) {
                findings.add(DomainFinding.couldNotCheck(Area.SPF, "part of the SPF record", problem));
            } else {
                findings.add(DomainFinding.of(Severity.ERROR, Area.SPF, "spf-broken", problem));
            }
        }
        for (SpfExpansion.Unexpanded u : expansion.unexpanded()) {
            if (u.term().replaceFirst("^[-+~?]", "").regionMatches(true, 0, "ptr", 0, 3)) {
                findings.add(DomainFinding.of(Severity.WARNING, Area.SPF, "spf-ptr",
                        u.term() + " in " + u.domain() + ": ptr is slow and unreliable and SHOULD NOT be used (RFC 7208 5.5); list the networks instead"));
            }
        }
        SpfRecord.Qualifier allQualifier = expansion.all().orElse(null);
        if (allQualifier == SpfRecord.Qualifier.PASS) {
            findings.add(DomainFinding.of(Severity.ERROR, Area.SPF, "spf-pass-all",
                    "+all authorises every host on the internet to send as " + domain + " (RFC 7208 5.1)"));
        } else if (allQualifier == SpfRecord.Qualifier.NEUTRAL) {
            findings.add(DomainFinding.of(Severity.WARNING, Area.SPF, "spf-neutral-all",
                    "?all says nothing about unlisted hosts (RFC 7208 8.2), so SPF never fails for spoofed mail; end with ~all or -all"));
        } else if (allQualifier == null && expansion.problems().isEmpty()) {
            findings.add(DomainFinding.of(Severity.WARNING, Area.SPF, "spf-no-all",
                    "the record ends without all or redirect: unlisted hosts get neutral (RFC 7208 4.7); end with ~all or -all"));
        }
        if (parked && (!expansion.passing().isEmpty() || allQualifier != SpfRecord.Qualifier.FAIL || !expansion.unexpanded().isEmpty())) {
            findings.add(DomainFinding.of(Severity.WARNING, Area.SPF, "spf-parked-authorises",
                    domain + " has no mail, but its SPF record does not fail every host: " + record.text(),
                    RecordToPublish.txt(domain, PARKED_RECORD)));
        }
        return findings;
    }
}
