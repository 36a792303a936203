package dev.sekisho.store;

import dev.sekisho.reports.source.ImportSummary;
import dev.sekisho.reports.source.ReportReader;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link ReportStore} must do: SQLite and PostgreSQL test classes implement this and supply fresh,
 * empty stores.
 */
public interface ReportStoreContract {
    Path CORPUS = Path.of("src/test/resources/reports/corpus");
    long DAY = 86_400;
    long T0 = 1_700_000_000L;

    /** A new, empty store; the test closes it. */
    ReportStore newStore();

    private static ImportTally importFiles(ReportStore store, String... corpusFiles) {
        ReportImporter importer = new ReportImporter(store);
        new ReportReader().read(java.util.Arrays.stream(corpusFiles).map(CORPUS::resolve).toList(), importer);
        return importer.tally();
    }

    private static ImportSummary importXml(ReportStore store, ReportImporter importer, AggregateReportXml report) {
        return new ReportReader().read("generated.xml", new ByteArrayInputStream(report.bytes()), importer);
    }

    @Test
    default void storesAggregateReportsWithEveryRecordAndTheirMessages() {
        try (ReportStore store = newStore()) {
            ImportTally tally = importFiles(store, "cry-inc-dmarc-report-viewer/dmarc-reports/outlook.xml",
                    "opendmarc/testfiles/163.com!example.com!1337270400!1337356799.20120518163.xml");
            assertThat(tally).isEqualTo(new ImportTally(2, 0, 0, 0, 0, 0, 52, 95, 0));
            StoreCounts counts = store.counts();
            assertThat(counts.aggregateReports()).isEqualTo(2);
            assertThat(counts.records()).isEqualTo(52);
            assertThat(counts.messages()).isEqualTo(95);
            assertThat(counts.schemaVersion()).isEqualTo(4);
        }
    }

    @Test
    default void aReportSeenTwiceIsStoredOnceAndCountedAsADuplicate() {
        try (ReportStore store = newStore()) {
            // The same report as plain XML, gzip and zip: one identity (reporter, report_id).
            ImportTally tally = importFiles(store, "parsedmarc/extract_report/nice-input.xml",
                    "parsedmarc/extract_report/nice-input.xml.gz", "parsedmarc/extract_report/nice-input.xml.zip");
            assertThat(tally.aggregateStored()).isEqualTo(1);
            assertThat(tally.aggregateDuplicates()).isEqualTo(2);
            assertThat(store.counts().aggregateReports()).isEqualTo(1);
            assertThat(store.counts().records()).isEqualTo(tally.records());
        }
    }

    @Test
    default void recordsBeyondOneBatchAreAllStoredInOneTransaction() {
        try (ReportStore store = newStore()) {
            AggregateReportXml big = new AggregateReportXml("big.example", "r-big", "example.com", T0, T0 + DAY);
            int n = JdbcReportStore.BATCH_SIZE * 2 + 7;
            for (int i = 0; i < n; i++) {
                big.record("10.0." + (i / 250) + "." + (i % 250 + 1), i % 5 + 1, "none", "pass", "pass", "example.com",
                        "example.com", "example.com=pass", "example.com=pass", "");
            }
            ReportImporter importer = new ReportImporter(store);
            importXml(store, importer, big);
            long expectedMessages = 0;
            for (int i = 0; i < n; i++) expectedMessages += i % 5 + 1;
            assertThat(store.counts().records()).isEqualTo(n);
            assertThat(store.counts().messages()).isEqualTo(expectedMessages);
            assertThat(importer.tally().records()).isEqualTo(n);
        }
    }

