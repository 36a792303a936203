package dev.sekisho.reports.enrichment;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
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
    private static final List<String> WORD_ORDER = List.of("confirmed", "unconfirmed", "no-ptr", "unknown");

    public EnrichmentTally {
        Map<String, Integer> ordered = new LinkedHashMap<>();
        for (String word : WORD_ORDER) if (reverseDns.containsKey(word)) ordered.put(word, reverseDns.get(word));
        reverseDns.forEach(ordered::putIfAbsent);
        reverseDns = Collections.unmodifiableMap(ordered);
    }

    public static EnrichmentTally nothing() {
        return new EnrichmentTally(0, 0, 0, Map.of(), 0, 0);
    }

    /**
     * This run followed by {@code later} (a watch enriches after each drained mailbox): counts add up, except
     * {@code outOfTime}, which is what the later run left, since a later run takes up what an earlier one left.
     */
    public EnrichmentTally then(EnrichmentTally later) {
        Map<String, Integer> words = new LinkedHashMap<>(reverseDns);
        later.reverseDns.forEach((word, n) -> words.merge(word, n, Integer::sum));
        return new EnrichmentTally(due + later.due, enriched + later.enriched, later.outOfTime, words,
                geoFound + later.geoFound, geoMissing + later.geoMissing);
    }
}
