package dev.sekisho.cli;

import dev.sekisho.reports.Problem;
import dev.sekisho.reports.source.ImportSummary;
import dev.sekisho.reports.source.ReportLimits;
import dev.sekisho.reports.source.ReportReader;
import dev.sekisho.reports.source.ReportVisitor;
import dev.sekisho.store.ImportTally;
import dev.sekisho.store.ReportImporter;
import dev.sekisho.store.ReportStore;
import dev.sekisho.reports.enrichment.EnrichmentPart;
import dev.sekisho.reports.enrichment.EnrichmentTally;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.time.InstantSource;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.stream.Collectors;

/** {@code sekisho dmarc import}: read report files and folders, store what they hold, say what happened. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Read DMARC aggregate and failure reports and SMTP TLS reports from files and folders (.xml, .gz, .zip, .json, .eml, "
                + "mbox, Maildir; the content decides the format) and store them; a report already stored is counted as a duplicate.",
                "Then each source address not looked up recently is enriched (--enrich): forward-confirmed reverse DNS, its base "
                        + "domain, country and AS; bounded by a deadline per lookup and --enrich-budget, so it never holds the import up.",
                "Exit code: 0 when every input was read, 1 when some input was rejected (the rest is stored)."})
final class DmarcImportCommand extends DmarcSubcommand {
    /** How often the progress line is redrawn on a terminal. */
    private static final long PROGRESS_INTERVAL_NANOS = 250_000_000L;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Report files, archives, mails, mbox files or folders.")
    List<Path> paths;

    @Option(names = "--parse-only", description = "Read and parse everything but store nothing (--db is not opened): how fast "
            + "the files alone are decompressed and parsed, the ceiling an import can reach.")
    boolean parseOnly;

    @Mixin
    EnrichOptions enrich = new EnrichOptions();

    @Override
    int run(PrintWriter out, PrintWriter err) {
        DmarcTable.Format format = store.format();
        ImportSummary read;
        ImportTally stored;
        String location;
        boolean terminal = System.console() != null;
        // Built before anything is read, so that a bad option or database fails at once and not after the import.
        Optional<EnrichOptions.Prepared> enricher = parseOnly || enrich.wanted().isEmpty() ? Optional.empty()
                : Optional.of(enrich.prepare(InstantSource.system()));
        EnrichmentTally enriched = EnrichmentTally.nothing();
        if (parseOnly) {
            read = new ReportReader(ReportLimits.defaults()).read(paths, new ReportVisitor() {
            });
            stored = new ImportTally(0, 0, 0, 0, 0, 0, 0, 0, 0);
            location = "none (--parse-only)";
        } else try (ReportStore reports = store.openForImport()) {
            location = reports.location();
            ReportImporter importer = new ReportImporter(reports, terminal ? progress(err) : tally -> {
            });
            read = new ReportReader(ReportLimits.defaults()).read(paths, importer);
            stored = importer.tally();
            if (enricher.isPresent()) {
                // After every report is stored: lookups never slow the parsing, and a lookup that hangs costs only its deadline.
                if (terminal) err.print("\r\033[K");
                enriched = enricher.get().enricher().enrich(reports.enrichments(), enricher.get().settings(),
                        terminal ? enrichProgress(err) : done -> {
                        });
            }
        } finally {
            if (terminal) err.print("\r\033[K");
        }
        switch (format) {
            case JSON -> {
                Map<String, Object> object = json(read, stored, location);
                object.put("enrichment", enrichmentJson(enricher, enriched));
                out.println(DmarcTable.json(object));
            }
            case CSV -> {
                DmarcTable rows = new DmarcTable("section", "name", "value");
                counters(read, stored).forEach((section, values) -> values.forEach((name, value) -> rows.row(section, name, value)));
                read.problems().forEach(p -> rows.row("problem", p.code(), p.toString()));
                if (enricher.isPresent()) {
                    rows.row("enriched", "due", enriched.due());
                    rows.row("enriched", "enriched", enriched.enriched());
                    rows.row("enriched", "outOfTime", enriched.outOfTime());
                    enriched.reverseDns().forEach((word, n) -> rows.row("enriched", "reverseDns." + word, n));
                    rows.row("enriched", "geoFound", enriched.geoFound());
                    rows.row("enriched", "geoMissing", enriched.geoMissing());
                    enricher.get().notes().forEach(note -> rows.row("note", "enrichment", note));
                }
                rows.printCsv(out, true);
            }
            case TABLE -> {
                out.printf("read:       %d files, %d reports (%d aggregate, %d failure, %d TLS), %d records, %d messages%n", read.files(),
                        read.reports(), read.aggregateReports(), read.failureReports(), read.tlsReports(), read.records(), read.messages());
                out.printf("stored:     %d reports (%d aggregate, %d failure, %d TLS), %d records, %d messages%n", stored.stored(),
                        stored.aggregateStored(), stored.failureStored(), stored.tlsStored(), stored.records(), stored.messages());
                out.printf("duplicates: %d reports already stored (%d aggregate, %d failure, %d TLS)%n", stored.duplicates(),
                        stored.aggregateDuplicates(), stored.failureDuplicates(), stored.tlsDuplicates());
                out.printf("skipped:    %d records, %d inputs rejected%n", read.skippedRecords(), read.rejectedInputs());
                for (Problem p : read.problems()) out.println("  " + p);
                if (read.unlistedProblems() > 0) out.printf("  ... and %d more problems%n", read.unlistedProblems());
                out.printf("store:      %s%n", location);
                if (!parseOnly) out.println("enriched:   " + enrichmentLine(enricher, enriched));
                enricher.ifPresent(e -> e.notes().forEach(note -> out.println("  " + note)));
            }
        }
        return read.rejectedInputs() > 0 ? 1 : 0;
    }

    /** The enrichment in one line: how many sources, and what was found. */
    private String enrichmentLine(Optional<EnrichOptions.Prepared> enricher, EnrichmentTally t) {
        if (enricher.isEmpty()) return "off (--no-enrich)";
        EnrichOptions.Prepared e = enricher.get();
        if (e.usable().isEmpty()) return "nothing could be looked up (" + e.partWords() + ")";
        StringBuilder line = new StringBuilder().append(t.enriched()).append(" sources looked up (")
                .append(e.usable().stream().sorted().map(EnrichmentPart::word).collect(Collectors.joining(","))).append(')');
        if (!t.reverseDns().isEmpty()) {
            line.append(": reverse DNS ").append(t.reverseDns().entrySet().stream().map(x -> x.getValue() + " " + x.getKey())
                    .collect(Collectors.joining(", ")));
        }
        if (e.usable().contains(EnrichmentPart.GEO)) {
            line.append(t.reverseDns().isEmpty() ? ": " : "; ").append("GeoIP ").append(t.geoFound()).append(" found, ")
                    .append(t.geoMissing()).append(" not in the databases");
        }
        if (t.outOfTime() > 0) line.append("; ").append(t.outOfTime()).append(" left for the next import (--enrich-budget spent)");
        if (t.due() == 0) line.append("; every source was looked up within --enrich-max-age");
        return line.toString();
    }

    private static Map<String, Object> enrichmentJson(Optional<EnrichOptions.Prepared> enricher, EnrichmentTally t) {
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("parts", enricher.map(e -> e.usable().stream().sorted().map(EnrichmentPart::word).toList()).orElse(List.of()));
        object.put("due", t.due());
        object.put("enriched", t.enriched());
        object.put("outOfTime", t.outOfTime());
        object.put("reverseDns", t.reverseDns());
        object.put("geoFound", t.geoFound());
        object.put("geoMissing", t.geoMissing());
        object.put("notes", enricher.map(EnrichOptions.Prepared::notes).map(List::copyOf).orElse(List.of()));
        return object;
    }

    private static IntConsumer enrichProgress(PrintWriter err) {
        long[] last = {System.nanoTime()};
        return done -> {
            long now = System.nanoTime();
            synchronized (last) {
                if (now - last[0] < PROGRESS_INTERVAL_NANOS) return;
                last[0] = now;
                err.printf("\r\033[Kenriching: %d sources looked up", done);
                err.flush();
            }
        };
    }

    /** A progress line redrawn in place on stderr, at most four times a second. */
    private static Consumer<ImportTally> progress(PrintWriter err) {
        long[] last = {System.nanoTime()};
        return tally -> {
            long now = System.nanoTime();
            if (now - last[0] < PROGRESS_INTERVAL_NANOS) return;
            last[0] = now;
            err.printf("\r\033[Kimporting: %d reports stored, %d duplicates, %d records", tally.stored(), tally.duplicates(), tally.records());
            err.flush();
        };
    }

    private static Map<String, Map<String, Long>> counters(ImportSummary read, ImportTally stored) {
        Map<String, Map<String, Long>> sections = new LinkedHashMap<>();
        Map<String, Long> r = new LinkedHashMap<>();
        r.put("files", read.files());
        r.put("aggregateReports", read.aggregateReports());
        r.put("failureReports", read.failureReports());
        r.put("tlsReports", read.tlsReports());
        r.put("records", read.records());
        r.put("messages", read.messages());
        r.put("skippedRecords", read.skippedRecords());
        r.put("rejectedInputs", read.rejectedInputs());
        sections.put("read", r);
        Map<String, Long> s = new LinkedHashMap<>();
        s.put("aggregateReports", stored.aggregateStored());
        s.put("failureReports", stored.failureStored());
        s.put("tlsReports", stored.tlsStored());
        s.put("records", stored.records());
        s.put("messages", stored.messages());
        sections.put("stored", s);
        Map<String, Long> d = new LinkedHashMap<>();
        d.put("aggregateReports", stored.aggregateDuplicates());
        d.put("failureReports", stored.failureDuplicates());
        d.put("tlsReports", stored.tlsDuplicates());
        sections.put("duplicates", d);
        return sections;
    }

    private static Map<String, Object> json(ImportSummary read, ImportTally stored, String location) {
        Map<String, Object> object = new LinkedHashMap<>(counters(read, stored));
        object.put("problems", read.problems().stream().map(p -> {
            Map<String, Object> problem = new LinkedHashMap<>();
            problem.put("scope", p.scope().name().toLowerCase(java.util.Locale.ROOT));
            problem.put("origin", p.origin().toString());
            problem.put("position", p.position());
            problem.put("code", p.code());
            problem.put("message", p.message());
            return problem;
        }).toList());
        object.put("unlistedProblems", read.unlistedProblems());
        object.put("store", location);
        return object;
    }
}