    @Test
    default void aReportThatBrokeOffIsRolledBackAndCanBeImportedLater() {
        try (ReportStore store = newStore()) {
            AggregateReportXml report = new AggregateReportXml("r.example", "r-1", "example.com", T0, T0 + DAY);
            for (int i = 1; i <= 3; i++) {
                report.record("192.0.2." + i, 1, "none", "pass", "pass", "example.com", "", "example.com=pass", "", "");
            }
            String xml = report.xml();
            byte[] truncated = xml.substring(0, xml.lastIndexOf("<record>")).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ReportImporter importer = new ReportImporter(store);
            ImportSummary summary = new ReportReader().read("truncated.xml", new ByteArrayInputStream(truncated), importer);
            assertThat(summary.rejectedInputs()).isEqualTo(1);
            assertThat(importer.tally().abandoned()).isEqualTo(1);
            assertThat(store.counts().aggregateReports()).isZero();
            assertThat(store.counts().records()).isZero();

            importXml(store, importer, report);
            assertThat(importer.tally().aggregateStored()).isEqualTo(1);
            assertThat(store.counts().records()).isEqualTo(3);
        }
    }

    @Test
    default void anImportEndedIncompleteLeavesNothingEvenAfterRecordsWereBatched() {
        try (ReportStore store = newStore()) {
            AggregateReportXml report = new AggregateReportXml("r.example", "r-2", "example.com", T0, T0 + DAY);
            int n = JdbcReportStore.BATCH_SIZE + 1;
            for (int i = 0; i < n; i++) report.record("192.0.2.1", 1, "none", "pass", "pass", "example.com", "", "", "", "");
            // Reported incomplete at its end, as the reader does when it broke off late.
            ReportImporter importer = new ReportImporter(store);
            importBrokenOff(importer, report);
            assertThat(store.counts().aggregateReports()).isZero();
            assertThat(store.counts().records()).isZero();
        }
    }

