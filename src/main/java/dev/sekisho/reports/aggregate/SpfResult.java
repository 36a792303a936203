package dev.sekisho.reports.aggregate;

/** An SPF result in auth_results (RFC 7489 appendix C SPFResultType, RFC 7208 2.6). */
public enum SpfResult {
    NONE, NEUTRAL, PASS, FAIL, SOFTFAIL, TEMPERROR, PERMERROR
}
