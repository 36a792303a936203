package dev.sekisho.reports.analysis;

import dev.sekisho.store.RecordGroup;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Messages by disposition, pass rates and the top sources of a set of aggregate records.
 *
 * @param messages      all messages
 * @param sources       distinct source addresses
 * @param dispositions  messages per disposition ("none", "quarantine", "reject", then "pass" when any), in that order
 * @param rates         pass rates: DMARC, SPF aligned, SPF any domain, DKIM aligned, DKIM any domain
 * @param topSources    the sources with the most messages, at most the number asked for
 */
public record DmarcSummary(long messages, long sources, Map<String, Long> dispositions, List<Rate> rates, List<TopSource> topSources) {
    public DmarcSummary {
        dispositions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(dispositions));
        rates = List.copyOf(rates);
        topSources = List.copyOf(topSources);
    }

    /**
     * A pass rate.
     *
     * @param name   e.g. "dmarc", "spf-aligned", "spf", "dkim-aligned", "dkim"
     * @param passed messages that passed
     * @param total  all messages
     */
    public record Rate(String name, long passed, long total) {
        public Rate {
            Objects.requireNonNull(name, "name");
        }

        /** The share that passed, 0 to 1; 0 without messages. */
        public double fraction() {
            return total == 0 ? 0 : (double) passed / total;
        }
    }

    /**
     * A source by volume. What enrichment found about it is in the store ({@code ReportStore.enrichments()}).
     *
     * @param ip       the address
     * @param messages its messages
     * @param fraction its share of all messages
     */
    public record TopSource(String ip, long messages, double fraction) {
        public TopSource {
            Objects.requireNonNull(ip, "ip");
        }
    }

    public static DmarcSummary of(List<RecordGroup> groups, int top) {
        if (top < 0) throw new IllegalArgumentException("top must not be negative: " + top);
        long messages = 0, dmarc = 0, spfAligned = 0, spf = 0, dkimAligned = 0, dkim = 0;
        Map<String, Long> dispositions = new LinkedHashMap<>();
        for (String d : List.of("none", "quarantine", "reject")) dispositions.put(d, 0L);
        Map<String, Long> byIp = new LinkedHashMap<>();
        for (RecordGroup g : groups) {
            long n = g.messages();
            messages += n;
            dispositions.merge(g.disposition(), n, Long::sum);
            if (g.dmarcPass()) dmarc += n;
            if (g.spfAligned()) spfAligned += n;
            if (g.spfPass()) spf += n;
            if (g.dkimAligned()) dkimAligned += n;
            if (g.dkimPass()) dkim += n;
            byIp.merge(g.sourceIp(), n, Long::sum);
        }
        long total = messages;
        List<TopSource> topSources = byIp.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(top).map(e -> new TopSource(e.getKey(), e.getValue(), total == 0 ? 0 : (double) e.getValue() / total)).toList();
        return new DmarcSummary(messages, byIp.size(), dispositions,
                List.of(new Rate("dmarc", dmarc, messages), new Rate("spf-aligned", spfAligned, messages), new Rate("spf", spf, messages),
                        new Rate("dkim-aligned", dkimAligned, messages), new Rate("dkim", dkim, messages)),
                topSources);
    }
}
