package dev.sekisho.reports.source;

import dev.sekisho.reports.Problem;
import dev.sekisho.reports.ReportIdentity;
import dev.sekisho.reports.aggregate.AggregateRecord;
import dev.sekisho.reports.aggregate.AggregateReport;
import dev.sekisho.reports.failure.FailureReport;
import dev.sekisho.reports.tls.TlsReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;

class ReportReaderTest {
    @TempDir
    Path tmp;

    @Test
    void aMaildirIsReadFromCurNewAndItsSubfoldersButNotTmp() throws Exception {
        Path maildir = tmp.resolve("Maildir");
        copy("parsedmarc/aggregate/twilight.eml", maildir.resolve("cur/1700000000.1.host:2,S"));
        copy("parsedmarc/failure/dmarc_ruf_report_linkedin.eml", maildir.resolve("new/1700000001.2.host"));
        copy("parsedmarc/aggregate/mimecast-weird-gzip.eml", maildir.resolve(".Reports/cur/1700000002.3.host:2,"));
        Files.createDirectories(maildir.resolve(".Reports/new"));
        copy("parsedmarc/aggregate/invalid_xml.xml", maildir.resolve("tmp/1700000003.4.host"));
        Files.writeString(maildir.resolve("dovecot-uidlist"), "3 V1 N4\n");
        Recorder r = new Recorder();
        ImportSummary summary = new ReportReader().read(maildir, r);
        assertThat(r.problems).isEmpty();
        assertThat(summary.aggregateReports()).isEqualTo(2);
        assertThat(summary.failureReports()).isEqualTo(1);
        assertThat(summary.files()).isEqualTo(3);
    }

    @Test
    void anMboxIsSplitIntoItsMails() throws Exception {
        String twilight = Files.readString(corpus("parsedmarc/aggregate/twilight.eml"), StandardCharsets.ISO_8859_1);
        String netease = Files.readString(corpus("parsedmarc/failure/[Netease DMARC Failure Report] Rent Reminder.eml"), StandardCharsets.ISO_8859_1);
        // RFC 4155 appendix A: each mail ends with an empty line before the next "From " line.
        String mbox = "From noreply-dmarc-support@google.com Mon Feb 11 10:00:00 2019\n" + twilight.stripTrailing() + "\n\n"
                + "From abuse@163.com Fri Sep 28 08:48:45 2018\n" + netease.stripTrailing() + "\n\n"
                + "From nobody Thu Jan  1 00:00:00 1970\nSubject: just a note\n\nno report here\n>From the quoting rule\n";
        Recorder r = new Recorder();
        ImportSummary summary = new ReportReader().read("inbox.mbox", new ByteArrayInputStream(mbox.getBytes(StandardCharsets.ISO_8859_1)), r);
        assertThat(summary.aggregateReports()).isEqualTo(1);
        assertThat(summary.failureReports()).isEqualTo(1);
        assertThat(r.failures.get(0).origin().entries().get(0)).startsWith("mail 2 (line ");
        assertThat(r.problems).singleElement().satisfies(p -> {
            assertThat(p.code()).isEqualTo("no-report-in-mail");
            assertThat(p.origin().entries()).singleElement().asString().startsWith("mail 3 (line ");
        });
    }

    @Test
    void aFolderIsWalkedRecursivelyAndEachBadFileCostsOnlyItself() throws Exception {
        copy("tierpod-dmarc-report-converter/test.xml.gz", tmp.resolve("a/report.bin"));
        copy("parsedmarc/smtp_tls/rfc8460.json", tmp.resolve("a/b/tls"));
        Files.writeString(tmp.resolve("a/b/notes.txt"), "hello, these are my notes");
        Files.writeString(tmp.resolve("a/.hidden"), "ignored");
        Recorder r = new Recorder();
        ImportSummary summary = new ReportReader().read(tmp.resolve("a"), r);
        assertThat(summary.aggregateReports()).isEqualTo(1);
        assertThat(summary.tlsReports()).isEqualTo(1);
        assertThat(summary.records()).isEqualTo(2);
        assertThat(summary.messages()).isEqualTo(7);
        assertThat(r.problems).singleElement().satisfies(p -> {
            assertThat(p.code()).isEqualTo("unrecognised-content");
            assertThat(p.origin().file()).endsWith("notes.txt");
            assertThat(p.message()).contains("\"hello, these are");
        });
    }

