package dev.sekisho.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;

import static org.assertj.core.api.Assertions.assertThat;

/** The logs: section, read and refused with file, line and key. */
class LogsConfigTest {
    private static final String SERVICES = "services:\n  mx:\n    checks: [restrictions]\n";

    @TempDir
    Path dir;

    private SekishoConfig load(String yaml) throws IOException {
        Path file = dir.resolve("sekisho.yaml");
        Files.writeString(file, SERVICES + yaml);
        return new ConfigLoader().load(file);
    }

    private ConfigException errorOf(String yaml) {
        try {
            load(yaml);
        } catch (ConfigException e) {
            return e;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("expected a ConfigException for:\n" + yaml);
    }

    @Test
    void withoutALogsSectionNothingIsRead() {
        SekishoConfig.LogsConfig logs = new ConfigLoader().loadDefaults().logs();
        assertThat(logs.isEmpty()).isTrue();
        assertThat(logs.pollInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(logs.maxLineBytes()).isEqualTo(8192);
        assertThat(logs.timezone()).isEqualTo(ZoneId.systemDefault());
    }

    @Test
    void theExampleNamesFilesWithFormatsAndListenersWithProtocols() {
        SekishoConfig.LogsConfig logs = new ConfigLoader().load(Path.of("docs/sekisho.example.yaml")).logs();
        assertThat(logs.files()).containsExactly(
                new SekishoConfig.LogFile(Path.of("/var/log/postfix.log"), SekishoConfig.LogFormat.POSTFIX),
                new SekishoConfig.LogFile(Path.of("/var/log/dovecot.log"), SekishoConfig.LogFormat.DOVECOT));
        assertThat(logs.syslog()).containsExactly(
                new SekishoConfig.SyslogSource(SekishoConfig.SyslogProtocol.UDP, new InetSocketAddress("127.0.0.1", 10514)),
                new SekishoConfig.SyslogSource(SekishoConfig.SyslogProtocol.TCP, new InetSocketAddress("127.0.0.1", 10514)));
        assertThat(logs.timezone()).isEqualTo(ZoneId.of("Asia/Tokyo"));
    }

    @Test
    void syslogListenerDefaultsToUdpOnLoopback() throws IOException {
        SekishoConfig.LogsConfig logs = load("logs:\n  syslog:\n    - {}\n").logs();
        assertThat(logs.syslog()).containsExactly(
                new SekishoConfig.SyslogSource(SekishoConfig.SyslogProtocol.UDP, new InetSocketAddress("127.0.0.1", 10514)));
    }

    @Test
    void mistakesAreNamedWithLineAndKey() {
        ConfigException format = errorOf("""
                logs:
                  files:
                    - path: /var/log/mail.log
                      format: exim
                """);
        assertThat(format.line()).isEqualTo(7);
        assertThat(format.key()).isEqualTo("logs.files[0].format");
        assertThat(format.reason()).contains("postfix, dovecot, syslog").contains("exim");

        ConfigException missingFormat = errorOf("logs:\n  files:\n    - path: /var/log/mail.log\n");
        assertThat(missingFormat.key()).isEqualTo("logs.files[0].format");
        assertThat(missingFormat.reason()).contains("required");

        ConfigException relative = errorOf("logs:\n  files:\n    - {path: mail.log, format: postfix}\n");
        assertThat(relative.key()).isEqualTo("logs.files[0].path");
        assertThat(relative.reason()).contains("absolute");

        ConfigException twice = errorOf("""
                logs:
                  files:
                    - {path: /var/log/mail.log, format: postfix}
                    - {path: /var/log/mail.log, format: syslog}
                """);
        assertThat(twice.key()).isEqualTo("logs.files[1].path");
        assertThat(twice.reason()).contains("twice");

        ConfigException zone = errorOf("logs:\n  timezone: Mars/Olympus\n");
        assertThat(zone.line()).isEqualTo(5);
        assertThat(zone.key()).isEqualTo("logs.timezone");

        ConfigException protocol = errorOf("logs:\n  syslog:\n    - {protocol: relp, address: 127.0.0.1:10514}\n");
        assertThat(protocol.key()).isEqualTo("logs.syslog[0].protocol");
        assertThat(protocol.reason()).contains("udp, tcp");

        ConfigException address = errorOf("logs:\n  syslog:\n    - {protocol: tcp, address: localhost:514}\n");
        assertThat(address.key()).isEqualTo("logs.syslog[0].address");
        assertThat(address.reason()).contains("the host must be an IP address, was \"localhost\"");

        ConfigException typo = errorOf("logs:\n  syslog:\n    - {protocl: tcp}\n");
        assertThat(typo.key()).isEqualTo("logs.syslog[0].protocl");
    }
}
