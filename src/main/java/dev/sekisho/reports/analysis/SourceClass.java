package dev.sekisho.reports.analysis;

import java.util.Locale;

/** What a sending source is to the domain owner. */
public enum SourceClass {
    /** Passes DMARC: SPF or DKIM authenticated a domain aligned with the From domain (RFC 7489 6.6.2). */
    AUTHORISED,
    /**
     * Relays the domain's mail: DKIM still passes aligned while SPF passes for no domain at all (forwarding keeps the
     * signature and breaks SPF; RFC 7960 describes these indirect flows), the receiver reported a forwarding override
     * (RFC 7489 appendix C PolicyOverrideType: forwarded, trusted_forwarder, mailing_list), or the address is on
     * the operator's list of known forwarders.
     */
    FORWARDED,
    /** Fails both aligned SPF and aligned DKIM, and is no known forwarder. */
    SPOOFING;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
