package dev.sekisho.dmarc;

/** The adkim and aspf values (RFC 7489 3.1, RFC 9989 4.4). */
public enum AlignmentMode {
    /** "r": the two domains have the same organisational domain. */
    RELAXED,
    /** "s": the two domains are identical. */
    STRICT
}
