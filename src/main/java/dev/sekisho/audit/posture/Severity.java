package dev.sekisho.audit.posture;

import java.util.Locale;

/**
 * How much a {@link DomainFinding} matters, in the order findings are listed. A DNS lookup that failed
 * temporarily is {@link #COULD_NOT_CHECK}, a kind of its own: it says nothing about what is published,
 * so it is never reported as "missing".
 */
public enum Severity {
    /** Receivers will reject, ignore or misread what is published, or it lets anyone send as the domain. */
    ERROR,
    /** The DNS did not answer (timeout, SERVFAIL): whether there is a problem is unknown. Ranked above warnings because it may hide an error. */
    COULD_NOT_CHECK,
    /** Risky or weaker than it should be. */
    WARNING,
    /** Worth knowing; nothing is wrong. */
    INFO;

    /** "error", "could not check", "warning", "info". */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
}
