/**
 * DMARC aggregate reports, RFC 7489 appendix C and RFC 9990 (namespace urn:ietf:params:xml:ns:dmarc-2.0),
 * read as a stream: {@link dev.sekisho.reports.aggregate.AggregateReportParser} hands the report's metadata
 * and published policy, then each record, to an {@link dev.sekisho.reports.aggregate.AggregateReportHandler},
 * so memory stays flat whatever the size of the report. XML is read by the JDK's StAX with DTDs and
 * external entities refused.
 */
package dev.sekisho.reports.aggregate;