    @Test
    default void aWordFirstWrittenByAReportThatRolledBackIsStoredRightLater() {
        // The writer remembers the number of each word (record_text, migration 4). A report whose first batch added
        // new words and which then broke off rolls those rows back; a later report with other new words may get the
        // freed numbers, and the first words, seen again, must be added anew rather than taken from memory.
        AggregateReportXml broken = new AggregateReportXml("r.example", "broken", "rolled-back.example", T0, T0 + DAY);
        int n = JdbcReportStore.BATCH_SIZE + 1;
        for (int i = 0; i < n; i++) {
            broken.record("192.0.2.1", 1, "quarantine", "fail", "fail", "rolled-back.example", "bounce.rolled-back.example",
                    "rolled-back.example=fail", "bounce.rolled-back.example=softfail", "mailing_list");
        }
        try (ReportStore store = newStore()) {
            ReportImporter importer = new ReportImporter(store);
            importBrokenOff(importer, broken);
            assertThat(store.counts().records()).isZero();
            importXml(store, importer, new AggregateReportXml("o.example", "other", "other.example", T0, T0 + DAY)
                    .record("192.0.2.2", 2, "reject", "fail", "fail", "other.example", "bounce.other.example",
                            "other.example=fail", "bounce.other.example=fail", "local_policy"));
            importXml(store, importer, broken);

            List<RecordGroup> rolledBack = store.recordGroups(new RecordFilter(java.util.Optional.of("rolled-back.example"), java.util.Optional.empty()));
            assertThat(rolledBack).hasSize(1);
            RecordGroup group = rolledBack.get(0);
            assertThat(group.messages()).isEqualTo(n);
            assertThat(group.headerFrom()).isEqualTo("rolled-back.example");
            assertThat(group.envelopeFrom()).contains("bounce.rolled-back.example");
            assertThat(group.disposition()).isEqualTo("quarantine");
            assertThat(group.dkimDomain()).contains("rolled-back.example");
            assertThat(group.spfResult()).contains("softfail");
            assertThat(group.reasons()).isEqualTo("mailing_list");
            List<RecordGroup> other = store.recordGroups(new RecordFilter(java.util.Optional.of("other.example"), java.util.Optional.empty()));
            assertThat(other).extracting(RecordGroup::headerFrom, RecordGroup::disposition, RecordGroup::reasons, RecordGroup::messages)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("other.example", "reject", "local_policy", 2L));
        }
    }

    @Test
    default void aWordRepeatedInItsColumnAfterARollbackIsNotTakenFromTheLastRecord() {
        // The writer remembers the last word of each column and its number (RecordTexts). A report that added a new
        // header_from and broke off rolls that word back; the next report, with the same header_from in the same column
        // and a new envelope_from (which on SQLite may get the freed number), must store both words anew.
        AggregateReportXml broken = new AggregateReportXml("r.example", "broken", "again.example", T0, T0 + DAY);
        int n = JdbcReportStore.BATCH_SIZE + 1;
        for (int i = 0; i < n; i++) {
            broken.record("192.0.2.1", 1, "none", "pass", "pass", "again.example", "", "", "again.example=pass", "");
        }
        try (ReportStore store = newStore()) {
            ReportImporter importer = new ReportImporter(store);
            importBrokenOff(importer, broken);
            assertThat(store.counts().records()).isZero();
            importXml(store, importer, new AggregateReportXml("o.example", "next", "again.example", T0, T0 + DAY)
                    .record("192.0.2.2", 3, "none", "pass", "pass", "again.example", "bounce.again.example", "", "again.example=pass", ""));

            List<RecordGroup> groups = store.recordGroups(new RecordFilter(Optional.of("again.example"), Optional.empty()));
            assertThat(groups).extracting(RecordGroup::headerFrom, RecordGroup::envelopeFrom, RecordGroup::messages)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("again.example", Optional.of("bounce.again.example"), 3L));
        }
    }

    @Test
    default void reportsReadTogetherAreKeptOrRolledBackEachOnItsOwn() throws Exception {
        // Several small reports in one run share the store's transactions: a report that broke off between two
        // whole ones rolls back alone, and a report seen twice before anything was committed is still stored once.
        AggregateReportXml first = new AggregateReportXml("a.example", "one", "example.com", T0, T0 + DAY);
        AggregateReportXml broken = new AggregateReportXml("b.example", "two", "example.com", T0, T0 + DAY);
        AggregateReportXml last = new AggregateReportXml("c.example", "three", "example.com", T0, T0 + DAY);
        for (int i = 1; i <= 3; i++) {
            first.record("192.0.2." + i, 1, "none", "pass", "pass", "example.com", "", "", "", "");
            broken.record("198.51.100." + i, 1, "none", "pass", "pass", "example.com", "", "", "", "");
            last.record("203.0.113." + i, 2, "none", "pass", "pass", "example.com", "", "", "", "");
        }
        String brokenXml = broken.xml();
        var zipped = new java.io.ByteArrayOutputStream();
        try (var zip = new java.util.zip.ZipOutputStream(zipped)) {
            for (var entry : List.of(java.util.Map.entry("1.xml", first.bytes()),
                    java.util.Map.entry("2.xml", brokenXml.substring(0, brokenXml.lastIndexOf("<record>"))
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                    java.util.Map.entry("3.xml", last.bytes()), java.util.Map.entry("4.xml", first.bytes()))) {
                zip.putNextEntry(new java.util.zip.ZipEntry(entry.getKey()));
                zip.write(entry.getValue());
                zip.closeEntry();
            }
        }
        try (ReportStore store = newStore()) {
            ReportImporter importer = new ReportImporter(store);
            ImportSummary summary = new ReportReader().read("reports.zip", new ByteArrayInputStream(zipped.toByteArray()), importer);
            assertThat(summary.rejectedInputs()).isEqualTo(1);
            assertThat(importer.tally()).isEqualTo(new ImportTally(2, 1, 0, 0, 0, 0, 6, 9, 1));
            assertThat(store.counts().aggregateReports()).isEqualTo(2);
            assertThat(store.counts().records()).isEqualTo(6);
            assertThat(store.recordGroups(RecordFilter.all())).extracting(RecordGroup::sourceIp)
                    .containsExactlyInAnyOrder("192.0.2.1", "192.0.2.2", "192.0.2.3", "203.0.113.1", "203.0.113.2", "203.0.113.3");
        }
    }

    @Test
    default void recordGroupsAddUpAcrossReportsAndFilterByDomainAndSubdomainsAndTime() {
        try (ReportStore store = newStore()) {
            ReportImporter importer = new ReportImporter(store);
            importXml(store, importer, new AggregateReportXml("a.example", "a-1", "example.com", T0, T0 + DAY)
                    .record("192.0.2.1", 5, "none", "pass", "pass", "example.com", "example.com", "example.com=pass", "example.com=pass", "")
                    .record("198.51.100.7", 2, "none", "fail", "fail", "example.com", "spoof.example", "", "spoof.example=fail", "")
                    .record("192.0.2.1", 1, "none", "pass", "fail", "news.example.com", "bounce.esp.example", "example.com=pass",
                            "bounce.esp.example=pass", "")
                    .record("203.0.113.9", 4, "none", "fail", "fail", "notexample.com", "", "", "", ""));
            importXml(store, importer, new AggregateReportXml("b.example", "b-1", "example.com", T0 + DAY, T0 + 2 * DAY)
                    .record("192.0.2.1", 3, "none", "pass", "pass", "example.com", "example.com", "example.com=pass", "example.com=pass", ""));

            List<RecordGroup> all = store.recordGroups(RecordFilter.all());
            assertThat(all).hasSize(4);
            assertThat(all.get(0)).isEqualTo(new RecordGroup("192.0.2.1", "example.com", Optional.of("example.com"), "none", true, true,
                    Optional.of("example.com"), Optional.of("pass"), Optional.of("example.com"), Optional.of("pass"), "", 8,
                    Instant.ofEpochSecond(T0), Instant.ofEpochSecond(T0 + 2 * DAY)));

            List<RecordGroup> example = store.recordGroups(RecordFilter.domain("EXAMPLE.com."));
            assertThat(example).extracting(RecordGroup::headerFrom, RecordGroup::messages)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("example.com", 8L),
                            org.assertj.core.groups.Tuple.tuple("example.com", 2L),
                            org.assertj.core.groups.Tuple.tuple("news.example.com", 1L));
            RecordGroup spoof = example.get(1);
            assertThat(spoof.dkimDomain()).isEmpty();
            assertThat(spoof.spfResult()).contains("fail");
            assertThat(spoof.dmarcPass()).isFalse();

            List<RecordGroup> recent = store.recordGroups(new RecordFilter(Optional.of("example.com"),
                    Optional.of(Instant.ofEpochSecond(T0 + DAY))));
            assertThat(recent).singleElement().satisfies(g -> {
                assertThat(g.messages()).isEqualTo(3);
                assertThat(g.firstSeen()).isEqualTo(Instant.ofEpochSecond(T0 + DAY));
            });
        }
    }

    @Test
    default void aRecordIsGroupedByItsFirstPassingDkimResultAndItsMailFromSpfResult() {
        try (ReportStore store = newStore()) {
            importXml(store, new ReportImporter(store), new AggregateReportXml("a.example", "multi", "example.com", T0, T0 + DAY)
                    .record("192.0.2.1", 4, "none", "fail", "fail", "example.com", "bounce.esp.example",
                            "example.com=fail esp.example=pass other.example=pass", "helo:mta.esp.example=pass bounce.esp.example=softfail", ""));
            assertThat(store.recordGroups(RecordFilter.all())).singleElement().satisfies(g -> {
                assertThat(g.dkimDomain()).contains("esp.example");
                assertThat(g.dkimResult()).contains("pass");
                assertThat(g.spfDomain()).contains("bounce.esp.example");
                assertThat(g.spfResult()).contains("softfail");
                assertThat(g.envelopeFrom()).contains("bounce.esp.example");
            });
        }
    }

    @Test
    default void sourceAddressesAreStoredInCanonicalForm() {
        try (ReportStore store = newStore()) {
            importXml(store, new ReportImporter(store), new AggregateReportXml("a.example", "v6", "example.com", T0, T0 + DAY)
                    .record("2001:DB8:0:0:0:0:0:1", 1, "reject", "fail", "fail", "example.com", "", "", "", ""));
            assertThat(store.recordGroups(RecordFilter.all())).singleElement().satisfies(g -> {
                assertThat(g.sourceIp()).isEqualTo("2001:db8::1");
                assertThat(g.disposition()).isEqualTo("reject");
            });
        }
    }

    @Test
    default void theLatestPolicyIsTheOneOfTheMostRecentReport() {
        try (ReportStore store = newStore()) {
            ReportImporter importer = new ReportImporter(store);
            importXml(store, importer, new AggregateReportXml("a.example", "new", "example.com", T0 + DAY, T0 + 2 * DAY).policy("quarantine")
                    .record("192.0.2.1", 1, "none", "pass", "pass", "example.com", "", "", "", ""));
            importXml(store, importer, new AggregateReportXml("b.example", "old", "example.com", T0, T0 + DAY)
                    .record("192.0.2.1", 1, "none", "pass", "pass", "example.com", "", "", "", ""));
            assertThat(store.latestPolicy("Example.COM")).contains(new StoredPolicy("example.com", "quarantine", Optional.empty(),
                    Optional.of(100), Instant.ofEpochSecond(T0 + 2 * DAY), "a.example"));
            assertThat(store.latestPolicy("other.example")).isEmpty();
        }
    }

    @Test
    default void failureReportsAreStoredOnceWhateverTheirLineEndings() {
        try (ReportStore store = newStore()) {
            ImportTally tally = importFiles(store, "parsedmarc/failure/dmarc_ruf_report_linkedin.eml",
                    "parsedmarc/failure/dmarc_ruf_report_linkedin.crlf.eml");
            assertThat(tally.failureStored()).isEqualTo(1);
            assertThat(tally.failureDuplicates()).isEqualTo(1);
            assertThat(store.counts().failureReports()).isEqualTo(1);
        }
    }

    @Test
    default void tlsReportsAreStoredOnce() {
        try (ReportStore store = newStore()) {
            ImportTally tally = importFiles(store, "cry-inc-dmarc-report-viewer/smtp-tls-reports/rfc-example.json",
                    "cry-inc-dmarc-report-viewer/smtp-tls-reports/microsoft.json",
                    "cry-inc-dmarc-report-viewer/smtp-tls-reports/rfc-example.json");
            assertThat(tally.tlsStored()).isEqualTo(2);
            assertThat(tally.tlsDuplicates()).isEqualTo(1);
            assertThat(store.counts().tlsReports()).isEqualTo(2);
        }
    }

    @Test
    default void anImportMustEndBeforeTheStoreIsAskedAnything() {
        try (ReportStore store = newStore()) {
            ReportImporter importer = new ReportImporter(store);
            new ReportReader().read("r.xml", new ByteArrayInputStream(new AggregateReportXml("a.example", "open", "example.com", T0, T0 + DAY)
                    .record("192.0.2.1", 1, "none", "pass", "pass", "example.com", "", "", "", "").bytes()), new dev.sekisho.reports.source.ReportVisitor() {
                @Override
                public void aggregateReport(dev.sekisho.reports.aggregate.AggregateReport r) {
                    importer.aggregateReport(r);
                }
            });
            assertThatThrownBy(store::counts).isInstanceOf(IllegalStateException.class).hasMessageContaining("still open");
        }
    }

    /** Reads {@code report} whole but ends it as broken off, so the store rolls back everything it wrote of it. */
    private static void importBrokenOff(ReportImporter importer, AggregateReportXml report) {
        new ReportReader().read("broken.xml", new ByteArrayInputStream(report.bytes()), new dev.sekisho.reports.source.ReportVisitor() {
            @Override
            public void aggregateReport(dev.sekisho.reports.aggregate.AggregateReport r) {
                importer.aggregateReport(r);
            }

            @Override
            public void aggregateRecord(dev.sekisho.reports.aggregate.AggregateReport r, dev.sekisho.reports.aggregate.AggregateRecord record) {
                importer.aggregateRecord(r, record);
            }

            @Override
            public void aggregateReportEnd(dev.sekisho.reports.aggregate.AggregateReport r, boolean complete) {
                importer.aggregateReportEnd(r, false);
            }
        });
    }
}
