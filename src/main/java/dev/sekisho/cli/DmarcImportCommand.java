package dev.sekisho.cli;

import dev.sekisho.reports.Problem;
import dev.sekisho.reports.source.ImportSummary;
import dev.sekisho.reports.source.ReportLimits;
import dev.sekisho.reports.source.ReportReader;
import dev.sekisho.reports.source.ReportVisitor;
import dev.sekisho.store.ImportTally;
import dev.sekisho.store.ReportImporter;
import dev.sekisho.store.ReportStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** {@code sekisho dmarc import}: read report files and folders, store what they hold, say what happened. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Read DMARC aggregate and failure reports and SMTP TLS reports from files and folders (.xml, .gz, .zip, .json, .eml, "
                + "mbox, Maildir; the content decides the format) and store them; a report already stored is counted as a duplicate.",
                "Exit code: 0 when every input was read, 1 when some input was rejected (the rest is stored)."})
final class DmarcImportCommand extends DmarcSubcommand {
    /** How often the progress line is redrawn on a terminal. */
    private static final long PROGRESS_INTERVAL_NANOS = 250_000_000L;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Report files, archives, mails, mbox files or folders.")
    List<Path> paths;

    @Option(names = "--parse-only", description = "Read and parse everything but store nothing (--db is not opened): how fast "
            + "the files alone are decompressed and parsed, the ceiling an import can reach.")
    boolean parseOnly;

    @Override
    int run(PrintWriter out, PrintWriter err) {
        DmarcTable.Format format = store.format();
        ImportSummary read;
        ImportTally stored;
        String location;
        boolean terminal = System.console() != null;
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
        } finally {
            if (terminal) err.print("\r\033[K");
        }
        switch (format) {
            case JSON -> out.println(DmarcTable.json(json(read, stored, location)));
            case CSV -> {
                DmarcTable rows = new DmarcTable("section", "name", "value");
                counters(read, stored).forEach((section, values) -> values.forEach((name, value) -> rows.row(section, name, value)));
                read.problems().forEach(p -> rows.row("problem", p.code(), p.toString()));
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
            }
        }
        return read.rejectedInputs() > 0 ? 1 : 0;
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
