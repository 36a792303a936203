package dev.sekisho.reports.enrichment;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one enrichment run did.
 *
 * @param due        source addresses that needed a part
 * @param enriched   addresses looked up and saved
 * @param outOfTime  addresses left for the next run because the run's time budget was spent
 * @param reverseDns addresses per reverse DNS outcome word (confirmed, unconfirmed, no-ptr, unknown), in that order
 * @param geoFound   addresses with a country or an AS
 * @param geoMissing addresses the databases know nothing about
 */
public record EnrichmentTally(int due, int enriched, int outOfTime, Map<String, Integer> reverseDns, int geoFound, int geoMissing) {
    public EnrichmentTally {
        reverseDns = Collections.unmodifiableMap(new LinkedHashMap<>(reverseDns));
    }

    public static EnrichmentTally nothing() {
        return new EnrichmentTally(0, 0, 0, Map.of(), 0, 0);
    }
}
