package dev.sekisho.postfix;

import dev.sekisho.engine.LoginAttempt;
import dev.sekisho.logs.LogEntry;
import dev.sekisho.logs.LogLine;
import dev.sekisho.logs.TraditionalLine;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Lines as Postfix 3.7 writes them (maillog_file via postlogd, and syslog's mail.log). */
class PostfixSaslLogLineTest {
    private static final Instant RECEIVED = Instant.parse("2026-12-02T06:00:05Z");

    private static Optional<LoginAttempt> parse(String line) throws Exception {
        LogEntry entry = TraditionalLine.parse(new LogLine(line, RECEIVED), true, ZoneOffset.UTC);
        return PostfixSaslLogLine.parse(entry.program(), entry.message(), entry.timestamp());
    }

    @Test
    void cyrusFailureWithSaslUsernameIsOneFailure() throws Exception {
        // as Postfix 3.7.11 with Cyrus SASL wrote it in this project's system test (maillog_file, zero-padded day)
        LoginAttempt a = parse("Dec 02 06:02:59 sekisho-test postfix/smtpd[28209]: warning: unknown[203.0.113.7]: "
                + "SASL PLAIN authentication failed: authentication failure, sasl_username=user@example.test").orElseThrow();
        assertThat(a).isEqualTo(new LoginAttempt(Instant.parse("2026-12-02T06:02:59Z"), "user@example.test",
                InetAddress.getByName("203.0.113.7"), "smtp", LoginAttempt.Result.FAILURE, "", "postfix-log"));
    }

    @Test
    void failureWithoutSaslUsernameHasNoAccount() throws Exception {
        LoginAttempt a = parse("Dec  2 06:00:01 mail postfix/submission/smtpd[123]: warning: client.example.net[203.0.113.9]: "
                + "SASL LOGIN authentication failed: authentication failure").orElseThrow();
        assertThat(a.account()).isEmpty();
        assertThat(a.remote()).isEqualTo(InetAddress.getByName("203.0.113.9"));
        assertThat(a.failed()).isTrue();
        assertThat(a.at()).isEqualTo(Instant.parse("2026-12-02T06:00:01Z"));
    }

    @Test
    void loginRefusedAfterThePasswordPromptIsAFailure() throws Exception {
        // UGFzc3dvcmQ6 is base64 "Password:", the last challenge of a refused LOGIN exchange (Dovecot SASL)
        LoginAttempt a = parse("Dec 11 20:15:37 mail postfix/smtpd[642]: warning: unknown[198.51.100.23]: "
                + "SASL LOGIN authentication failed: UGFzc3dvcmQ6").orElseThrow();
        assertThat(a.failed()).isTrue();
        assertThat(a.remote()).isEqualTo(InetAddress.getByName("198.51.100.23"));
        assertThat(a.at()).isEqualTo(Instant.parse("2025-12-11T20:15:37Z")); // nearest to 2 December 2026
    }

    @Test
    void ipv6ClientAndSaslUsernameWithSpacesAreKept() throws Exception {
        LoginAttempt a = parse("Dec  2 06:00:01 mail postfix/smtpd[77]: warning: unknown[2001:db8::7]: "
                + "SASL PLAIN authentication failed: authentication failure, sasl_username=odd user").orElseThrow();
        assertThat(a.remote()).isEqualTo(InetAddress.getByName("2001:db8::7"));
        assertThat(a.account()).isEqualTo("odd user");
    }

    @Test
    void failuresThatCheckedNoPasswordDoNotCount() throws Exception {
        assertThat(parse("Dec  2 06:00:01 mail postfix/smtpd[1]: warning: unknown[203.0.113.7]: "
                + "SASL LOGIN authentication failed: Connection lost to authentication server")).isEmpty();
        assertThat(parse("Dec  2 06:00:01 mail postfix/smtpd[1]: warning: unknown[203.0.113.7]: "
                + "SASL LOGIN authentication failed: VXNlcm5hbWU6")).isEmpty();
        // Cyrus's own line before the failure line: the same attempt, without a client
        assertThat(parse("Dec 02 06:02:59 sekisho-test postfix/smtpd[28209]: warning: SASL authentication failure: "
                + "Password verification failed")).isEmpty();
        assertThat(parse("Dec  2 06:00:01 mail postfix/smtpd[1]: warning: unknown[203.0.113.7]: SASL LOGIN authentication aborted")).isEmpty();
    }

    @Test
    void submittedMessageOfAnAuthenticatedClientIsASuccess() throws Exception {
        LoginAttempt a = parse("Dec  2 06:00:03 mail postfix/submission/smtpd[4242]: 4Lx9Qm2Hc1z9sVB: "
                + "client=unknown[203.0.113.7], sasl_method=PLAIN, sasl_username=user@example.test").orElseThrow();
        assertThat(a.result()).isEqualTo(LoginAttempt.Result.SUCCESS);
        assertThat(a.account()).isEqualTo("user@example.test");
        assertThat(a.remote()).isEqualTo(InetAddress.getByName("203.0.113.7"));

        LoginAttempt withSender = parse("Dec  2 06:00:03 mail postfix/smtpd[4242]: 3A1B2C3D4E: client=mua.example.net[192.0.2.44], "
                + "sasl_method=LOGIN, sasl_username=alice, sasl_sender=bob@example.test").orElseThrow();
        assertThat(withSender.account()).isEqualTo("alice");
    }

    @Test
    void otherLinesAndOtherDaemonsAreNotLogins() throws Exception {
        assertThat(parse("Dec  2 06:00:03 mail postfix/smtpd[4242]: 3A1B2C3D4E: client=mx.example.net[192.0.2.44]")).isEmpty();
        assertThat(parse("Dec  2 06:00:03 mail postfix/smtpd[4242]: connect from unknown[127.0.0.1]")).isEmpty();
        assertThat(parse("Dec  2 06:00:03 mail postfix/smtpd[4242]: disconnect from unknown[203.0.113.8] ehlo=2 xclient=0/1 auth=0/1 quit=1 commands=3/5")).isEmpty();
        // the same text from another program is not smtpd's
        assertThat(parse("Dec  2 06:00:01 mail postfix/smtp[1]: warning: unknown[203.0.113.7]: "
                + "SASL PLAIN authentication failed: authentication failure")).isEmpty();
        assertThat(parse("Dec  2 06:00:01 mail postfix/smtpd[1]: warning: unknown[not-an-ip]: "
                + "SASL PLAIN authentication failed: authentication failure")).isEmpty();
    }
}
