package dev.sekisho.cli;

import dev.sekisho.reports.analysis.DmarcSummary;
import dev.sekisho.reports.enrichment.SourceEnrichment;
import dev.sekisho.store.RecordFilter;
import dev.sekisho.store.ReportStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** {@code sekisho dmarc summary}: messages by disposition, pass rates and the top sources. */
@Command(name = "summary", mixinStandardHelpOptions = true,
        description = {"Messages by disposition; DMARC, SPF and DKIM pass rates, aligned and for any domain; the top sources by volume.",
                "The top sources show what enrichment found (dmarc import): reverse DNS (confirmed, unconfirmed, no-ptr, unknown), the base "
                        + "domain of a confirmed name, country, AS number and organisation; '-' where nothing is known."})
final class DmarcSummaryCommand extends DmarcSubcommand {
    @Option(names = "--domain", paramLabel = "DOMAIN", description = "Only mail with this From domain or a subdomain of it.")
    String domain;
    @Option(names = "--since", paramLabel = "DATE", description = "Only reports whose period ends after DATE (2024-05-01, UTC, or an instant).")
    String since;
    @Option(names = "--top", paramLabel = "N", defaultValue = "10", description = "How many top sources (default ${DEFAULT-VALUE}).")
    int top;

    @Override
    int run(PrintWriter out, PrintWriter err) {
        DmarcTable.Format format = store.format();
        if (top < 0) throw new IllegalArgumentException("--top must not be negative, was " + top);
        Optional<String> d = Optional.ofNullable(domain).map(v -> domain("--domain", v));
        Optional<Instant> from = since(since);
        DmarcSummary summary;
        Map<String, SourceEnrichment> enrichments;
        try (ReportStore reports = store.openExisting()) {
            summary = DmarcSummary.of(reports.recordGroups(new RecordFilter(d, from)), top);
            enrichments = reports.enrichments().find(summary.topSources().stream().map(DmarcSummary.TopSource::ip).toList());
        }
        DmarcTable dispositions = new DmarcTable("disposition", "messages", "share");
        summary.dispositions().forEach((k, v) -> dispositions.row(k, v, share(v, summary.messages())));
        DmarcTable rates = new DmarcTable("check", "passed", "share");
        summary.rates().forEach(r -> rates.row(r.name(), r.passed(), r.fraction()));
        DmarcTable sources = new DmarcTable(EnrichmentColumns.header("ip", "messages", "share"));
        summary.topSources().forEach(s -> sources.row(EnrichmentColumns.row(enrichments, s.ip(), s.ip(), s.messages(), s.fraction())));

        switch (format) {
            case JSON -> {
                Map<String, Object> object = new LinkedHashMap<>();
                object.put("domain", d.orElse(null));
                object.put("since", from.map(Instant::toString).orElse(null));
                object.put("messages", summary.messages());
                object.put("sources", summary.sources());
                object.put("dispositions", dispositions.objects());
                object.put("rates", rates.objects());
                object.put("topSources", sources.objects());
                out.println(DmarcTable.json(object));
            }
            case CSV -> {
                // One table in long form, so that every row has the same columns.
                DmarcTable all = new DmarcTable(EnrichmentColumns.header("section", "item", "messages", "share"));
                Map<String, SourceEnrichment> none = Map.of();
                summary.dispositions().forEach((k, v) -> all.row(EnrichmentColumns.row(none, k, "disposition", k, v, share(v, summary.messages()))));
                summary.rates().forEach(r -> all.row(EnrichmentColumns.row(none, r.name(), "pass", r.name(), r.passed(), r.fraction())));
                summary.topSources().forEach(s -> all.row(EnrichmentColumns.row(enrichments, s.ip(), "top-source", s.ip(), s.messages(), s.fraction())));
                all.printCsv(out, true);
            }
            case TABLE -> {
                out.printf("%d messages from %d sources%s%s%n%n", summary.messages(), summary.sources(),
                        d.map(v -> ", From domain " + v + " and its subdomains").orElse(""),
                        from.map(v -> ", reports ending after " + v).orElse(""));
                dispositions.printTable(out);
                out.println();
                out.println("Pass rates (aligned: for a domain aligned with the From domain, RFC 7489 3.1; dmarc: either aligned)");
                rates.printTable(out);
                out.println();
                out.println("Top sources (reverse DNS: confirmed when the PTR name resolves back to the address; '-': not looked up, see dmarc import --enrich)");
                sources.printTable(out);
            }
        }
        return 0;
    }

    private static double share(long part, long total) {
        return total == 0 ? 0 : (double) part / total;
    }
}
