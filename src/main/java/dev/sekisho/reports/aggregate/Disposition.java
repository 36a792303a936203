package dev.sekisho.reports.aggregate;

/**
 * What the receiver did with the messages of a record: RFC 7489 appendix C DispositionType (none,
 * quarantine, reject) and RFC 9990 appendix A ActionDispositionType, which adds pass.
 */
public enum Disposition {
    NONE, PASS, QUARANTINE, REJECT
}
