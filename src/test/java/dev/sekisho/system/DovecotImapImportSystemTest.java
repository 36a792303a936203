package dev.sekisho.system;

import dev.sekisho.reports.mailbox.ImapMailbox;
import dev.sekisho.reports.mailbox.ImapSettings;
import dev.sekisho.reports.mailbox.MailOutcome;
import dev.sekisho.reports.mailbox.MailboxImport;
import dev.sekisho.reports.mailbox.MailboxWatch;
import dev.sekisho.reports.mailbox.PassSummary;
import dev.sekisho.reports.mailbox.Pause;
import dev.sekisho.reports.mailbox.StopSignal;
import dev.sekisho.reports.source.ReportLimits;
import dev.sekisho.store.ReportImporter;
import dev.sekisho.store.ReportStore;
import dev.sekisho.store.StoreCounts;
import dev.sekisho.testing.CliRun;
import dev.sekisho.testing.RealDovecot;
import jakarta.mail.Folder;
import jakarta.mail.Store;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code sekisho dmarc import --imap} against a real Dovecot (Debian's dovecot-imapd) on loopback: TLS with a
 * certificate made at start, mails APPENDed from corpus samples, moved by the server as Sekisho asks.
 */
@Tag("system")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DovecotImapImportSystemTest {
    private static final List<RealDovecot.User> USERS = List.of(
            new RealDovecot.User("cli", "cli-secret"), new RealDovecot.User("starttls", "tls-secret"),
            new RealDovecot.User("refused", "right-secret"), new RealDovecot.User("failing", "failing-secret"),
            new RealDovecot.User("watcher", "watch-secret"), new RealDovecot.User("racer", "race-secret"));

    private static final String AGGREGATE = "parsedmarc/aggregate/twilight.eml";
    private static final String TLS = "parsedmarc/smtp_tls/google.com_smtp_tls_report.eml";
    private static final String FAILURE = "parsedmarc/failure/dmarc_ruf_report_linkedin.eml";
    private static final String NO_REPORT = "parsedmarc/failure/exim_plain_text_only_no_arf_part.eml";
    private static final String GZIP_AGGREGATE = "parsedmarc/aggregate/mimecast-weird-gzip.eml";

    @TempDir
    Path dir;
    private RealDovecot dovecot;

    @BeforeAll
    void startDovecot() throws Exception {
        RealDovecot.requireAvailable();
        dovecot = RealDovecot.start(USERS, List.of());
    }

    @AfterAll
    void stopDovecot() throws Exception {
        if (dovecot != null) dovecot.close();
    }

    @Test
    void onePassStoresTheReportsArchivesTheirMailsAndMovesTheUnreadableOneToInvalid() throws Exception {
        dovecot.append("cli", "INBOX", sample(AGGREGATE), sample(TLS), sample(FAILURE), sample(NO_REPORT));
        Path db = dir.resolve("cli.db");

        CliRun run = CliRun.of(cliArgs("cli", "cli-secret", db, "--imap", "127.0.0.1:" + dovecot.imapsPort()));

        assertThat(run.exitCode()).as(run.err()).isEqualTo(1); // one mail held no report
        assertThat(run.out()).contains("read:       4 files, 3 reports (1 aggregate, 1 failure, 1 TLS), 1 records, 1 messages")
                .contains("stored:     3 reports (1 aggregate, 1 failure, 1 TLS), 1 records, 1 messages")
                .contains("skipped:    0 records, 1 inputs rejected")
                .contains("mails:      3 moved to Archive, 1 moved to Invalid, 0 left in place (not stored), 0 taken by another client");
        assertThat(run.err()).contains("imaps://cli@127.0.0.1:" + dovecot.imapsPort() + "/INBOX/;UID=4: no readable report, moved to Invalid: "
                + "no-report-in-mail: no part of the mail is a report");
        assertThat(dovecot.messages("cli", "INBOX")).isEmpty();
        assertThat(dovecot.messages("cli", "Archive")).extracting(RealDovecot.Mail::text)
                .satisfiesExactly(m -> assertThat(m).contains("Message-ID: <1627703331531660819@google.com>"),
                        m -> assertThat(m).contains("Message-ID: <66d83c20.050a0220.a0566.1e8dtls@google.com>"),
                        m -> assertThat(m).contains("Message-ID: <BB.91.26019.C3EA7CC5@mail516.prod.linkedin.com>"));
        assertThat(dovecot.messages("cli", "Invalid")).extracting(RealDovecot.Mail::text)
                .singleElement().satisfies(m -> assertThat(m).contains("Message-Id: <E1u1tpB-00AA5u-ED@node04.mailgate.example.net>"));
        try (ReportStore store = ReportStore.open(db.toString())) {
            StoreCounts counts = store.counts();
            assertThat(counts.aggregateReports()).isEqualTo(1);
            assertThat(counts.failureReports()).isEqualTo(1);
            assertThat(counts.tlsReports()).isEqualTo(1);
        }

        CliRun again = CliRun.of(cliArgs("cli", "cli-secret", db, "--imap", "127.0.0.1:" + dovecot.imapsPort()));
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.out()).contains("read:       0 files, 0 reports").contains("mails:      0 moved to Archive, 0 moved to Invalid");
    }

    @Test
    void starttlsUpgradesThePlainPortBeforeTheLogin() throws Exception {
        dovecot.append("starttls", "INBOX", sample(GZIP_AGGREGATE));

        CliRun run = CliRun.of(cliArgs("starttls", "tls-secret", dir.resolve("starttls.db"), "--imap", "127.0.0.1:" + dovecot.imapPort(),
                "--imap-starttls", "--archive-folder", "Reports.Done", "--invalid-folder", "Reports.Bad"));

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("stored:     1 reports (1 aggregate, 0 failure, 0 TLS)")
                .contains("mails:      1 moved to Reports.Done, 0 moved to Reports.Bad");
        // Dovecot's Maildir separates folder levels with "."; "/" in a name is refused, with the separator named.
        assertThat(dovecot.messages("starttls", "Reports.Done")).hasSize(1);
        assertThat(dovecot.messages("starttls", "Reports.Bad")).isEmpty();
        CliRun slash = CliRun.of(cliArgs("starttls", "tls-secret", dir.resolve("starttls.db"), "--imap", "127.0.0.1:" + dovecot.imapPort(),
                "--imap-starttls", "--archive-folder", "Reports/Done"));
        assertThat(slash.exitCode()).isEqualTo(1);
        assertThat(slash.err()).contains("the server did not create the folder Reports/Done (its folder hierarchy separator is '.')");
        // Dovecot notes ", TLS" on a login that happened inside TLS; on port imapPort that can only be STARTTLS.
        assertThat(dovecot.awaitLogLine(l -> l.contains("Login: user=<starttls>") && l.contains("lport=" + dovecot.imapPort() + ","), Duration.ofSeconds(10)))
                .contains(", TLS");
    }

    @Test
    void aWrongPasswordOrAnUntrustedCertificateIsARefusalAndTheMailsStay() throws Exception {
        dovecot.append("refused", "INBOX", sample(AGGREGATE));

        CliRun wrongPassword = CliRun.of(cliArgs("refused", "wrong-secret", dir.resolve("refused.db"), "--imap", "127.0.0.1:" + dovecot.imapsPort()));
        assertThat(wrongPassword.exitCode()).isEqualTo(1);
        assertThat(wrongPassword.err()).contains("cannot open imaps://refused@127.0.0.1:" + dovecot.imapsPort() + "/INBOX: the server refused the login");

        Path password = dir.resolve("refused.password");
        Files.writeString(password, "right-secret\n");
        CliRun untrusted = CliRun.of("dmarc", "import", "--imap", "127.0.0.1:" + dovecot.imapsPort(), "--imap-user", "refused",
                "--imap-password-file", password.toString(), "--db", dir.resolve("refused.db").toString());
        assertThat(untrusted.exitCode()).isEqualTo(1);
        assertThat(untrusted.err()).contains("the server's certificate is not trusted for this host (give its certificate or CA with --imap-trust)");

        assertThat(dovecot.messages("refused", "INBOX")).hasSize(1);
        assertThat(dovecot.messages("refused", "Archive")).isEmpty();
    }

    @Test
    void aStoreFailureLeavesTheMailInTheInboxUnreadAndTheNextPassArchivesIt() throws Exception {
        dovecot.append("failing", "INBOX", sample(AGGREGATE), sample(TLS));
        ReportStore broken = ReportStore.openSqlite(dir.resolve("broken.db"));
        broken.close(); // every write now fails, as with a database that went away
        List<MailOutcome> outcomes = new ArrayList<>();
        MailboxImport importer = new MailboxImport(ReportLimits.defaults(), outcomes::add);

        PassSummary failed;
        try (ImapMailbox box = ImapMailbox.open(settings("failing", "failing-secret"))) {
            failed = importer.pass(box, () -> new ReportImporter(broken), new StopSignal());
        }

        assertThat(failed.left()).isEqualTo(2);
        assertThat(outcomes).extracting(MailOutcome::disposition).containsOnly(MailOutcome.Disposition.LEFT);
        assertThat(dovecot.messages("failing", "INBOX")).hasSize(2)
                .allSatisfy(m -> assertThat(m.seen()).as("read with BODY.PEEK, so still unread").isFalse());
        assertThat(dovecot.messages("failing", "Archive")).isEmpty();

        try (ReportStore store = ReportStore.openSqlite(dir.resolve("failing.db"));
             ImapMailbox box = ImapMailbox.open(settings("failing", "failing-secret"))) {
            PassSummary retried = importer.pass(box, () -> new ReportImporter(store), new StopSignal());
            assertThat(retried.archived()).isEqualTo(2);
            assertThat(store.counts().tlsReports()).isEqualTo(1);
        }
        assertThat(dovecot.messages("failing", "INBOX")).isEmpty();
        assertThat(dovecot.messages("failing", "Archive")).hasSize(2);
    }

    @Test
    void clientsThatOpenTheMailboxAtOnceAllGetTheFoldersOneOfThemCreated() throws Exception {
        // Two watchers, or a watcher and a person's mail client, may find Archive missing at the same moment: the
        // one whose CREATE comes second is told NO, and must take the folder the other made.
        int clients = 8;
        CyclicBarrier together = new CyclicBarrier(clients);
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            threads.add(Thread.ofPlatform().name("racer-" + i).start(() -> {
                try {
                    together.await(30, TimeUnit.SECONDS);
                    ImapMailbox.open(settings("racer", "race-secret")).close();
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        for (Thread t : threads) t.join(Duration.ofSeconds(60));

        assertThat(failures).isEmpty();
        try (Store store = dovecot.connect("racer")) {
            assertThat(Arrays.stream(store.getDefaultFolder().list()).map(Folder::getFullName))
                    .containsExactlyInAnyOrder("INBOX", "Archive", "Invalid");
        }
    }

    @Test
    void watchingWithIdleTakesNewMailAtOnceAndReconnectsAfterTheServerRestarts() throws Exception {
        dovecot.append("watcher", "INBOX", sample(AGGREGATE));
        StopSignal stop = new StopSignal();
        List<Duration> pauses = new CopyOnWriteArrayList<>();
        List<String> notices = new CopyOnWriteArrayList<>();
        CountDownLatch serverBack = new CountDownLatch(1);
        AtomicInteger pausesBeforeTheStop = new AtomicInteger(-1);
        // Waits are recorded. A backoff wait after the test stopped the server holds until it is back; one before
        // (a login refused for the moment on a slow machine) passes at once, so the watch goes on and says why.
        Pause pause = d -> {
            pauses.add(d);
            if (pausesBeforeTheStop.get() >= 0) serverBack.await(30, TimeUnit.SECONDS);
        };
        AtomicReference<ImapMailbox> opened = new AtomicReference<>();
        ImapSettings settings = settings("watcher", "watch-secret");
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<PassSummary> total = new AtomicReference<>();
        try (ReportStore store = ReportStore.openSqlite(dir.resolve("watch.db"))) {
            MailboxWatch watch = new MailboxWatch(new MailboxImport(ReportLimits.defaults(), o -> {
            }), () -> {
                ImapMailbox box = ImapMailbox.open(settings);
                opened.set(box);
                return box;
            }, Duration.ofMinutes(10), MailboxWatch.RECONNECT, pause, notices::add);
            Thread watcher = Thread.ofPlatform().name("watch-test").start(() -> {
                try {
                    total.set(watch.run(() -> new ReportImporter(store), stop));
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            Runnable watcherState = () -> {
                if (failure.get() != null) throw new AssertionError("the watch ended: " + failure.get(), failure.get());
            };
            try {
                awaitArchived("watcher", 1, watcherState, notices);
                assertThat(opened.get().idles()).isTrue();
                assertThat(opened.get().moves()).isTrue();

                dovecot.append("watcher", "INBOX", sample(TLS)); // IDLE tells the watcher at once; the poll is 10 minutes
                awaitArchived("watcher", 2, watcherState, notices);

                pausesBeforeTheStop.set(pauses.size());
                dovecot.stop();
                awaitTrue(() -> pauses.size() > pausesBeforeTheStop.get(), "a backoff wait after the connection broke");
                dovecot.start();
                serverBack.countDown();
                dovecot.append("watcher", "INBOX", sample(FAILURE));
                awaitArchived("watcher", 3, watcherState, notices);
            } finally {
                stop.stop();
                watcher.join(Duration.ofSeconds(30));
            }
            assertThat(watcher.isAlive()).as("stopped within 30 s").isFalse();
            assertThat(failure.get()).isNull();
            int firstAfterTheStop = pausesBeforeTheStop.get();
            assertThat(pauses.get(firstAfterTheStop)).as("the backoff starts afresh after whole passes").isEqualTo(Duration.ofSeconds(1));
            assertThat(notices.get(firstAfterTheStop)).startsWith("lost the connection to the mailbox");
            assertThat(total.get().archived()).isEqualTo(3);
            assertThat(store.counts().failureReports()).isEqualTo(1);
        }
        assertThat(dovecot.messages("watcher", "INBOX")).isEmpty();
    }

    @Test
    void aServerWithoutMoveUidplusAndIdleGetsCopyExpungeAndPolling() throws Exception {
        // imap_capability replaces what Dovecot announces after login: IMAP4rev1 alone, as an old server would.
        try (RealDovecot old = RealDovecot.start(List.of(new RealDovecot.User("old", "old-secret")),
                List.of("imap_capability = IMAP4rev1 LITERAL+ SASL-IR ID ENABLE"));
             ReportStore store = ReportStore.openSqlite(dir.resolve("old.db"))) {
            old.append("old", "INBOX", sample(AGGREGATE));
            StopSignal stop = new StopSignal();
            List<Duration> pauses = new ArrayList<>();
            Pause pause = d -> {
                pauses.add(d);
                if (pauses.size() == 1) {
                    try {
                        old.append("old", "INBOX", sample(NO_REPORT)); // arrives between two polls
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                } else {
                    stop.stop();
                }
            };
            AtomicReference<ImapMailbox> opened = new AtomicReference<>();
            ImapSettings settings = new ImapSettings("127.0.0.1", old.imapsPort(), ImapSettings.Security.IMPLICIT_TLS, "old", "old-secret",
                    "INBOX", "Archive", "Invalid", certificates(old.certificate()), Duration.ofSeconds(20));
            MailboxWatch watch = new MailboxWatch(new MailboxImport(ReportLimits.defaults(), o -> {
            }), () -> {
                ImapMailbox box = ImapMailbox.open(settings);
                opened.set(box);
                return box;
            }, Duration.ofSeconds(30), MailboxWatch.RECONNECT, pause, n -> {
            });

            PassSummary total = watch.run(() -> new ReportImporter(store), stop);

            assertThat(opened.get().moves()).isFalse();
            assertThat(opened.get().idles()).isFalse();
            assertThat(total.archived()).isEqualTo(1);
            assertThat(total.invalid()).isEqualTo(1);
            assertThat(pauses).containsExactly(Duration.ofSeconds(30), Duration.ofSeconds(30));
            assertThat(old.messages("old", "INBOX")).as("copied, flagged \\Deleted and expunged").isEmpty();
            assertThat(old.messages("old", "Archive")).singleElement().satisfies(m -> assertThat(m.deleted()).isFalse());
            assertThat(old.messages("old", "Invalid")).hasSize(1);
        }
    }

    /**
     * Waits for the watch to have archived {@code count} mails; fails at once when {@code watcherState} says the watch
     * ended, and with the watch's notices and Dovecot's log when the time is up, the only traces of why.
     */
    private void awaitArchived(String user, int count, Runnable watcherState, List<String> notices) throws Exception {
        try {
            awaitTrue(() -> {
                watcherState.run();
                try {
                    return dovecot.messages(user, "Archive").size() >= count;
                } catch (Exception e) {
                    return false; // the server is restarting
                }
            }, count + " mails in " + user + "'s Archive");
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; " + notices.size() + " notices, the first: "
                    + notices.subList(0, Math.min(5, notices.size())) + "; Dovecot's log:\n" + String.join("\n", dovecot.logLines()), e);
        }
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(30);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) throw new AssertionError("not within 30 s: " + what);
            Thread.sleep(100);
        }
    }

    private ImapSettings settings(String user, String password) throws Exception {
        return new ImapSettings("127.0.0.1", dovecot.imapsPort(), ImapSettings.Security.IMPLICIT_TLS, user, password, "INBOX", "Archive", "Invalid",
                certificates(dovecot.certificate()), Duration.ofSeconds(20));
    }

    private static List<X509Certificate> certificates(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return CertificateFactory.getInstance("X.509").generateCertificates(in).stream().map(c -> (X509Certificate) c).toList();
        }
    }

    private String[] cliArgs(String user, String password, Path db, String... more) throws Exception {
        Path passwordFile = dir.resolve(user + "-" + Math.abs(password.hashCode()) + ".password");
        Files.writeString(passwordFile, password + "\n");
        List<String> args = new ArrayList<>(List.of("dmarc", "import", "--no-enrich", "--imap-user", user, "--imap-password-file", passwordFile.toString(),
                "--imap-trust", dovecot.certificate().toString(), "--db", db.toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    private static byte[] sample(String corpusPath) throws Exception {
        return Files.readAllBytes(Path.of(Objects.requireNonNull(
                DovecotImapImportSystemTest.class.getResource("/reports/corpus/" + corpusPath), corpusPath).toURI()));
    }
}
