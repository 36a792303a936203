package dev.sekisho.dovecot;

import dev.sekisho.engine.LoginAttempt;
import dev.sekisho.logs.LogEntry;
import dev.sekisho.logs.LogLine;
import dev.sekisho.logs.TraditionalLine;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Dovecot 2.3 lines as its log_path writes them (no host) and as syslog delivers them ("dovecot: imap-login: ..."). */
class DovecotAuthLogLineTest {
    private static final Instant RECEIVED = Instant.parse("2026-12-02T06:00:05Z");
    private static final ZoneId TOKYO = ZoneId.of("Asia/Tokyo");

    /** A log_path line: "Mmm dd hh:mm:ss process: Level: message". */
    private static List<LoginAttempt> logPath(String line) throws Exception {
        LogEntry entry = TraditionalLine.parse(new LogLine(line, RECEIVED), false, TOKYO);
        return DovecotAuthLogLine.parse(entry.program(), entry.message(), entry.timestamp());
    }

    /** A syslog file line: "Mmm dd hh:mm:ss host dovecot: process: message". */
    private static List<LoginAttempt> syslog(String line) throws Exception {
        LogEntry entry = TraditionalLine.parse(new LogLine(line, RECEIVED), true, TOKYO);
        return DovecotAuthLogLine.parse(entry.program(), entry.message(), entry.timestamp());
    }

    @Test
    void failedImapLoginIsOneFailureWithProtocolAndClient() throws Exception {
        List<LoginAttempt> attempts = logPath("Dec 02 15:00:01 imap-login: Info: Disconnected (auth failed, 1 attempts in 2 secs): "
                + "user=<u@example.test>, method=PLAIN, rip=198.51.100.9, lip=127.0.0.1, session=<hvcC89dggIt/AAAB>");
        assertThat(attempts).containsExactly(new LoginAttempt(Instant.parse("2026-12-02T06:00:01Z"), "u@example.test",
                InetAddress.getByName("198.51.100.9"), "imap", LoginAttempt.Result.FAILURE, "", "dovecot-log"));
    }

    @Test
    void severalAttemptsInOneConnectionAreEachCounted() throws Exception {
        List<LoginAttempt> attempts = syslog("Dec  2 15:00:01 mail dovecot: pop3-login: Aborted login (auth failed, 3 attempts in 17 secs): "
                + "user=<admin>, method=PLAIN, rip=203.0.113.104, lip=192.0.2.87, session=<eGg3gk0UWgAly9Zo>");
        assertThat(attempts).hasSize(3).allSatisfy(a -> {
            assertThat(a.protocol()).isEqualTo("pop3");
            assertThat(a.account()).isEqualTo("admin");
            assertThat(a.failed()).isTrue();
        });
    }

    @Test
    void implausibleAttemptCountIsCappedAndZeroCountsNothing() throws Exception {
        assertThat(logPath("Dec 02 15:00:01 imap-login: Info: Disconnected (auth failed, 99999999999 attempts in 2 secs): "
                + "user=<u>, method=PLAIN, rip=198.51.100.9, lip=127.0.0.1")).hasSize(100);
        assertThat(logPath("Dec 02 15:00:01 imap-login: Info: Disconnected (auth failed, 0 attempts in 2 secs): "
                + "user=<u>, method=PLAIN, rip=198.51.100.9, lip=127.0.0.1")).isEmpty();
    }

    @Test
    void failureEndedByAnErrorOrTimeoutStillCounts() throws Exception {
        assertThat(logPath("Nov 14 03:51:22 pop3-login: Info: Disconnected: Connection closed: read(size=988) failed: Connection reset by peer "
                + "(auth failed, 1 attempts in 2 secs): user=<shop@example.test>, method=PLAIN, rip=203.0.113.189, lip=192.0.2.4, session=<ZfpthtYmgKpXeHG9>"))
                .singleElement().satisfies(a -> assertThat(a.remote()).isEqualTo(InetAddress.getByName("203.0.113.189")));
        assertThat(syslog("Dec  2 15:00:01 mail dovecot: imap-login: Disconnected: Inactivity (auth failed, 1 attempts in 180 secs): "
                + "user=<u@example.test>, method=PLAIN, rip=2001:db8::9, lip=::1, TLS, session=<x>"))
                .singleElement().satisfies(a -> assertThat(a.remote()).isEqualTo(InetAddress.getByName("2001:db8::9")));
        // a missing space after the comma, as seen in the wild
        assertThat(syslog("Apr 22 12:20:38 mail dovecot: pop3-login: Aborted login (auth failed, 1 attempts in 17 secs): "
                + "user=<webmaster>, method=PLAIN, rip=203.0.113.104,lip=192.0.2.87, session=<rQu4gk0UBQAly9Zo>")).hasSize(1);
    }

    @Test
    void loginIsASuccess() throws Exception {
        List<LoginAttempt> attempts = logPath("Dec 02 15:00:03 submission-login: Info: Login: user=<u@example.test>, method=PLAIN, "
                + "rip=198.51.100.9, lip=127.0.0.1, mpid=4725, secured, session=<Z5L2nQEH0tF/AAAB>");
        assertThat(attempts).singleElement().satisfies(a -> {
            assertThat(a.result()).isEqualTo(LoginAttempt.Result.SUCCESS);
            assertThat(a.protocol()).isEqualTo("submission");
            assertThat(a.account()).isEqualTo("u@example.test");
        });
    }

    @Test
    void authProcessLinesAndConnectionsWithoutAPasswordCheckAreNotCounted() throws Exception {
        // counted through the login process's line instead (see the class comment)
        assertThat(logPath("Dec 02 15:00:01 auth: Info: passwd-file(u@example.test,198.51.100.9,<hvcC89dggIt/AAAB>): Password mismatch")).isEmpty();
        assertThat(logPath("Dec 02 15:00:01 auth: Info: passwd-file(nobody@example.test,198.51.100.9,<hvcC89dggIt/AAAB>): unknown user")).isEmpty();
        assertThat(syslog("Dec 21 22:05:12 mail dovecot: imap-login: Aborted login (no auth attempts in 0 secs): user=<>, rip=172.22.1.6, lip=172.22.1.8")).isEmpty();
        assertThat(syslog("Dec 21 22:05:12 mail dovecot: imap-login: Aborted login (tried to use disallowed plaintext auth): "
                + "user=<>, rip=198.51.100.9, lip=127.0.0.1, session=<x>")).isEmpty();
        assertThat(syslog("Dec 21 22:05:14 mail dovecot: imap(u@example.test)<373><abc>: Logged out in=146 out=2974")).isEmpty();
        assertThat(syslog("Dec 21 22:05:14 mail postfix/smtpd[1]: Login: user=<u>, rip=198.51.100.9")).isEmpty();
    }
}
