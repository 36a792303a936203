package dev.sekisho.store;

/**
 * What a store holds.
 *
 * @param aggregateReports aggregate reports
 * @param records          their records
 * @param messages         the sum of the records' counts
 * @param failureReports   failure reports
 * @param tlsReports       SMTP TLS reports
 * @param schemaVersion    the last migration applied
 */
public record StoreCounts(long aggregateReports, long records, long messages, long failureReports, long tlsReports,
                          int schemaVersion) {
}
