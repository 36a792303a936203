package dev.sekisho.reports.aggregate;

/** A DKIM verification result in auth_results (RFC 7489 appendix C DKIMResultType, RFC 8601 2.7.1). */
public enum DkimResult {
    NONE, PASS, FAIL, POLICY, NEUTRAL, TEMPERROR, PERMERROR
}
