package dev.sekisho.config;

import dev.sekisho.engine.Subject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class NotifyConfigTest {
    private static final String SERVICES = """
            services:
              mx:
                checks: [restrictions]
            """;

    @TempDir
    Path dir;

    private SekishoConfig load(String yaml) throws IOException {
        Path file = dir.resolve("sekisho.yaml");
        Files.writeString(file, SERVICES + yaml);
        return new ConfigLoader().load(file);
    }

    private ConfigException errorOf(String yaml) throws IOException {
        try {
            load(yaml);
        } catch (ConfigException e) {
            return e;
        }
        throw new AssertionError("expected a ConfigException for:\n" + yaml);
    }

    @Test
    void withoutTheSectionNothingIsSent() throws IOException {
        assertThat(load("").notifications().enabled()).isFalse();
        assertThat(new ConfigLoader().loadDefaults().notifications().enabled()).isFalse();
    }

    @Test
    void readsWebhooksAndMail() throws IOException {
        Files.writeString(dir.resolve("hook.secret"), "from-a-file-0123456789\n");
        Files.createDirectories(dir.resolve("templates"));
        NotifyConfig n = load("""
                notify:
                  node: mx1
                  max-attempts: 4
                  first-retry: 10s
                  webhooks:
                    - url: https://hooks.example.jp/sekisho
                      secret: inline-secret-0123456789
                      subjects: [account, ip]
                    - url: http://127.0.0.1:9000/hook
                      secret-file: %s
                  mail:
                    relay: {host: 127.0.0.1, port: 2525, starttls: off}
                    from: "Sekisho <sekisho@example.jp>"
                    support: support@example.jp
                    support-subjects: [account]
                    user-address: "{account}@example.jp"
                    language: ja
                    domains-by-language:
                      en: [example.com, example.net]
                    time-zone: Asia/Tokyo
                    templates-dir: %s
                """.formatted(dir.resolve("hook.secret"), dir.resolve("templates"))).notifications();
        assertThat(n.node()).isEqualTo("mx1");
        assertThat(n.maxAttempts()).isEqualTo(4);
        assertThat(n.firstRetry()).isEqualTo(Duration.ofSeconds(10));
        assertThat(n.webhooks()).hasSize(2);
        assertThat(n.webhooks().get(0).subjects()).isEqualTo(EnumSet.of(Subject.Kind.ACCOUNT, Subject.Kind.IP));
        assertThat(n.webhooks().get(1).secret()).isEqualTo("from-a-file-0123456789");
        assertThat(n.webhooks().get(1).subjects()).isEqualTo(EnumSet.allOf(Subject.Kind.class));
        assertThat(n.webhooks().get(0).toString()).doesNotContain("inline-secret");
        NotifyConfig.Mail mail = n.mail();
        assertThat(mail.relay().starttls()).isEqualTo(NotifyConfig.StartTls.OFF);
        assertThat(mail.relay().port()).isEqualTo(2525);
        assertThat(mail.supportSubjects()).isEqualTo(Set.of(Subject.Kind.ACCOUNT));
        assertThat(mail.domainLanguages()).isEqualTo(Map.of("example.com", "en", "example.net", "en"));
        assertThat(mail.timeZone()).isEqualTo(ZoneId.of("Asia/Tokyo"));
    }

    @Test
    void errorsNameFileLineAndKey() throws IOException {
        ConfigException e = errorOf("""
                notify:
                  webhooks:
                    - url: ftp://hooks.example.jp/
                      secret: inline-secret-0123456789
                """);
        assertThat(e.line()).isEqualTo(6);
        assertThat(e.key()).isEqualTo("notify.webhooks[0].url");
        assertThat(e.getMessage()).contains("sekisho.yaml:6").contains("http:// or https://");

        e = errorOf("""
                notify:
                  webhooks:
                    - url: https://hooks.example.jp/
                      secret: short
                """);
        assertThat(e.key()).isEqualTo("notify.webhooks[0].secret");
        assertThat(e.reason()).contains("at least 16");

        e = errorOf("""
                notify:
                  webhooks:
                    - url: https://hooks.example.jp/
                """);
        assertThat(e.reason()).contains("secret or secret-file");

        e = errorOf("""
                notify:
                  webhooks:
                    - url: https://hooks.example.jp/
                      secret-file: /nonexistent/secret
                """);
        assertThat(e.key()).isEqualTo("notify.webhooks[0].secret-file");
        assertThat(e.reason()).contains("no such file");
    }

    @Test
    void mailErrors() throws IOException {
        ConfigException e = errorOf("""
                notify:
                  mail:
                    relay: {host: 127.0.0.1, starttls: maybe}
                    from: sekisho@example.jp
                """);
        assertThat(e.key()).isEqualTo("notify.mail.relay.starttls");
        assertThat(e.line()).isEqualTo(6);

        e = errorOf("""
                notify:
                  mail:
                    relay: {host: 127.0.0.1}
                    from: "not an address"
                """);
        assertThat(e.key()).isEqualTo("notify.mail.from");

        e = errorOf("""
                notify:
                  mail:
                    relay: {host: 127.0.0.1}
                    from: sekisho@example.jp
                    user-address: "@example.jp"
                """);
        assertThat(e.key()).isEqualTo("notify.mail.user-address");
        assertThat(e.reason()).contains("{account}");

        e = errorOf("""
                notify:
                  mail:
                    relay: {host: 127.0.0.1}
                    from: sekisho@example.jp
                    language: fr
                """);
        assertThat(e.key()).isEqualTo("notify.mail.language");

        e = errorOf("""
                notify:
                  mail:
                    relay: {host: 127.0.0.1, username: sekisho}
                    from: sekisho@example.jp
                """);
        assertThat(e.key()).isEqualTo("notify.mail.relay.password");

        e = errorOf("""
                notify:
                  mail:
                    relay: {host: 127.0.0.1}
                    from: sekisho@example.jp
                    langauge: en
                """);
        assertThat(e.key()).isEqualTo("notify.mail.langauge");
        assertThat(e.reason()).contains("unknown key");

        e = errorOf("""
                notify:
                  node: mx1
                """);
        assertThat(e.reason()).contains("webhooks or mail");
    }
}
