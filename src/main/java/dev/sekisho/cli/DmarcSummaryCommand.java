package dev.sekisho.cli;

import dev.sekisho.reports.analysis.DmarcSummary;
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
                "Reverse DNS, country and ASN columns stay empty until source enrichment is built."})
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
        try (ReportStore reports = store.openExisting()) {
            summary = DmarcSummary.of(reports.recordGroups(new RecordFilter(d, from)), top);
        }
        DmarcTable dispositions = new DmarcTable("disposition", "messages", "share");
        summary.dispositions().forEach((k, v) -> dispositions.row(k, v, share(v, summary.messages())));
        DmarcTable rates = new DmarcTable("check", "passed", "share");
        summary.rates().forEach(r -> rates.row(r.name(), r.passed(), r.fraction()));
        DmarcTable sources = new DmarcTable("ip", "messages", "share", "reverse_dns", "country", "asn");
        summary.topSources().forEach(s -> sources.row(s.ip(), s.messages(), s.fraction(), null, null, null));

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
                object.put("enrichment", "not built yet: reverse_dns, country and asn are null");
                out.println(DmarcTable.json(object));
            }
            case CSV -> {
                // One table in long form, so that every row has the same columns.
                DmarcTable all = new DmarcTable("section", "item", "messages", "share", "reverse_dns", "country", "asn");
                summary.dispositions().forEach((k, v) -> all.row("disposition", k, v, share(v, summary.messages()), null, null, null));
                summary.rates().forEach(r -> all.row("pass", r.name(), r.passed(), r.fraction(), null, null, null));
                summary.topSources().forEach(s -> all.row("top-source", s.ip(), s.messages(), s.fraction(), null, null, null));
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
                out.println("Top sources (reverse DNS, country and ASN: empty until source enrichment is built)");
                sources.printTable(out);
            }
        }
        return 0;
    }

    private static double share(long part, long total) {
        return total == 0 ? 0 : (double) part / total;
    }
}
