package dev.sekisho.reports.source;

import dev.sekisho.reports.Origin;
import dev.sekisho.reports.Problem;
import dev.sekisho.reports.ReportFormatException;
import dev.sekisho.reports.aggregate.AggregateRecord;
import dev.sekisho.reports.aggregate.AggregateReport;
import dev.sekisho.reports.aggregate.AggregateReportHandler;
import dev.sekisho.reports.aggregate.AggregateReportParser;
import dev.sekisho.reports.failure.FailureReport;
import dev.sekisho.reports.tls.TlsReport;
import dev.sekisho.reports.tls.TlsReportParser;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/** One run of a {@link ReportReader}: walks containers, dispatches formats, and counts. */
final class Run {
    private final ReportLimits limits;
    private final ReportVisitor visitor;
    private final Mails mails;
    /** One parser for the run's aggregate reports: it keeps what it learnt of the XML (element names) from one to the next. */
    private final AggregateReportParser aggregateParser = new AggregateReportParser();
    private final List<Problem> listed = new ArrayList<>();
    private long files;
    private long aggregateReports;
    private long failureReports;
    private long tlsReports;
    private long records;
    private long messages;
    private long skippedRecords;
    private long rejectedInputs;

    Run(ReportLimits limits, ReportVisitor visitor) {
        this.limits = limits;
        this.visitor = visitor;
        this.mails = new Mails(this, limits);
    }

    ImportSummary summary() {
        return new ImportSummary(files, aggregateReports, failureReports, tlsReports, records, messages, skippedRecords, rejectedInputs, listed);
    }

    void file(Origin origin, InputStream in) {
        files++;
        content(origin, in, null);
    }

    void unreadable(Origin origin, IOException e) {
        problem(new Problem(Problem.Scope.INPUT, origin, "", "io-error", "cannot be read: " + e.getMessage()));
    }

    void problem(Problem problem) {
        if (problem.scope() == Problem.Scope.RECORD) skippedRecords++;
        else rejectedInputs++;
        if (listed.size() < limits.maxListedProblems()) listed.add(problem);
        visitor.problem(problem);
    }

    /**
     * Reads whatever {@code in} holds. {@code budget} is that of the archive around it, or null outside any
     * archive. A limit broken inside an archive propagates to the archive's outermost layer, which reports
     * it once: the whole archive is rejected, as a bomb must be.
     */
    void content(Origin origin, InputStream in, Budget budget) {
        try {
            // 8 KiB, the JDK's default: this buffer is allocated for each file and again for what each archive holds, and at
            // 64 KiB it was a sixth of all a corpus import allocated (reports are 15 KiB compressed, 70 KiB of XML on average);
            // the layers read from it (gzip, the XML decoder) take 8 KiB at a time anyway.
            BufferedInputStream buffered = new BufferedInputStream(in, 8 * 1024);
            read(origin, buffered, Content.sniff(buffered), budget);
        } catch (ReportFormatException e) {
            // Inside an archive a broken limit travels out to the archive's outermost layer (see gzip, zip).
            if (budget != null && e.code().startsWith("limit-")) throw new LimitBroken(e);
            problem(e.toProblem(origin));
        } catch (IOException e) {
            problem(new Problem(Problem.Scope.INPUT, origin, "", e instanceof ZipException ? "archive-corrupt" : "io-error",
                    "cannot be read: " + e));
        }
    }

    /** Dispatches by content; only the kinds a mail part may hold are accepted from {@link Mails}. */
    void read(Origin origin, BufferedInputStream in, Content kind, Budget budget) throws IOException {
        switch (kind) {
            case EMPTY -> throw new ReportFormatException("empty", "the input is empty");
            case GZIP -> gzip(origin, in, budget);
            case ZIP -> zip(origin, in, budget);
            case XML -> aggregate(origin, in);
            case JSON -> tls(origin, in);
            case MBOX -> mails.mbox(origin, in, budget);
            case MAIL -> mails.mail(origin, in, budget);
            case UNKNOWN -> throw new ReportFormatException("unrecognised-content",
                    "the content is none of gzip, zip, XML, JSON, mbox or mail (it starts with " + start(in) + ")");
        }
    }

