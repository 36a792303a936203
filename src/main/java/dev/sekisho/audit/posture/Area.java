package dev.sekisho.audit.posture;

import java.util.Locale;

/** What part of a domain's mail posture a finding is about. */
public enum Area {
    DOMAIN, SPF, DMARC, MX, MTA_STS, TLS_RPT, BIMI;

    /** "domain", "spf", "dmarc", "mx", "mta-sts", "tls-rpt", "bimi". */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
