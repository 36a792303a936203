/**
 * SMTP TLS reports (RFC 8460 4): {@link dev.sekisho.reports.tls.TlsReportParser} reads the JSON with
 * Jackson's streaming parser into a {@link dev.sekisho.reports.tls.TlsReport}.
 */
package dev.sekisho.reports.tls;
