package dev.sekisho.reports.enrichment;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Where enrichments are cached, beside the reports whose sources they describe (the report store implements it). */
public interface EnrichmentStore {

    /**
     * The distinct source addresses of stored aggregate records that need one of {@code parts}: never looked up, looked
     * up before {@code staleBefore}, or, for reverse DNS, unknown last time (a temporary failure is asked again).
     * In address text order.
     */
    List<String> sourcesDue(Set<EnrichmentPart> parts, Instant staleBefore);

    /** Writes each enrichment's present parts in one transaction; absent parts keep what was stored. */
    void save(Collection<SourceEnrichment> enrichments);

    /** What is stored about these addresses; an address without anything stored is missing from the map. */
    Map<String, SourceEnrichment> find(Collection<String> ips);
}
