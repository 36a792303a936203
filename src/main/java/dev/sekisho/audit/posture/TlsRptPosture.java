package dev.sekisho.audit.posture;

import dev.sekisho.dns.DnsRecord;
import dev.sekisho.dns.DnsResolver;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The SMTP TLS Reporting part of the posture audit (RFC 8460 3): the _smtp._tls TXT record. */
final class TlsRptPosture {
    private final DnsResolver resolver;

    TlsRptPosture(DnsResolver resolver) {
        this.resolver = resolver;
    }

    List<DomainFinding> check(String domain) {
        List<DomainFinding> findings = new ArrayList<>();
        String name = "_smtp._tls." + domain;
        TxtQuery txt = TxtQuery.ask(resolver, name);
        if (txt instanceof TxtQuery.Failed f) {
            findings.add(DomainFinding.couldNotCheck(Area.TLS_RPT, "TLS-RPT", f.reason()));
            return findings;
        }
        // RFC 8460 3: records not beginning with "v=TLSRPTv1;" are discarded; not exactly one left means no reporting.
        List<DnsRecord.Txt> records = txt.startingWith("v=TLSRPTv1");
        if (records.isEmpty()) {
            findings.add(DomainFinding.of(Severity.INFO, Area.TLS_RPT, "tls-rpt-missing",
                    "no TLS-RPT record at " + name + ": senders cannot tell you when TLS to your MX fails (RFC 8460)",
                    RecordToPublish.txt(name, "v=TLSRPTv1; rua=mailto:tls-reports@" + domain)));
            return findings;
        }
        if (records.size() > 1) {
            findings.add(DomainFinding.of(Severity.ERROR, Area.TLS_RPT, "tls-rpt-multiple-records",
                    records.size() + " v=TLSRPTv1 records at " + name + ": RFC 8460 3: senders assume no reporting"));
            return findings;
        }
        recordProblem(records.getFirst().text()).ifPresent(p -> findings.add(DomainFinding.of(Severity.ERROR, Area.TLS_RPT,
                "tls-rpt-invalid-record", p + " (RFC 8460 3): " + records.getFirst().text())));
        return findings;
    }

    /** RFC 8460 3: tlsrpt-record = tlsrpt-version 1*(field-delim tlsrpt-field); tlsrpt-rua = "rua=" uri *("," uri), mailto or https. */
    static Optional<String> recordProblem(String text) {
        String[] fields = text.split(";");
        if (!fields[0].strip().equals("v=TLSRPTv1")) return Optional.of("the record must start with v=TLSRPTv1");
        String rua = null;
        for (int i = 1; i < fields.length; i++) {
            String field = fields[i].strip();
            if (field.isEmpty()) continue;
            int eq = field.indexOf('=');
            if (eq <= 0) return Optional.of("\"" + field + "\" is not name=value");
            if (field.substring(0, eq).strip().equals("rua") && rua == null) rua = field.substring(eq + 1).strip();
        }
        if (rua == null || rua.isEmpty()) return Optional.of("no rua field: reports have nowhere to go");
        for (String uri : rua.split(",")) {
            String u = uri.strip();
            boolean mailto = u.startsWith("mailto:") && u.indexOf('@') > "mailto:".length() && u.indexOf('@') < u.length() - 1;
            boolean https = u.startsWith("https://") && u.length() > "https://".length();
            if (!mailto && !https) return Optional.of("rua \"" + u + "\" is neither a mailto: address nor an https: URL");
        }
        return Optional.empty();
    }
}
