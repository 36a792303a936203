package dev.sekisho.audit.posture;

import dev.sekisho.dns.DnsRecord;
import dev.sekisho.dns.DnsResolver;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The MTA-STS part of the posture audit (RFC 8461): the _mta-sts TXT record and, when a fetcher is given, the policy file. */
final class MtaStsPosture {
    private static final long ONE_WEEK = Duration.ofDays(7).toSeconds();

    private final DnsResolver resolver;
    private final Optional<MtaStsPolicyFetcher> fetcher;

    MtaStsPosture(DnsResolver resolver, Optional<MtaStsPolicyFetcher> fetcher) {
        this.resolver = resolver;
        this.fetcher = fetcher;
    }

    List<DomainFinding> check(String domain, List<String> mxHosts) {
        List<DomainFinding> findings = new ArrayList<>();
        String name = "_mta-sts." + domain;
        TxtQuery txt = TxtQuery.ask(resolver, name);
        if (txt instanceof TxtQuery.Failed f) {
            findings.add(DomainFinding.couldNotCheck(Area.MTA_STS, "MTA-STS", f.reason()));
            return findings;
        }
        // RFC 8461 3.1: records that do not begin with "v=STSv1;" are discarded; not exactly one left means no policy.
        List<DnsRecord.Txt> records = txt.startingWith("v=STSv1");
        if (records.isEmpty()) {
            findings.add(DomainFinding.of(Severity.INFO, Area.MTA_STS, "mta-sts-missing",
                    "no MTA-STS record at " + name + ": senders may deliver without TLS or to an impostor (RFC 8461 1); publish a policy at https://mta-sts."
                            + domain + "/.well-known/mta-sts.txt and announce it with", RecordToPublish.txt(name, "v=STSv1; id=" + "20260101T000000;")));
            return findings;
        }
        if (records.size() > 1) {
            findings.add(DomainFinding.of(Severity.ERROR, Area.MTA_STS, "mta-sts-multiple-records",
                    records.size() + " v=STSv1 records at " + name + ": RFC 8461 3.1: senders assume there is no policy"));
            return findings;
        }
        Optional<String> problem = recordProblem(records.getFirst().text());
        if (problem.isPresent()) {
            findings.add(DomainFinding.of(Severity.ERROR, Area.MTA_STS, "mta-sts-invalid-record",
                    problem.get() + " (RFC 8461 3.1): senders assume there is no policy: " + records.getFirst().text()));
            return findings;
        }
        fetcher.ifPresent(f -> policy(domain, f.fetch(domain), mxHosts, findings));
        return findings;
    }

    /** RFC 8461 3.1: sts-text-record = sts-version 1*(sts-sep sts-field) [sts-sep]; sts-id = "id=" 1*32(ALPHA / DIGIT). */
    static Optional<String> recordProblem(String text) {
        String[] fields = text.split(";");
        if (!fields[0].strip().equals("v=STSv1")) return Optional.of("the record must start with v=STSv1");
        String id = null;
        for (int i = 1; i < fields.length; i++) {
            String field = fields[i].strip();
            if (field.isEmpty()) continue;
            int eq = field.indexOf('=');
            if (eq <= 0) return Optional.of("\"" + field + "\" is not name=value");
            if (field.substring(0, eq).equals("id") && id == null) id = field.substring(eq + 1);
        }
        if (id == null) return Optional.of("no id field");
        if (!id.matches("[A-Za-z0-9]{1,32}")) return Optional.of("id must be 1-32 letters and digits, was \"" + id + "\"");
        return Optional.empty();
    }

    private static void policy(String domain, MtaStsPolicyFetcher.Outcome outcome, List<String> mxHosts, List<DomainFinding> findings) {
        switch (outcome) {
            case MtaStsPolicyFetcher.Outcome.Failed f -> findings.add(DomainFinding.of(Severity.WARNING, Area.MTA_STS, "mta-sts-policy-unavailable",
                    "the TXT record announces a policy, but " + f.url() + " could not be fetched: " + f.reason()
                            + " (RFC 8461 3.3: senders then apply no policy)"));
            case MtaStsPolicyFetcher.Outcome.Fetched fetched -> {
                MtaStsPolicy policy = MtaStsPolicy.parse(fetched.text());
                if (!policy.problems().isEmpty()) {
                    findings.add(DomainFinding.of(Severity.ERROR, Area.MTA_STS, "mta-sts-policy-invalid",
                            fetched.url() + ": " + String.join("; ", policy.problems()) + " (RFC 8461 3.2: senders ignore the policy)"));
                    return;
                }
                String mode = policy.mode().orElseThrow();
                if (mode.equals("none")) {
                    findings.add(DomainFinding.of(Severity.WARNING, Area.MTA_STS, "mta-sts-mode-none",
                            "policy mode none: the policy is withdrawn (RFC 8461 5)"));
                } else if (mode.equals("testing")) {
                    findings.add(DomainFinding.of(Severity.INFO, Area.MTA_STS, "mta-sts-mode-testing",
                            "policy mode testing: failures are reported (TLS-RPT) but mail is still delivered (RFC 8461 5)"));
                }
                if (!mode.equals("none")) {
                    for (String host : mxHosts) {
                        if (!policy.matches(host)) {
                            findings.add(DomainFinding.of(Severity.ERROR, Area.MTA_STS, "mta-sts-mx-not-in-policy",
                                    "MX " + host + " matches no mx line of the policy (" + String.join(", ", policy.mx())
                                            + "): senders enforcing it will not deliver there (RFC 8461 4.1)"));
                        }
                    }
                }
                if (policy.maxAge().getAsLong() < ONE_WEEK) {
                    findings.add(DomainFinding.of(Severity.INFO, Area.MTA_STS, "mta-sts-short-max-age",
                            "max_age " + policy.maxAge().getAsLong() + " s is less than a week; RFC 8461 3.2 recommends weeks or more"));
                }
            }
        }
    }
}
