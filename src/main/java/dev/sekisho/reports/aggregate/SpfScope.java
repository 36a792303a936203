package dev.sekisho.reports.aggregate;

/** The identity SPF checked (RFC 7489 appendix C SPFDomainScope; RFC 9990 keeps only mfrom). */
public enum SpfScope {
    HELO, MFROM
}
