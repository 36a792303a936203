package dev.sekisho.cli;

import dev.sekisho.reports.Problem;
import dev.sekisho.reports.mailbox.ImapMailbox;
import dev.sekisho.reports.mailbox.ImapSettings;
import dev.sekisho.reports.mailbox.MailOutcome;
import dev.sekisho.reports.mailbox.Mailbox;
import dev.sekisho.reports.mailbox.MailboxImport;
import dev.sekisho.reports.mailbox.MailboxWatch;
import dev.sekisho.reports.mailbox.MaildirMailbox;
import dev.sekisho.reports.mailbox.PassSummary;
import dev.sekisho.reports.mailbox.StopSignal;
import dev.sekisho.reports.source.ImportSummary;
import dev.sekisho.reports.source.ReportLimits;
import dev.sekisho.reports.source.ReportReader;
import dev.sekisho.reports.source.ReportVisitor;
import dev.sekisho.store.ImportTally;
import dev.sekisho.store.ReportImporter;
import dev.sekisho.store.ReportStore;
import dev.sekisho.reports.enrichment.EnrichmentPart;
import dev.sekisho.reports.enrichment.EnrichmentTally;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.time.InstantSource;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.stream.Collectors;

/** {@code sekisho dmarc import}: read report files, folders or a mailbox, store what they hold, say what happened. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Read DMARC aggregate and failure reports and SMTP TLS reports from files and folders (.xml, .gz, .zip, .json, .eml, "
                + "mbox, Maildir; the content decides the format) and store them; a report already stored is counted as a duplicate.",
                "Then each source address not looked up recently is enriched (--enrich): forward-confirmed reverse DNS, its base "
                        + "domain, country and AS; bounded by a deadline per lookup and --enrich-budget, so it never holds the import up.",
                "With --imap or --maildir, read the mails waiting in a mailbox instead, and move each one to the archive folder once "
                        + "every report in it is stored, or to the invalid folder when it holds none; a mail whose reports could not be "
                        + "stored stays where it is and is read again next time.",
                "Exit code: 0 when every input was read, 1 when some input was rejected or a mail could not be stored (the rest is stored), "
                        + "or the mailbox refused us; 2 for bad options."})
final class DmarcImportCommand extends DmarcSubcommand {
    /** How often the progress line is redrawn on a terminal. */
    private static final long PROGRESS_INTERVAL_NANOS = 250_000_000L;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    /** What to read: paths, an IMAP server, or a Maildir (exactly one). */
    static final class Source {
        @Parameters(arity = "1..*", paramLabel = "PATH", description = "Report files, archives, mails, mbox files or folders.")
        List<Path> paths;

        @Option(names = "--imap", paramLabel = "HOST[:PORT]", description = "Read the mails in an IMAP folder (see the --imap-* options).")
        String imap;

        @Option(names = "--maildir", paramLabel = "DIR", description = "Read the mails in new/ and cur/ of a Maildir and move them into its "
                + "Maildir++ folders .Archive and .Invalid (see --archive-folder).")
        Path maildir;
    }

    @Mixin
    DmarcMailboxOptions mailbox = new DmarcMailboxOptions();

    @Option(names = "--parse-only", description = "Read and parse everything but store nothing (--db is not opened): how fast "
            + "the files alone are decompressed and parsed, the ceiling an import can reach.")
    boolean parseOnly;

    @Mixin
    EnrichOptions enrich = new EnrichOptions();

    @Override
    int run(PrintWriter out, PrintWriter err) {
        DmarcTable.Format format = store.format();
        boolean fromMailbox = source.imap != null || source.maildir != null;
        mailbox.requireUnused(source.imap != null, fromMailbox);
        if (fromMailbox) {
            if (parseOnly) throw new IllegalArgumentException("--parse-only does not go with --imap or --maildir: mails would be moved with nothing stored");
            return mailboxImport(format, out, err);
        }
        List<Path> paths = source.paths;
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
        print(format, out, read, stored, location, null, null, enricher, enriched);
        return read.rejectedInputs() > 0 ? 1 : 0;
    }

    /** --imap or --maildir: one pass, or --watch until Ctrl-C; mails move only after their reports are stored. */
    private int mailboxImport(DmarcTable.Format format, PrintWriter out, PrintWriter err) {
        ImapSettings imap = source.imap != null ? mailbox.imap(source.imap, DmarcMailboxOptions.environment()) : null;
        Duration poll = mailbox.pollInterval();
        boolean terminal = System.console() != null;
        boolean watching = mailbox.watch;
        String prefix = spec.qualifiedName() + ": ";
        MailboxWatch.Opener opener = imap != null ? () -> ImapMailbox.open(imap)
                : () -> MaildirMailbox.open(source.maildir, mailbox.archiveFolder, mailbox.invalidFolder);
        // The folders as the mailbox names them once open; until then (a watch that never connected) as given.
        String[] folders = imap != null ? new String[]{imap.archiveFolder(), imap.invalidFolder()}
                : new String[]{maildirName(mailbox.archiveFolder), maildirName(mailbox.invalidFolder)};
        StopSignal stop = new StopSignal();
        List<Signal> signals = List.of(new Signal("INT"), new Signal("TERM"));
        List<SignalHandler> previous = new ArrayList<>();
        // One pass: enrich once its mails are stored, as for paths. A watch enriches each time the mailbox is drained
        // after mail came, between passes.
        Optional<EnrichOptions.Prepared> enricher = enrich.wanted().isEmpty() ? Optional.empty()
                : Optional.of(enrich.prepare(InstantSource.system()));
        EnrichmentTally[] enrichedSoFar = {EnrichmentTally.nothing()};
        EnrichmentTally enriched;
        PassSummary passes;
        ImportTally total; // taken while the store is open: a tally commits what was written before it counts
        TallySum stored = new TallySum(terminal ? progress(err) : tally -> {
        });
        String location;
        try (ReportStore reports = store.openForImport()) {
            location = reports.location();
            MailboxImport importer = new MailboxImport(ReportLimits.defaults(), outcome -> {
                String line = describe(outcome, folders);
                if (line != null && (watching || outcome.disposition() != MailOutcome.Disposition.ARCHIVED)) {
                    if (terminal) err.print("\r\033[K");
                    err.println(prefix + line);
                    err.flush();
                }
            });
            // Ctrl-C (and TERM): finish the mail in hand, then stop and print the summary.
            for (Signal signal : signals) previous.add(handle(signal, s -> stop.stop()));
            if (watching) {
                MailboxWatch watch = new MailboxWatch(importer, () -> {
                    Mailbox opened = opener.open();
                    folders[0] = opened.archiveFolder();
                    folders[1] = opened.invalidFolder();
                    return opened;
                }, poll, MailboxWatch.RECONNECT, stop::pause, notice -> {
                    err.println(prefix + notice);
                    err.flush();
                }, enricher.isEmpty() ? MailboxWatch.AfterStoring.NOTHING : () -> {
                    EnrichmentTally run = enricher.get().enricher().enrich(reports.enrichments(), enricher.get().settings(), done -> {
                    });
                    enrichedSoFar[0] = enrichedSoFar[0].then(run);
                    err.println(prefix + "enriched " + enrichmentLine(enricher, run));
                    err.flush();
                });
                passes = watch.run(() -> stored.next(reports), stop);
            } else try (Mailbox box = opener.open()) {
                folders[0] = box.archiveFolder();
                folders[1] = box.invalidFolder();
                passes = importer.pass(box, () -> stored.next(reports), stop);
            }
            if (enricher.isPresent() && !watching) {
                if (terminal) err.print("\r\033[K");
                enrichedSoFar[0] = enricher.get().enricher().enrich(reports.enrichments(), enricher.get().settings(),
                        terminal ? enrichProgress(err) : done -> {
                        });
            }
            enriched = enrichedSoFar[0];
            total = stored.total();
        } catch (IOException e) { // a MailboxException: refused, or (one pass) unreachable
            err.println(prefix + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println(prefix + "interrupted");
            return 1;
        } finally {
            for (int i = 0; i < previous.size(); i++) handle(signals.get(i), previous.get(i));
            if (terminal) err.print("\r\033[K");
        }
        print(format, out, passes.read(), total, location, passes, folders, enricher, enriched);
        return passes.read().rejectedInputs() > 0 || passes.left() > 0 ? 1 : 0;
    }

    private static String maildirName(String folder) {
        return folder.startsWith(".") ? folder : "." + folder;
    }

    /** Installs a signal handler; a JVM that keeps the signal to itself (-Xrs) leaves Ctrl-C to end the process. */
    private static SignalHandler handle(Signal signal, SignalHandler handler) {
        if (handler == null) return null;
        try {
            return Signal.handle(signal, handler);
        } catch (IllegalArgumentException inUse) {
            return null;
        }
    }

    /** One line about a mail, or null for nothing to say. */
    private static String describe(MailOutcome outcome, String[] folders) {
        String name = outcome.mail().name();
        return switch (outcome.disposition()) {
            case ARCHIVED -> name + ": " + outcome.read().reports() + " reports stored, moved to " + folders[0];
            case INVALID -> name + ": no readable report, moved to " + folders[1] + ": " + outcome.reason();
            case LEFT -> name + ": " + outcome.reason();
            case GONE -> null;
        };
    }

    private void print(DmarcTable.Format format, PrintWriter out, ImportSummary read, ImportTally stored, String location,
                       PassSummary mails, String[] folders, Optional<EnrichOptions.Prepared> enricher, EnrichmentTally enriched) {
        switch (format) {
            case JSON -> {
                Map<String, Object> object = json(read, stored, location);
                object.put("enrichment", enrichmentJson(enricher, enriched));
                if (mails != null) object.put("mails", mailCounters(mails));
                out.println(DmarcTable.json(object));
            }
            case CSV -> {
                DmarcTable rows = new DmarcTable("section", "name", "value");
                counters(read, stored).forEach((section, values) -> values.forEach((name, value) -> rows.row(section, name, value)));
                if (mails != null) mailCounters(mails).forEach((name, value) -> rows.row("mails", name, value));
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
                if (mails != null) {
                    out.printf("mails:      %d moved to %s, %d moved to %s, %d left in place (not stored), %d taken by another client%n",
                            mails.archived(), folders[0], mails.invalid(), folders[1], mails.left(), mails.gone());
                }
                out.printf("store:      %s%n", location);
                if (!parseOnly) out.println("enriched:   " + enrichmentLine(enricher, enriched));
                enricher.ifPresent(e -> e.notes().forEach(note -> out.println("  " + note)));
            }
        }
    }

    private static Map<String, Long> mailCounters(PassSummary mails) {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("archived", mails.archived());
        m.put("invalid", mails.invalid());
        m.put("left", mails.left());
        m.put("gone", mails.gone());
        return m;
    }

    /**
     * The tally of many importers: a mailbox import gives each mail a fresh {@link ReportImporter} (so one that a
     * store failure left half-way never carries into the next mail), and the progress line and summary add them up.
     */
    private static final class TallySum {
        private final Consumer<ImportTally> progress;
        private ImportTally finished = new ImportTally(0, 0, 0, 0, 0, 0, 0, 0, 0);
        private ReportImporter current;

        TallySum(Consumer<ImportTally> progress) {
            this.progress = progress;
        }

        ReportImporter next(ReportStore reports) {
            if (current != null) finished = plus(finished, current.tally());
            current = new ReportImporter(reports, tally -> progress.accept(plus(finished, tally)));
            return current;
        }

        ImportTally total() {
            return current == null ? finished : plus(finished, current.tally());
        }

        private static ImportTally plus(ImportTally a, ImportTally b) {
            return new ImportTally(a.aggregateStored() + b.aggregateStored(), a.aggregateDuplicates() + b.aggregateDuplicates(),
                    a.failureStored() + b.failureStored(), a.failureDuplicates() + b.failureDuplicates(), a.tlsStored() + b.tlsStored(),
                    a.tlsDuplicates() + b.tlsDuplicates(), a.records() + b.records(), a.messages() + b.messages(), a.abandoned() + b.abandoned());
        }
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
