package dev.sekisho.reports.mailbox;

import dev.sekisho.backoff.Backoff;
import dev.sekisho.reports.aggregate.AggregateReport;
import dev.sekisho.reports.source.ReportLimits;
import dev.sekisho.reports.source.ReportVisitor;
import dev.sekisho.store.ReportImporter;
import dev.sekisho.store.ReportStore;
import dev.sekisho.store.StoreException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Move-after-store on a real Maildir into a real SQLite store: what moves where, and what stays when storing fails. */
class MaildirImportTest {
    @TempDir
    Path tmp;
    private Path maildir;
    private ReportStore store;
    private final List<MailOutcome> outcomes = new ArrayList<>();
    private MailboxImport importer;

    @BeforeEach
    void setUp() throws Exception {
        maildir = tmp.resolve("Maildir");
        for (String sub : List.of("cur", "new", "tmp")) Files.createDirectories(maildir.resolve(sub));
        store = ReportStore.openSqlite(tmp.resolve("reports.db"));
        importer = new MailboxImport(ReportLimits.defaults(), outcomes::add);
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    @Test
    void storedMailsMoveToArchiveAndAMailWithoutAReportToInvalid() throws Exception {
        copy("parsedmarc/aggregate/twilight.eml", "new/1700000001.1.host");
        copy("parsedmarc/smtp_tls/google.com_smtp_tls_report.eml", "cur/1700000002.2.host:2,S");
        copy("parsedmarc/failure/exim_plain_text_only_no_arf_part.eml", "new/1700000003.3.host");
        copy("parsedmarc/aggregate/invalid_xml.xml", "tmp/1700000004.4.host"); // still being delivered: never touched

        PassSummary pass = pass();

        assertThat(pass.archived()).isEqualTo(2);
        assertThat(pass.invalid()).isEqualTo(1);
        assertThat(pass.left()).isZero();
        assertThat(names("new")).isEmpty();
        assertThat(names("cur")).isEmpty();
        assertThat(names("tmp")).containsExactly("1700000004.4.host");
        // maildir(5): a mail leaving new/ gets the info suffix; one from cur/ keeps its flags.
        assertThat(names(".Archive/cur")).containsExactly("1700000001.1.host:2,S", "1700000002.2.host:2,S");
        assertThat(names(".Invalid/cur")).containsExactly("1700000003.3.host:2,S");
        assertThat(maildir.resolve(".Archive/maildirfolder")).exists();
        assertThat(maildir.resolve(".Invalid/new")).isDirectory();
        assertThat(store.counts().aggregateReports()).isEqualTo(1);
        assertThat(store.counts().tlsReports()).isEqualTo(1);
        MailOutcome invalid = outcomes.stream().filter(o -> o.disposition() == MailOutcome.Disposition.INVALID).findFirst().orElseThrow();
        assertThat(invalid.mail().name()).endsWith("new/1700000003.3.host");
        assertThat(invalid.reason()).startsWith("no-report-in-mail: no part of the mail is a report");
        assertThat(Files.readAllBytes(maildir.resolve(".Invalid/cur/1700000003.3.host:2,S")))
                .isEqualTo(Files.readAllBytes(corpus("parsedmarc/failure/exim_plain_text_only_no_arf_part.eml")));
    }

    @Test
    void aStoreThatFailsLeavesEveryMailWhereItIsAndTheNextPassTakesThem() throws Exception {
        copy("parsedmarc/aggregate/twilight.eml", "new/1700000001.1.host");
        copy("parsedmarc/smtp_tls/google.com_smtp_tls_report.eml", "cur/1700000002.2.host:2,S");
        ReportStore broken = ReportStore.openSqlite(tmp.resolve("broken.db"));
        broken.close(); // a real store whose every write now fails

        PassSummary failed;
        try (Mailbox box = MaildirMailbox.open(maildir, "Archive", "Invalid")) {
            failed = importer.pass(box, () -> new ReportImporter(broken), new StopSignal());
        }

        assertThat(failed.left()).isEqualTo(2);
        assertThat(failed.moved()).isZero();
        assertThat(names("new")).containsExactly("1700000001.1.host");
        assertThat(names("cur")).containsExactly("1700000002.2.host:2,S");
        assertThat(names(".Archive/cur")).isEmpty();
        assertThat(names(".Invalid/cur")).isEmpty();
        assertThat(outcomes).allSatisfy(o -> assertThat(o.reason()).startsWith("storing its reports failed, it stays in place: "));

        PassSummary retried = pass();
        assertThat(retried.archived()).isEqualTo(2);
        assertThat(names(".Archive/cur")).hasSize(2);
        assertThat(store.counts().aggregateReports()).isEqualTo(1);
    }

    @Test
    void aMailWhoseSecondReportFailsToStoreStaysAndIsArchivedOnceBothAreStored() throws Exception {
        Files.write(maildir.resolve("new/1700000005.5.host"), mailWithAttachments(
                "cry-inc-dmarc-report-viewer/dmarc-reports/google.xml", "cry-inc-dmarc-report-viewer/dmarc-reports/yahoo.xml"));
        AtomicInteger begun = new AtomicInteger();
        // The store gives out at the second report of the mail, after the first one was committed.
        PassSummary first;
        try (Mailbox box = MaildirMailbox.open(maildir, "Archive", "Invalid")) {
            first = importer.pass(box, () -> new FailingAtSecondReport(new ReportImporter(store), begun), new StopSignal());
        }
        assertThat(first.left()).isEqualTo(1);
        assertThat(names("new")).containsExactly("1700000005.5.host");
        assertThat(store.counts().aggregateReports()).as("the first report is committed").isEqualTo(1);

        ReportImporter[] last = new ReportImporter[1];
        PassSummary second;
        try (Mailbox box = MaildirMailbox.open(maildir, "Archive", "Invalid")) {
            second = importer.pass(box, () -> last[0] = new ReportImporter(store), new StopSignal());
        }
        assertThat(second.archived()).isEqualTo(1);
        assertThat(names(".Archive/cur")).containsExactly("1700000005.5.host:2,S");
        assertThat(store.counts().aggregateReports()).isEqualTo(2);
        assertThat(last[0].tally().aggregateDuplicates()).as("the first report is not stored twice").isEqualTo(1);
        assertThat(last[0].tally().aggregateStored()).isEqualTo(1);
    }

    @Test
    void aNameAlreadyTakenInTheArchiveGetsACounterInsteadOfReplacingThatMail() throws Exception {
        copy("parsedmarc/aggregate/twilight.eml", "cur/1700000001.1.host:2,S");
        Files.createDirectories(maildir.resolve(".Archive/cur"));
        Files.writeString(maildir.resolve(".Archive/cur/1700000001.1.host:2,S"), "an older mail of the same name\n");

        assertThat(pass().archived()).isEqualTo(1);

        assertThat(names(".Archive/cur")).containsExactly("1700000001.1.host.1:2,S", "1700000001.1.host:2,S");
        assertThat(Files.readString(maildir.resolve(".Archive/cur/1700000001.1.host:2,S"))).isEqualTo("an older mail of the same name\n");
    }

    @Test
    void folderNamesAreMaildirPlusPlusNamesAndMustDiffer() throws Exception {
        try (MaildirMailbox box = MaildirMailbox.open(maildir, ".Reports.Done", "Reports.Bad")) {
            assertThat(box.archiveFolder()).isEqualTo(".Reports.Done");
            assertThat(box.invalidFolder()).isEqualTo(".Reports.Bad");
        }
        assertThat(maildir.resolve(".Reports.Done/cur")).isDirectory();
        assertThatThrownBy(() -> MaildirMailbox.open(maildir, "Archive", ".Archive"))
                .isInstanceOf(MailboxException.class).hasMessageContaining("must differ");
        assertThatThrownBy(() -> MaildirMailbox.open(maildir, "../elsewhere", "Invalid"))
                .isInstanceOf(MailboxException.class).hasMessageContaining("Maildir++ folder name");
        assertThatThrownBy(() -> MaildirMailbox.open(tmp.resolve("nothing"), "Archive", "Invalid"))
                .isInstanceOf(MailboxException.class).hasMessageContaining("is not a Maildir")
                .satisfies(e -> assertThat(((MailboxException) e).retryable()).isFalse());
    }

    @Test
    void watchingPollsTakesMailThatArrivesAndStopsWhenAsked() throws Exception {
        copy("parsedmarc/aggregate/twilight.eml", "new/1700000001.1.host");
        StopSignal stop = new StopSignal();
        List<Duration> pauses = new ArrayList<>();
        Pause pause = d -> {
            pauses.add(d);
            if (pauses.size() == 1) {
                try {
                    copy("parsedmarc/smtp_tls/google.com_smtp_tls_report.eml", "new/1700000009.9.host"); // delivered while we wait
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            } else {
                stop.stop();
            }
        };
        MailboxWatch watch = new MailboxWatch(importer, () -> MaildirMailbox.open(maildir, "Archive", "Invalid"),
                Duration.ofSeconds(30), MailboxWatch.RECONNECT, pause, notice -> {
        });

        PassSummary total = watch.run(() -> new ReportImporter(store), stop);

        assertThat(total.archived()).isEqualTo(2);
        assertThat(pauses).containsExactly(Duration.ofSeconds(30), Duration.ofSeconds(30));
        assertThat(names(".Archive/cur")).containsExactly("1700000001.1.host:2,S", "1700000009.9.host:2,S");
    }

    @Test
    void watchingRunsItsAfterStoringWorkOnceEachTimeTheMailboxIsDrainedAfterMailCame() throws Exception {
        copy("parsedmarc/aggregate/twilight.eml", "new/1700000001.1.host");
        StopSignal stop = new StopSignal();
        List<String> events = new ArrayList<>();
        Pause pause = d -> {
            events.add("wait");
            try {
                if (events.stream().filter("wait"::equals).count() == 1) {
                    copy("parsedmarc/smtp_tls/google.com_smtp_tls_report.eml", "new/1700000009.9.host");
                } else if (events.stream().filter("wait"::equals).count() == 3) {
                    stop.stop();
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        MailboxWatch watch = new MailboxWatch(importer, () -> MaildirMailbox.open(maildir, "Archive", "Invalid"),
                Duration.ofSeconds(30), MailboxWatch.RECONNECT, pause, notice -> {
        }, () -> {
            try {
                events.add("after " + names(".Archive/cur").size());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        watch.run(() -> new ReportImporter(store), stop);

        // Drained with one mail archived, then with two; the third wait followed a pass that found nothing new.
        assertThat(events).containsExactly("after 1", "wait", "after 2", "wait", "wait");
    }

    @Test
    void watchingReconnectsWithGrowingBackoffAndGivesUpOnARefusal() throws Exception {
        copy("parsedmarc/aggregate/twilight.eml", "new/1700000001.1.host");
        StopSignal stop = new StopSignal();
        List<Duration> pauses = new ArrayList<>();
        List<String> notices = new ArrayList<>();
        AtomicInteger attempts = new AtomicInteger();
        MailboxWatch.Opener flaky = () -> {
            // Three connection failures, a session that works, then a refusal no retry can fix.
            int n = attempts.incrementAndGet();
            if (n <= 3) throw new MailboxException(MailboxException.Kind.UNREACHABLE, "connection refused (attempt " + n + ")");
            if (n == 4) return MaildirMailbox.open(maildir, "Archive", "Invalid");
            throw new MailboxException(MailboxException.Kind.REFUSED, "the server refused the login");
        };
        // The working session loses its connection while waiting for mail.
        MailboxWatch.Opener losing = () -> {
            Mailbox box = flaky.open();
            return new ForwardingMailbox(box) {
                @Override
                public void await(Duration poll, int waitingNow, Pause p, StopSignal s) throws MailboxException {
                    throw new MailboxException(MailboxException.Kind.UNREACHABLE, "connection reset");
                }
            };
        };
        MailboxWatch watch = new MailboxWatch(importer, losing, Duration.ofMinutes(5), Backoff.doubling(Duration.ofSeconds(1), Duration.ofSeconds(3)),
                d -> pauses.add(d), notices::add);

        assertThatThrownBy(() -> watch.run(() -> new ReportImporter(store), stop))
                .isInstanceOf(MailboxException.class).hasMessage("the server refused the login");

        assertThat(pauses).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(1));
        assertThat(notices.get(0)).isEqualTo("cannot open the mailbox (connection refused (attempt 1)); trying again in 1 s");
        assertThat(notices.get(3)).isEqualTo("lost the connection to the mailbox (connection reset); trying again in 1 s");
        assertThat(names(".Archive/cur")).containsExactly("1700000001.1.host:2,S");
    }

    private PassSummary pass() throws Exception {
        try (Mailbox box = MaildirMailbox.open(maildir, "Archive", "Invalid")) {
            return importer.pass(box, () -> new ReportImporter(store), new StopSignal());
        }
    }

    private List<String> names(String folder) throws Exception {
        Path dir = maildir.resolve(folder);
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private void copy(String corpusPath, String to) throws java.io.IOException {
        Path target = maildir.resolve(to);
        Files.createDirectories(target.getParent());
        Files.copy(corpus(corpusPath), target);
    }

    static Path corpus(String path) {
        try {
            return Path.of(Objects.requireNonNull(MaildirImportTest.class.getResource("/reports/corpus/" + path), path).toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A report mail with each corpus file as an attachment. */
    static byte[] mailWithAttachments(String... corpusPaths) throws Exception {
        MimeMessage mail = new MimeMessage(Session.getInstance(new Properties()));
        mail.setFrom("noreply-dmarc@reporter.example");
        mail.setRecipients(jakarta.mail.Message.RecipientType.TO, "dmarc@example.test");
        mail.setSubject("Report domain: example.test");
        MimeMultipart parts = new MimeMultipart();
        for (String path : corpusPaths) {
            MimeBodyPart part = new MimeBodyPart();
            part.attachFile(corpus(path).toFile(), "application/xml", "base64");
            parts.addBodyPart(part);
        }
        mail.setContent(parts);
        mail.saveChanges();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        mail.writeTo(bytes);
        return bytes.toByteArray();
    }

    /** A mailbox that does what another does; tests override one method to make it fail. */
    private static class ForwardingMailbox implements Mailbox {
        private final Mailbox inner;

        ForwardingMailbox(Mailbox inner) {
            this.inner = inner;
        }

        @Override
        public String location() {
            return inner.location();
        }

        @Override
        public String archiveFolder() {
            return inner.archiveFolder();
        }

        @Override
        public String invalidFolder() {
            return inner.invalidFolder();
        }

        @Override
        public List<MailRef> waiting() throws java.io.IOException {
            return inner.waiting();
        }

        @Override
        public java.util.Optional<byte[]> read(MailRef mail, int maxBytes) throws java.io.IOException {
            return inner.read(mail, maxBytes);
        }

        @Override
        public boolean archive(MailRef mail) throws java.io.IOException {
            return inner.archive(mail);
        }

        @Override
        public boolean reject(MailRef mail) throws java.io.IOException {
            return inner.reject(mail);
        }

        @Override
        public void await(Duration poll, int waitingNow, Pause pause, StopSignal stop) throws java.io.IOException, InterruptedException {
            inner.await(poll, waitingNow, pause, stop);
        }

        @Override
        public void close() throws java.io.IOException {
            inner.close();
        }
    }

    /** Hands everything to the importer, but the store "fails" when the second aggregate report begins. */
    private static final class FailingAtSecondReport implements ReportVisitor {
        private final ReportImporter importer;
        private final AtomicInteger begun;

        FailingAtSecondReport(ReportImporter importer, AtomicInteger begun) {
            this.importer = importer;
            this.begun = begun;
        }

        @Override
        public void aggregateReport(AggregateReport report) {
            if (begun.incrementAndGet() == 2) throw new StoreException("cannot store the aggregate report: database is locked");
            importer.aggregateReport(report);
        }

        @Override
        public void aggregateRecord(AggregateReport report, dev.sekisho.reports.aggregate.AggregateRecord record) {
            importer.aggregateRecord(report, record);
        }

        @Override
        public void aggregateReportEnd(AggregateReport report, boolean complete) {
            importer.aggregateReportEnd(report, complete);
        }
    }
}
