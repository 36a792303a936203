/**
 * DMARC failure reports in the Abuse Reporting Format (RFC 5965, RFC 6591 for authentication failures,
 * RFC 7489 7.3): {@link dev.sekisho.reports.failure.FailureReportParser} reads the message/feedback-report
 * fields and the headers of the reported message into a {@link dev.sekisho.reports.failure.FailureReport}.
 */
package dev.sekisho.reports.failure;
