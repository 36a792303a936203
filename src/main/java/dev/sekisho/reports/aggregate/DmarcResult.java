package dev.sekisho.reports.aggregate;

/** The DMARC-aligned DKIM or SPF verdict in policy_evaluated (RFC 7489 appendix C DMARCResultType). */
public enum DmarcResult {
    PASS, FAIL
}
