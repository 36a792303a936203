package dev.sekisho.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sekisho.testing.CliRun;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code dmarc import --maildir} in-process on a real Maildir, and the mailbox options' errors. */
class DmarcImportMailboxCommandTest {
    private static final Path CORPUS = Path.of("src/test/resources/reports/corpus");

    @TempDir
    Path dir;
    private Path maildir;
    private Path db;

    @BeforeEach
    void setUp() throws Exception {
        maildir = dir.resolve("Maildir");
        for (String sub : List.of("cur", "new", "tmp")) Files.createDirectories(maildir.resolve(sub));
        db = dir.resolve("reports.db");
        Files.copy(CORPUS.resolve("parsedmarc/aggregate/twilight.eml"), maildir.resolve("new/1700000001.1.host"));
        Files.copy(CORPUS.resolve("parsedmarc/failure/exim_plain_text_only_no_arf_part.eml"), maildir.resolve("cur/1700000002.2.host:2,S"));
    }

    @Test
    void aMaildirPassStoresArchivesAndRejectsWithTheReasonAndTheSummary() throws Exception {
        CliRun run = CliRun.of("dmarc", "import", "--no-enrich", "--maildir", maildir.toString(), "--db", db.toString());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(1); // one mail held no report
        assertThat(run.out()).contains("read:       2 files, 1 reports (1 aggregate, 0 failure, 0 TLS), 1 records, 1 messages")
                .contains("stored:     1 reports (1 aggregate, 0 failure, 0 TLS), 1 records, 1 messages")
                .contains("mails:      1 moved to .Archive, 1 moved to .Invalid, 0 left in place (not stored), 0 taken by another client");
        assertThat(run.err()).isEqualTo("sekisho dmarc import: " + maildir.resolve("cur/1700000002.2.host:2,S")
                + ": no readable report, moved to .Invalid: no-report-in-mail: no part of the mail is a report, an archive or a mail "
                + "(parts: text/plain)" + System.lineSeparator());
        assertThat(maildir.resolve(".Archive/cur/1700000001.1.host:2,S")).exists();
        assertThat(maildir.resolve(".Invalid/cur/1700000002.2.host:2,S")).exists();

        Files.copy(CORPUS.resolve("parsedmarc/aggregate/twilight.eml"), maildir.resolve("new/1700000003.3.host"));
        CliRun again = CliRun.of("dmarc", "import", "--no-enrich", "--maildir", maildir.toString(), "--db", db.toString(), "--json",
                "--archive-folder", "Done");
        assertThat(again.exitCode()).as(again.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(again.out());
        assertThat(json.at("/duplicates/aggregateReports").asLong()).isEqualTo(1);
        assertThat(json.at("/mails/archived").asLong()).isEqualTo(1);
        assertThat(json.at("/mails/invalid").asLong()).isZero();
        assertThat(maildir.resolve(".Done/cur/1700000003.3.host:2,S")).exists();
    }

    @Test
    void mailboxOptionsThatCannotGoTogetherAreUsageErrors() throws Exception {
        Path password = Files.writeString(dir.resolve("password"), "secret\n");
        assertUsage(List.of("dmarc", "import", "--maildir", maildir.toString(), "some.xml"), "Unmatched argument at index 4: 'some.xml'");
        assertUsage(List.of("dmarc", "import", "--maildir", maildir.toString(), "--imap", "127.0.0.1"), "mutually exclusive");
        assertUsage(List.of("dmarc", "import", "--maildir", maildir.toString(), "--parse-only"),
                "--parse-only does not go with --imap or --maildir: mails would be moved with nothing stored");
        assertUsage(List.of("dmarc", "import", "--maildir", maildir.toString(), "--imap-user", "u"), "--imap-user only go with --imap");
        assertUsage(List.of("dmarc", "import", "--watch", "some.xml"), "--watch goes with --imap or --maildir");
        assertUsage(List.of("dmarc", "import", "--imap", "127.0.0.1", "--imap-password-file", password.toString()), "--imap needs --imap-user");
        assertUsage(List.of("dmarc", "import", "--imap", "127.0.0.1", "--imap-user", "u"),
                "--imap needs the password: --imap-password-file FILE or --imap-password-env VAR");
        assertUsage(List.of("dmarc", "import", "--imap", "127.0.0.1", "--imap-user", "u", "--imap-password-env", "SEKISHO_TEST_NO_SUCH_VARIABLE"),
                "--imap-password-env: the environment variable SEKISHO_TEST_NO_SUCH_VARIABLE is not set or empty");
        assertUsage(List.of("dmarc", "import", "--imap", "127.0.0.1:imap", "--imap-user", "u", "--imap-password-file", password.toString()),
                "--imap: port must be a number, was \"imap\" in \"127.0.0.1:imap\"");
        assertUsage(List.of("dmarc", "import", "--imap", "127.0.0.1", "--imap-user", "u", "--imap-password-file", password.toString(),
                "--archive-folder", "INBOX"), "must be three different folders");
        assertUsage(List.of("dmarc", "import", "--maildir", maildir.toString(), "--watch", "--poll", "often"), "--poll must be a duration");
        assertThat(Files.exists(db)).as("no store opened for a usage error").isFalse();
    }

    @Test
    void anImapConnectionWithoutTlsIsRefusedToAnythingButLoopback() throws Exception {
        Path password = Files.writeString(dir.resolve("password"), "secret\n");
        CliRun run = CliRun.of("dmarc", "import", "--imap", "192.0.2.1:143", "--imap-insecure", "--imap-user", "u",
                "--imap-password-file", password.toString(), "--db", db.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("an IMAP connection without TLS is allowed to a loopback address only, not to 192.0.2.1");
    }

    @Test
    void aFolderThatIsNotAMaildirIsRefused() {
        CliRun run = CliRun.of("dmarc", "import", "--no-enrich", "--maildir", dir.resolve("nothing").toString(), "--db", db.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains(dir.resolve("nothing") + " is not a Maildir (it needs the folders cur and new)");
    }

    private static void assertUsage(List<String> args, String message) {
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertThat(run.exitCode()).as(String.join(" ", args) + "\n" + run.err()).isEqualTo(2);
        assertThat(run.err()).as(String.join(" ", args)).contains(message);
    }
}
