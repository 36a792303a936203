/**
 * The vocabulary every report format shares: where a report came from ({@link dev.sekisho.reports.Origin}),
 * which report it is ({@link dev.sekisho.reports.ReportIdentity}, the key a store deduplicates on), and what
 * went wrong with it ({@link dev.sekisho.reports.Problem}, {@link dev.sekisho.reports.ReportFormatException}).
 *
 * <p>The formats live in sub-packages ({@code aggregate}, {@code failure}, {@code tls}); finding reports in
 * files, folders, archives and mails is {@code source}. docs/dmarc-reports.md describes the whole.
 */
package dev.sekisho.reports;
