package dev.sekisho.notify;

import dev.sekisho.config.NotifyConfig;
import dev.sekisho.engine.Restriction;
import dev.sekisho.engine.Subject;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Who gets mail, in which language, and what the composed message looks like on the wire. */
class MailDestinationTest {
    private static final NotifyConfig.Relay RELAY = new NotifyConfig.Relay("127.0.0.1", 2525, NotifyConfig.StartTls.OFF, "", "", Duration.ofSeconds(5));

    private static NotifyConfig.Mail mail(String userAddress, EnumSet<Subject.Kind> supportSubjects) {
        return new NotifyConfig.Mail(RELAY, "Sekisho <sekisho@example.jp>", "support@ops.example.com", supportSubjects, userAddress, "ja",
                Map.of("example.com", "en"), ZoneId.of("Asia/Tokyo"), null);
    }

    private static MailDestination destination(MailTemplates.Audience audience, NotifyConfig.Mail mail) {
        return new MailDestination(audience, mail, MailTemplates.load(null, mail.timeZone()), new SmtpRelay(mail.relay(), mail.from(), "mx1"), "mx1");
    }

    private static Restriction on(Subject.Kind kind, String value) {
        Instant at = Instant.parse("2026-12-02T06:00:00Z");
        return new Restriction("r-1", Subject.parse(kind, value), "reason", "rule:x", "", at, at.plusSeconds(3600), null, "");
    }

    @Test
    void theUserIsTheAccountWhenItIsAnAddressElseTheTemplateFilled() {
        var withTemplate = destination(MailTemplates.Audience.USER, mail("{account}@example.jp", EnumSet.allOf(Subject.Kind.class)));
        assertThat(withTemplate.recipient(on(Subject.Kind.ACCOUNT, "taro")).map(InternetAddress::getAddress)).contains("taro@example.jp");
        assertThat(withTemplate.recipient(on(Subject.Kind.ACCOUNT, "hanako@example.net")).map(InternetAddress::getAddress)).contains("hanako@example.net");
        assertThat(withTemplate.wants(on(Subject.Kind.IP, "192.0.2.1"))).as("users hear only about accounts").isFalse();
        assertThat(withTemplate.wants(on(Subject.Kind.ACCOUNT, "taro jiro"))).as("no address can be made").isFalse();

        var withoutTemplate = destination(MailTemplates.Audience.USER, mail("", EnumSet.allOf(Subject.Kind.class)));
        assertThat(withoutTemplate.wants(on(Subject.Kind.ACCOUNT, "taro"))).isFalse();
        assertThat(withoutTemplate.wants(on(Subject.Kind.ACCOUNT, "taro@example.jp"))).isTrue();
    }

    @Test
    void supportHearsOnlyAboutItsSubjectKinds() {
        var support = destination(MailTemplates.Audience.SUPPORT, mail("", EnumSet.of(Subject.Kind.ACCOUNT, Subject.Kind.NETWORK)));
        assertThat(support.wants(on(Subject.Kind.ACCOUNT, "taro"))).isTrue();
        assertThat(support.wants(on(Subject.Kind.NETWORK, "192.0.2.0/24"))).isTrue();
        assertThat(support.wants(on(Subject.Kind.IP, "192.0.2.1"))).isFalse();
    }

    @Test
    void theLanguageFollowsTheRecipientDomainAndItsParents() throws Exception {
        var d = destination(MailTemplates.Audience.USER, mail("", EnumSet.allOf(Subject.Kind.class)));
        assertThat(d.languageFor(new InternetAddress("a@example.com"))).isEqualTo("en");
        assertThat(d.languageFor(new InternetAddress("support@ops.example.com"))).isEqualTo("en");
        assertThat(d.languageFor(new InternetAddress("a@example.jp"))).isEqualTo("ja");
        assertThat(d.languageFor(new InternetAddress("a@notexample.com"))).isEqualTo("ja");
    }

    @Test
    void theComposedMessageEncodesSubjectAndBody() throws Exception {
        NotifyConfig.Mail m = mail("{account}@example.jp", EnumSet.allOf(Subject.Kind.class));
        SmtpRelay relay = new SmtpRelay(m.relay(), m.from(), "mx1");
        var text = MailTemplates.load(null, m.timeZone()).render(MailTemplates.Audience.USER, "ja", on(Subject.Kind.ACCOUNT, "taro"), "mx1", "");
        MimeMessage ja = relay.compose(new InternetAddress("taro@example.jp"), text, "ja", Instant.parse("2026-12-02T06:00:00Z"));
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        ja.writeTo(wire);
        String raw = wire.toString(StandardCharsets.US_ASCII);
        assertThat(raw).as("only ASCII on the wire").matches("[\\x00-\\x7F]*");
        assertThat(raw).contains("Content-Transfer-Encoding: base64").contains("charset=UTF-8").contains("Auto-Submitted: auto-generated");
        assertThat(MimeUtility.decodeText(ja.getHeader("Subject")[0])).isEqualTo(text.subject());
        assertThat(ja.getContent()).isEqualTo(text.body());
        assertThat(ja.getMessageID()).endsWith("@example.jp>");

        MimeMessage en = relay.compose(new InternetAddress("a@example.com"), new MailTemplates.MailText("plain subject", "naïve body"), "en",
                Instant.parse("2026-12-02T06:00:00Z"));
        assertThat(en.getEncoding()).isEqualTo("quoted-printable");
        assertThat(en.getHeader("Subject")[0]).isEqualTo("plain subject");
    }
}
