package dev.sekisho.store;

/**
 * What an import wrote, beside what the reader read ({@link dev.sekisho.reports.source.ImportSummary}).
 *
 * @param aggregateStored     aggregate reports stored now
 * @param aggregateDuplicates aggregate reports already in the store
 * @param failureStored       failure reports stored now
 * @param failureDuplicates   failure reports already in the store
 * @param tlsStored           TLS reports stored now
 * @param tlsDuplicates       TLS reports already in the store
 * @param records             aggregate records stored now
 * @param messages            the sum of their counts
 * @param abandoned           aggregate reports that broke off and were rolled back
 */
public record ImportTally(long aggregateStored, long aggregateDuplicates, long failureStored, long failureDuplicates,
                          long tlsStored, long tlsDuplicates, long records, long messages, long abandoned) {
    public long stored() {
        return aggregateStored + failureStored + tlsStored;
    }

    public long duplicates() {
        return aggregateDuplicates + failureDuplicates + tlsDuplicates;
    }
}
