/**
 * The report store: DMARC aggregate and failure reports and SMTP TLS reports kept in SQL, in a SQLite file by
 * default or in PostgreSQL for a fleet, behind {@link dev.sekisho.store.ReportStore}. Plain JDBC, versioned
 * migrations (resources dev/sekisho/store/DIALECT/V*.sql), one transaction per report.
 */
package dev.sekisho.store;