    /** Checks that one more container fits inside {@code origin}. */
    void nest(Origin origin) throws ReportFormatException {
        if (origin.depth() >= limits.maxNestingDepth()) {
            throw new ReportFormatException("limit-nesting-depth", "",
                    "containers are nested more than " + limits.maxNestingDepth() + " deep (limit maxNestingDepth)");
        }
    }

    private void gzip(Origin origin, InputStream in, Budget outer) throws IOException {
        nest(origin);
        Budget budget = outer != null ? outer : new Budget(limits);
        Budget.Counting compressed = new Budget.Counting(in);
        // RFC 1952 2.2: a file may hold several members; GZIPInputStream reads them as one stream.
        GZIPInputStream gunzip = new GZIPInputStream(compressed, 8192);
        try {
            content(origin.inside("gzip"), budget.bound(gunzip, compressed), budget);
        } catch (LimitBroken e) {
            if (outer != null) throw e;
            problem(e.cause.toProblem(origin));
        }
    }

    private void zip(Origin origin, InputStream in, Budget outer) throws IOException {
        nest(origin);
        Budget budget = outer != null ? outer : new Budget(limits);
        Budget.Counting compressed = new Budget.Counting(in);
        ZipInputStream zip = new ZipInputStream(compressed);
        boolean any = false;
        try {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                budget.entry(entry.getName());
                if (entry.isDirectory()) continue;
                any = true;
                InputStream bounded = budget.bound(new Unclosable(zip), compressed);
                content(origin.inside(entry.getName()), bounded, budget);
                // What the parser left unread is drained through the bounds, never skipped unbounded.
                bounded.transferTo(OutputStream.nullOutputStream());
            }
        } catch (LimitBroken e) {
            if (outer != null) throw e;
            problem(e.cause.toProblem(origin));
            return;
        } catch (ReportFormatException e) {
            if (outer != null && e.code().startsWith("limit-")) throw new LimitBroken(e);
            problem(e.toProblem(origin));
            return;
        }
        if (!any) throw new ReportFormatException("empty-archive", "the zip archive holds no files");
    }

    private void aggregate(Origin origin, InputStream in) throws IOException {
        Collector collector = new Collector();
        try {
            aggregateParser.read(in, origin, collector);
        } catch (IOException e) {
            if (collector.report != null) visitor.aggregateReportEnd(collector.report, false);
            throw e;
        }
        visitor.aggregateReportEnd(collector.report, true);
        aggregateReports++;
        records += collector.records;
        messages += collector.messages;
    }

    private void tls(Origin origin, InputStream in) throws IOException {
        InputStream bounded = new Capped(in, limits.maxTlsReportBytes(), "limit-tls-report-size", "maxTlsReportBytes");
        TlsReport report = TlsReportParser.parse(bounded, origin, this::problem);
        visitor.tlsReport(report);
        tlsReports++;
    }

    void failure(FailureReport report) {
        visitor.failureReport(report);
        failureReports++;
    }

    private static String start(BufferedInputStream in) throws IOException {
        in.mark(16);
        byte[] head = in.readNBytes(16);
        in.reset();
        StringBuilder s = new StringBuilder("\"");
        for (byte b : head) {
            int c = b & 0xFF;
            s.append(c >= 32 && c < 127 ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return s.append('"').toString();
    }

    private final class Collector implements AggregateReportHandler {
        AggregateReport report;
        long records;
        long messages;

        @Override
        public void report(AggregateReport report) {
            this.report = report;
            visitor.aggregateReport(report);
        }

        @Override
        public void record(AggregateReport report, AggregateRecord record) {
            records++;
            messages += record.count();
            visitor.aggregateRecord(report, record);
        }

        @Override
        public void recordSkipped(AggregateReport report, Problem problem) {
            problem(problem);
        }
    }

    /** A limit broken inside an archive, on its way out to the archive's outermost layer. */
    static final class LimitBroken extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient ReportFormatException cause;

        LimitBroken(ReportFormatException cause) {
            super(cause.getMessage(), cause, false, false);
            this.cause = cause;
        }
    }
}
