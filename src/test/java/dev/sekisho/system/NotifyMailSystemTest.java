package dev.sekisho.system;

import dev.sekisho.app.Application;
import dev.sekisho.config.ConfigLoader;
import dev.sekisho.config.NotifyConfig;
import dev.sekisho.engine.Restriction;
import dev.sekisho.engine.Subject;
import dev.sekisho.notify.DeliveryOutcome;
import dev.sekisho.notify.MailTemplates;
import dev.sekisho.notify.SmtpRelay;
import dev.sekisho.testing.MutableClock;
import dev.sekisho.testing.RealPostfix;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Notification mail through a real Postfix on loopback (Debian's package), delivered into a
 * Maildir the test reads back: the whole path from an imposed restriction to the user's and
 * support's mailboxes, headers and Japanese body as a mail reader would see them.
 */
@Tag("system")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NotifyMailSystemTest {
    @TempDir
    Path dir;
    private RealPostfix postfix;

    @BeforeAll
    void startPostfix() throws Exception {
        RealPostfix.requireAvailable();
        postfix = RealPostfix.startWithMailbox(RealPostfix.Restrictions.none());
    }

    @AfterAll
    void stopPostfix() throws Exception {
        if (postfix != null) postfix.close();
    }

    private static MimeMessage read(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return new MimeMessage(Session.getInstance(new Properties()), in);
        }
    }

    private List<MimeMessage> messagesTo(String address, int atLeast) throws Exception {
        List<MimeMessage> out = new ArrayList<>();
        for (Path file : postfix.awaitMessages(atLeast, Duration.ofSeconds(20))) {
            MimeMessage m = read(file);
            if (((InternetAddress) m.getRecipients(MimeMessage.RecipientType.TO)[0]).getAddress().equals(address)) out.add(m);
        }
        return out;
    }

    @Test
    void aRestrictionImposedThroughTheAdminApiMailsTheUserAndSupportInJapanese() throws Exception {
        String domain = RealPostfix.LOCAL_DOMAIN;
        Path config = dir.resolve("sekisho.yaml");
        Files.writeString(config, """
                listen:
                  policy:
                    - address: 127.0.0.1:0
                  http: 127.0.0.1:0
                services:
                  submission:
                    checks: [restrictions]
                notify:
                  node: mx1.%1$s
                  mail:
                    relay: {host: 127.0.0.1, port: %2$d, starttls: off}
                    from: "関所 <sekisho@%1$s>"
                    support: support@%1$s
                    user-address: "{account}@%1$s"
                    language: ja
                    time-zone: Asia/Tokyo
                """.formatted(domain, postfix.smtpPort()));
        MutableClock clock = MutableClock.at("2026-12-02T06:00:00Z");
        try (Application sekisho = Application.start(new ConfigLoader().load(config), dir.resolve("data"), clock, System.out)) {
            Restriction r = sekisho.impose(Subject.parse(Subject.Kind.ACCOUNT, "taro"), Duration.ofHours(24),
                    "海外からのパスワード誤りが続いたため", "cli:support-yamada");

            MimeMessage user = messagesTo("taro@" + domain, 2).get(0);
            assertThat(((InternetAddress) user.getFrom()[0]).getAddress()).isEqualTo("sekisho@" + domain);
            assertThat(((InternetAddress) user.getFrom()[0]).getPersonal()).isEqualTo("関所");
            assertThat(user.getHeader("From")[0]).as("the display name encoded, not raw UTF-8").contains("=?UTF-8?");
            String rawSubject = user.getHeader("Subject")[0];
            assertThat(rawSubject).as("RFC 2047 encoded-words, not raw UTF-8").startsWith("=?UTF-8?").doesNotContain("制限");
            assertThat(MimeUtility.decodeText(rawSubject)).isEqualTo("【重要】メールアカウント taro のご利用を一時的に制限しました");
            assertThat(user.getSubject()).contains("taro");
            assertThat(user.getContentType()).containsIgnoringCase("text/plain").containsIgnoringCase("charset=UTF-8");
            assertThat(user.getEncoding()).isEqualTo("base64");
            assertThat(user.getHeader("Auto-Submitted")[0]).isEqualTo("auto-generated");
            String body = (String) user.getContent();
            assertThat(body)
                    .contains("アカウント taro")
                    .contains("海外からのパスワード誤りが続いたため")
                    .contains("2026年12月3日 15:00 (Asia/Tokyo)")
                    .contains("パスワードを変更")
                    .contains("support@" + domain)
                    .contains(r.id());

            MimeMessage support = messagesTo("support@" + domain, 2).get(0);
            assertThat(support.getSubject()).isEqualTo("[Sekisho] 制限を設定しました: アカウント taro (" + r.id() + ")");
            assertThat((String) support.getContent()).contains("sekisho restrictions lift " + r.id())
                    .contains("cli:support-yamada").contains("mx1." + domain);
        }
    }

    @Test
    void withStartTlsRequiredARelayWithoutItGetsNothingInClear() throws Exception {
        var relay = new NotifyConfig.Relay("127.0.0.1", postfix.smtpPort(), NotifyConfig.StartTls.REQUIRED, "", "", Duration.ofSeconds(10));
        SmtpRelay smtp = new SmtpRelay(relay, "sekisho@" + RealPostfix.LOCAL_DOMAIN, "mx1.example.test");
        String to = "tls-required@" + RealPostfix.LOCAL_DOMAIN;
        DeliveryOutcome outcome = smtp.send(new InternetAddress(to), new MailTemplates.MailText("s", "b"), "en", Instant.now());
        assertThat(outcome).isInstanceOf(DeliveryOutcome.Retry.class);
        assertThat(((DeliveryOutcome.Retry) outcome).why()).containsIgnoringCase("STARTTLS");
        assertThat(postfix.logLines()).noneMatch(line -> line.contains("to=<" + to + ">"));
    }
}
