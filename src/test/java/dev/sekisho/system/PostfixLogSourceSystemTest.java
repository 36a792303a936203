package dev.sekisho.system;

import dev.sekisho.app.Application;
import dev.sekisho.config.ConfigLoader;
import dev.sekisho.engine.LoginAttempt;
import dev.sekisho.testing.RealPostfix;
import dev.sekisho.testing.Swaks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real Postfix (Debian's package) with SMTP AUTH through Cyrus SASL, no Dovecot: its maillog_file, followed by
 * Sekisho's log source, yields a LoginAttempt for each refused AUTH. The sasldb is empty (Debian's packages offer
 * no way to fill one without sasl2-bin), so every login is refused: successes are covered by the adapter's tests on
 * real lines, and by the Dovecot system test.
 */
@Tag("system")
class PostfixLogSourceSystemTest {
    @TempDir
    Path dir;
    private Path saslConfig;
    private RealPostfix postfix;
    private Application sekisho;
    private final BlockingQueue<LoginAttempt> attempts = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() throws Exception {
        RealPostfix.requireAvailable();
        // smtpd reads Cyrus SASL's smtpd.conf from here; it must be readable by the postfix user
        saslConfig = Files.createTempDirectory("sekisho-sasl-");
        Files.setPosixFilePermissions(saslConfig, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(saslConfig.resolve("smtpd.conf"), """
                pwcheck_method: auxprop
                auxprop_plugin: sasldb
                sasldb_path: %s
                mech_list: PLAIN LOGIN
                """.formatted(saslConfig.resolve("sasldb2")));
        postfix = RealPostfix.start(RealPostfix.Restrictions.none(), List.of(
                "smtpd_sasl_auth_enable = yes",
                "smtpd_sasl_type = cyrus",
                "smtpd_sasl_path = smtpd",
                "cyrus_sasl_config_path = " + saslConfig,
                "smtpd_tls_security_level = none"));

        Path config = dir.resolve("sekisho.yaml");
        Files.writeString(config, """
                listen:
                  policy:
                    - address: 127.0.0.1:0
                  http: 127.0.0.1:0
                services:
                  mx:
                    checks: [restrictions]
                logs:
                  poll-interval: 100ms
                  files:
                    - path: %s
                      format: postfix
                """.formatted(postfix.logFile()));
        // the real clock: the lines' timestamps are Postfix's, and their missing year is taken from it
        sekisho = Application.start(new ConfigLoader().load(config), dir.resolve("data"), Clock.systemUTC(), System.out);
        sekisho.startLogSources(attempts::add);
    }

    @AfterEach
    void stop() throws Exception {
        if (sekisho != null) sekisho.close();
        if (postfix != null) postfix.close();
        if (saslConfig != null) {
            Files.deleteIfExists(saslConfig.resolve("smtpd.conf"));
            Files.deleteIfExists(saslConfig);
        }
    }

    @Test
    void refusedSmtpAuthInPostfixsLogIsAFailedLoginOfTheClientAndAccount() throws Exception {
        String plain = Swaks.authenticate("127.0.0.1", postfix.smtpPort(), "PLAIN", "user@example.test", "wrong", "203.0.113.7");
        assertThat(plain).contains("535 5.7.8");
        String login = Swaks.authenticate("127.0.0.1", postfix.smtpPort(), "LOGIN", "other@example.test", "wrong", "198.51.100.23");
        assertThat(login).contains("535 5.7.8");

        LoginAttempt first = next();
        LoginAttempt second = next();
        assertThat(List.of(first, second)).extracting(a -> a.account() + " " + a.remote().getHostAddress() + " " + a.result())
                .containsExactly("user@example.test 203.0.113.7 FAILURE", "other@example.test 198.51.100.23 FAILURE");
        assertThat(first.protocol()).isEqualTo("smtp");
        assertThat(first.source()).isEqualTo("postfix-log");
        assertThat(first.remote()).isEqualTo(InetAddress.getByName("203.0.113.7"));
        // the line's own timestamp (second precision, the machine's zone), not a made-up one
        assertThat(Duration.between(first.at(), Instant.now()).abs()).isLessThan(Duration.ofMinutes(5));
        // each refused AUTH is counted once (Cyrus's own "Password verification failed" line before it is not): the
        // next attempt seen is the next AUTH
        Swaks.authenticate("127.0.0.1", postfix.smtpPort(), "PLAIN", "third@example.test", "wrong", "203.0.113.8");
        assertThat(next().account()).isEqualTo("third@example.test");
    }

    private LoginAttempt next() throws InterruptedException {
        LoginAttempt attempt = attempts.poll(15, TimeUnit.SECONDS);
        assertThat(attempt).as("a login attempt from Postfix's log within 15 s; log:\n" + String.join("\n", postfix.logLines())).isNotNull();
        return attempt;
    }
}
