package dev.sekisho.dmarc;

/** The psd tag (RFC 9989 4.7): whether the record's domain is a public suffix domain. */
public enum PsdFlag {
    /** psd=y: a public suffix domain; its organisational domains are one label below it. */
    YES,
    /** psd=n: not a public suffix domain, and the organisational domain for itself and its subdomains. */
    NO,
    /** psd=u, the default: let the DNS tree walk decide. */
    UNSPECIFIED
}
