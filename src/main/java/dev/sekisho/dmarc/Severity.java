package dev.sekisho.dmarc;

/** How much a {@link Finding} matters. */
public enum Severity {
    /** Receivers will ignore the record, or the tag the finding names. */
    ERROR,
    /** Receivers will ignore it under one of the two specifications, or it is risky as published. */
    WARNING,
    /** Worth knowing; nothing is ignored because of it. */
    INFO
}
