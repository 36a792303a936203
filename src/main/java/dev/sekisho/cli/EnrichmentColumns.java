package dev.sekisho.cli;

import dev.sekisho.reports.enrichment.SourceEnrichment;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The enrichment columns the dmarc commands show for a source address; null (shown "-") where nothing is known. */
final class EnrichmentColumns {
    static final List<String> NAMES = List.of("reverse_dns", "rdns_status", "base_domain", "country", "asn", "as_org");

    private EnrichmentColumns() {
    }

    static List<Object> of(Map<String, SourceEnrichment> enrichments, String ip) {
        SourceEnrichment e = enrichments.getOrDefault(ip, SourceEnrichment.none(ip));
        Optional<SourceEnrichment.Dns> dns = e.dns();
        Optional<SourceEnrichment.Geo> geo = e.geo();
        return java.util.Arrays.asList(
                dns.flatMap(d -> d.reverseDns().ptrName()).orElse(null),
                dns.map(d -> d.reverseDns().word()).orElse(null),
                dns.flatMap(SourceEnrichment.Dns::baseDomain).orElse(null),
                geo.flatMap(g -> g.answer().country()).orElse(null),
                geo.flatMap(g -> g.answer().asn()).orElse(null),
                geo.flatMap(g -> g.answer().asOrganization()).orElse(null));
    }

    /** A row's leading values followed by the enrichment columns. */
    static Object[] row(Map<String, SourceEnrichment> enrichments, String ip, Object... leading) {
        Object[] row = java.util.Arrays.copyOf(leading, leading.length + NAMES.size());
        List<Object> columns = of(enrichments, ip);
        for (int i = 0; i < columns.size(); i++) row[leading.length + i] = columns.get(i);
        return row;
    }

    static String[] header(String... leading) {
        String[] header = java.util.Arrays.copyOf(leading, leading.length + NAMES.size());
        for (int i = 0; i < NAMES.size(); i++) header[leading.length + i] = NAMES.get(i);
        return header;
    }
}
