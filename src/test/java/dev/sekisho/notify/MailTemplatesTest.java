package dev.sekisho.notify;

import dev.sekisho.config.ConfigException;
import dev.sekisho.engine.Restriction;
import dev.sekisho.engine.Subject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MailTemplatesTest {
    private static final ZoneId TOKYO = ZoneId.of("Asia/Tokyo");
    private final Restriction restriction = new Restriction("r-5a1b2c3d4e5f", Subject.parse(Subject.Kind.ACCOUNT, "taro@example.jp"),
            "海外からのパスワード誤り", "rule:login-lockout", "failures=12 window=10m",
            Instant.parse("2026-12-02T06:00:00Z"), Instant.parse("2026-12-03T06:00:00Z"), null, "");

    @TempDir
    Path dir;

    @Test
    void theJapaneseUserMailSaysWhatWhyUntilWhenAndWhatToDo() {
        var text = MailTemplates.load(null, TOKYO).render(MailTemplates.Audience.USER, "ja", restriction, "mx1", "support@example.jp");
        assertThat(text.subject()).contains("taro@example.jp").contains("制限");
        assertThat(text.body())
                .contains("アカウント taro@example.jp")
                .contains("海外からのパスワード誤り")
                .contains("failures=12 window=10m")
                .contains("2026年12月3日 15:00 (Asia/Tokyo)") // 06:00Z is 15:00 in Tokyo
                .contains("パスワードを変更")
                .contains("support@example.jp")
                .contains("r-5a1b2c3d4e5f")
                .doesNotContain("{");
    }

    @Test
    void theEnglishSupportMailSaysHowToLiftIt() {
        var text = MailTemplates.load(null, ZoneId.of("UTC")).render(MailTemplates.Audience.SUPPORT, "en", restriction, "mx1", "");
        assertThat(text.subject()).isEqualTo("[Sekisho] restriction imposed: account taro@example.jp (r-5a1b2c3d4e5f)");
        assertThat(text.body()).contains("sekisho restrictions lift r-5a1b2c3d4e5f").contains("rule:login-lockout")
                .contains("3 December 2026, 06:00 (UTC)").contains("mx1");
    }

    @Test
    void aLineBreakInTheReasonDoesNotReachTheSubject() throws IOException {
        Files.writeString(dir.resolve("support.en.txt"), "Subject: blocked: {reason}\n\nbody {id}\n");
        Restriction hostile = new Restriction("r-1", Subject.parse(Subject.Kind.IP, "192.0.2.1"), "a\r\nBcc: victim@example.org",
                "cli:x", "", restriction.createdAt(), restriction.expiresAt(), null, "");
        var text = MailTemplates.load(dir, TOKYO).render(MailTemplates.Audience.SUPPORT, "en", hostile, "mx1", "");
        assertThat(text.subject()).isEqualTo("blocked: a Bcc: victim@example.org");
    }

    @Test
    void anOperatorFileReplacesTheBuiltInTemplateOfItsName() throws IOException {
        Files.writeString(dir.resolve("user.ja.txt"), "Subject: お知らせ {value}\n\n{value} 様、{until} まで制限中です。理由: {reason}\n",
                StandardCharsets.UTF_8);
        MailTemplates templates = MailTemplates.load(dir, TOKYO);
        var ja = templates.render(MailTemplates.Audience.USER, "ja", restriction, "mx1", "");
        assertThat(ja.subject()).isEqualTo("お知らせ taro@example.jp");
        assertThat(ja.body()).isEqualTo("taro@example.jp 様、2026年12月3日 15:00 (Asia/Tokyo) まで制限中です。理由: 海外からのパスワード誤り\n");
        // the others stay built in
        assertThat(templates.render(MailTemplates.Audience.USER, "en", restriction, "mx1", "").body()).contains("change it");
    }

    @Test
    void configCheckRefusesABrokenOperatorTemplate() throws IOException {
        Files.writeString(dir.resolve("user.en.txt"), "Subject: x {value}\n\nuntil {untill}\n");
        Path config = dir.resolve("sekisho.yaml");
        Files.writeString(config, """
                services:
                  mx:
                    checks: [restrictions]
                notify:
                  mail:
                    relay: {host: 127.0.0.1, starttls: off}
                    from: sekisho@example.jp
                    templates-dir: %s
                """.formatted(dir));
        var run = dev.sekisho.testing.CliRun.of("config", "check", config.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("user.en.txt:3").contains("{untill}");
    }

    @Test
    void aBrokenTemplateIsRefusedWithItsFileAndLine() throws IOException {
        Files.writeString(dir.resolve("support.ja.txt"), "Subject: x\n\nline two\n{reson}\n");
        assertThatThrownBy(() -> MailTemplates.load(dir, TOKYO)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("support.ja.txt:4").hasMessageContaining("unknown placeholder {reson}");

        Files.writeString(dir.resolve("support.ja.txt"), "Hello\n\nbody\n");
        assertThatThrownBy(() -> MailTemplates.load(dir, TOKYO)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("support.ja.txt:1").hasMessageContaining("Subject:");

        Files.write(dir.resolve("support.ja.txt"), new byte[]{'S', 'u', 'b', 'j', 'e', 'c', 't', ':', ' ', (byte) 0x82, '\n', '\n', 'x'});
        assertThatThrownBy(() -> MailTemplates.load(dir, TOKYO)).isInstanceOf(ConfigException.class).hasMessageContaining("UTF-8");
    }
}
