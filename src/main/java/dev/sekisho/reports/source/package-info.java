/**
 * Finding reports: {@link dev.sekisho.reports.source.ReportReader} reads files, folders (plain, Maildir),
 * mbox files, mails, zip and gzip archives, nested within bounds ({@link dev.sekisho.reports.source.ReportLimits}),
 * decides each input's format from its content, and hands every report to a
 * {@link dev.sekisho.reports.source.ReportVisitor}; an {@link dev.sekisho.reports.source.ImportSummary} counts the run.
 */
package dev.sekisho.reports.source;
