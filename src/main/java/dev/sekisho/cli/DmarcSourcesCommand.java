package dev.sekisho.cli;

import dev.sekisho.reports.analysis.Source;
import dev.sekisho.reports.enrichment.SourceEnrichment;
import dev.sekisho.reports.analysis.SourceClassifier;
import dev.sekisho.store.RecordFilter;
import dev.sekisho.store.ReportStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code sekisho dmarc sources}: every source that sent as a domain, classified. */
@Command(name = "sources", mixinStandardHelpOptions = true,
        description = "Each source IP that sent mail as the domain: authorised (passes aligned SPF or DKIM), forwarded (aligned DKIM "
                + "survives while SPF passes for nobody, a forwarding override in the report, or --forwarder), or spoofing (fails both); "
                + "with messages, DMARC passes and failures, first and last seen, and what enrichment found (dmarc import): reverse DNS "
                + "(confirmed, unconfirmed, no-ptr, unknown), the base domain of a confirmed name, country, AS number and organisation.")
final class DmarcSourcesCommand extends DmarcSubcommand {
    @Option(names = "--domain", required = true, paramLabel = "DOMAIN", description = "The From domain (its subdomains included).")
    String domain;
    @Option(names = "--since", paramLabel = "DATE", description = "Only reports whose period ends after DATE (2024-05-01, UTC, or an instant).")
    String since;
    @Option(names = "--forwarder", paramLabel = "NETWORK", description = "An address or network of a known forwarder (repeatable), e.g. 192.0.2.0/24.")
    List<String> forwarders = new ArrayList<>();

    @Override
    int run(PrintWriter out, PrintWriter err) {
        DmarcTable.Format format = store.format();
        String d = domain("--domain", domain);
        Optional<Instant> from = since(since);
        SourceClassifier classifier = SourceClassifier.withKnownForwarders(forwarders);
        List<Source> sources;
        Map<String, SourceEnrichment> enrichments;
        try (ReportStore reports = store.openExisting()) {
            sources = Source.of(reports.recordGroups(new RecordFilter(Optional.of(d), from)), classifier);
            enrichments = reports.enrichments().find(sources.stream().map(Source::ip).toList());
        }
        DmarcTable table = new DmarcTable(EnrichmentColumns.header("ip", "class", "messages", "dmarc_pass", "dmarc_fail", "from_domains",
                "first_seen", "last_seen"));
        for (Source s : sources) {
            table.row(EnrichmentColumns.row(enrichments, s.ip(), s.ip(), s.sourceClass().label(), s.messages(), s.dmarcPass(), s.dmarcFail(),
                    String.join(" ", s.fromDomains()), s.firstSeen().toString(), s.lastSeen().toString()));
        }
        switch (format) {
            case JSON -> out.println(DmarcTable.json(table.objects()));
            case CSV -> table.printCsv(out, true);
            case TABLE -> {
                if (sources.isEmpty()) out.println("no mail from " + d + " in the stored reports");
                else table.printTable(out);
            }
        }
        return 0;
    }
}
