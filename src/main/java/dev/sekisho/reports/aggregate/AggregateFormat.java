package dev.sekisho.reports.aggregate;

/** Which specification an aggregate report follows. */
public enum AggregateFormat {
    /** RFC 7489 appendix C, no namespace (or the unofficial http://dmarc.org/dmarc-xml/0.1). */
    RFC7489,
    /** RFC 9990: the namespace urn:ietf:params:xml:ns:dmarc-2.0 (or, without it, version 2.0). */
    RFC9990
}
