/**
 * Answers about stored DMARC aggregate reports: totals and pass rates ({@link dev.sekisho.reports.analysis.DmarcSummary}),
 * each source classified ({@link dev.sekisho.reports.analysis.SourceClassifier}, {@link dev.sekisho.reports.analysis.Source}),
 * and whether a domain can move to a stricter policy ({@link dev.sekisho.reports.analysis.PolicyAdvice}).
 * Pure functions over {@link dev.sekisho.store.RecordGroup}s: the store adds records up in SQL, this package judges.
 */
package dev.sekisho.reports.analysis;