    @Test
    void aReportThatBreaksOffIsEndedIncompleteAndNotCounted() throws Exception {
        String broken = Files.readString(corpus("tierpod-dmarc-report-converter/test.xml")).replaceFirst("(?s)</record>.*", "</record><record><ro");
        Recorder r = new Recorder();
        ImportSummary summary = new ReportReader().read("broken.xml.gz",
                new ByteArrayInputStream(ArchiveBombTest.gzip(broken.getBytes(StandardCharsets.UTF_8))), r);
        assertThat(r.records).hasSize(1);
        assertThat(r.ends).containsExactly(false);
        assertThat(summary.aggregateReports()).isZero();
        assertThat(summary.records()).isZero();
        assertThat(r.problems).singleElement().satisfies(p -> assertThat(p.origin().toString()).isEqualTo("broken.xml.gz > gzip"));
    }

    @Test
    void theSameReportInTwoContainersHasOneIdentity() throws Exception {
        Recorder r = new Recorder();
        new ReportReader().read(List.of(corpus("parsedmarc/extract_report/nice-input.xml"),
                corpus("parsedmarc/extract_report/nice-input.xml.zip"), corpus("parsedmarc/extract_report/nice-input.xml.gz")), r);
        assertThat(r.identities).hasSize(3).containsOnly(new ReportIdentity("google.com", "11038226378739404135"));
        Recorder failures = new Recorder();
        new ReportReader().read(List.of(corpus("parsedmarc/failure/dmarc_ruf_report_linkedin.eml"),
                corpus("parsedmarc/failure/dmarc_ruf_report_linkedin.crlf.eml")), failures);
        assertThat(failures.failures).hasSize(2);
        assertThat(failures.failures.get(0).identity()).isEqualTo(failures.failures.get(1).identity());
    }

    @Test
    void theSummaryOfTheWholeCorpusAddsUp() throws Exception {
        Path root = corpus("NOTICE.md").getParent();
        Recorder r = new Recorder();
        ImportSummary summary = new ReportReader().read(root, r);
        assertThat(summary.files()).isEqualTo(68); // the 67 samples and NOTICE.md
        assertThat(summary.aggregateReports()).isEqualTo(46);
        assertThat(summary.tlsReports()).isEqualTo(11);
        assertThat(summary.failureReports()).isEqualTo(4);
        // bad.com breaks off after two skipped records, so every record handed over belongs to a complete report
        assertThat(summary.records()).isEqualTo(r.records.size()).isEqualTo(3_476); // the sum of the records column of corpus-expectations.tsv
        assertThat(summary.messages()).isEqualTo(r.records.stream().mapToLong(AggregateRecord::count).sum());
        assertThat(summary.skippedRecords()).isEqualTo(3);
        assertThat(summary.rejectedInputs()).isEqualTo(7); // the 6 rejected samples and NOTICE.md
        assertThat(summary.problems()).hasSize(10);
        assertThat(summary.toString()).contains("61 reports");
    }

    private static Path corpus(String path) throws URISyntaxException {
        return Path.of(Objects.requireNonNull(ReportReaderTest.class.getResource("/reports/corpus/" + path), path).toURI());
    }

    private static void copy(String corpusPath, Path to) throws Exception {
        Files.createDirectories(to.getParent());
        Files.copy(corpus(corpusPath), to);
    }

    private static final class Recorder implements ReportVisitor {
        final List<AggregateRecord> records = new ArrayList<>();
        final List<Boolean> ends = new ArrayList<>();
        final List<ReportIdentity> identities = new ArrayList<>();
        final List<FailureReport> failures = new ArrayList<>();
        final List<Problem> problems = new ArrayList<>();

        @Override
        public void aggregateReport(AggregateReport report) {
            identities.add(report.identity());
        }

        @Override
        public void aggregateRecord(AggregateReport report, AggregateRecord record) {
            records.add(record);
        }

        @Override
        public void aggregateReportEnd(AggregateReport report, boolean complete) {
            ends.add(complete);
        }

        @Override
        public void failureReport(FailureReport report) {
            failures.add(report);
        }

        @Override
        public void tlsReport(TlsReport report) {
            identities.add(report.identity());
        }

        @Override
        public void problem(Problem problem) {
            problems.add(problem);
        }
    }
}
