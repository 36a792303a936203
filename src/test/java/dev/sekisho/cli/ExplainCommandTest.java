package dev.sekisho.cli;

import dev.sekisho.testing.MmdbWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ExplainCommandTest {

    private static String run(String stdin, String... args) {
        ExplainCommand command = new ExplainCommand();
        command.input = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        CommandLine cli = new CommandLine(command);
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(out));
        int code = cli.execute(args);
        return code + "\n" + out;
    }

    @Test
    void explainsEveryCheckOfTheServiceAgainstAConfigurationWithoutAServer() {
        String output = run("""
                request=smtpd_access_policy
                protocol_state=RCPT
                client_address=198.51.100.20
                client_name=unknown
                sender=x@spammer.example
                recipient=b@example.test
                policy_context=mx

                """, "--config", "docs/sekisho.example.yaml");
        assertThat(output).startsWith("0\n");
        assertThat(output).containsPattern("deny-list\\s+DECIDES\\s+REJECT Access denied")
                .containsPattern("greylist\\s+DECIDES\\s+DEFER_IF_PERMIT Greylisted")
                .containsPattern("per-client-ip\\s+passes")
                .as("the first decisive check is the answer").containsPattern("=> the server answers\\s+REJECT Access denied\\s+check=deny-list");
    }

    @Test
    void anActionPostfixSkipsAtTheStageIsShownAsTheDunnoTheServerAnswers(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("sekisho.yaml"), """
                lists:
                  deny:
                    networks: [198.51.100.0/24]
                services:
                  mx:
                    checks:
                      - type: deny-list
                        action: hold
                """);
        String request = """
                request=smtpd_access_policy
                protocol_state=%s
                client_address=198.51.100.20
                sender=x@example.org

                """;
        assertThat(run(request.formatted("EHLO"), "--config", config.toString()))
                .startsWith("0\n").containsPattern("deny-list\\s+DECIDES\\s+DUNNO \\(HOLD is not taken at helo\\)")
                .containsPattern("=> the server answers\\s+DUNNO ");
        assertThat(run(request.formatted("MAIL"), "--config", config.toString()))
                .startsWith("0\n").containsPattern("deny-list\\s+DECIDES\\s+HOLD");
    }

    @Test
    void aMalformedRequestIsAUsageError() {
        assertThat(run("client_address\n\n", "--config", "docs/sekisho.example.yaml")).startsWith("2\n").contains("not a name=value line");
        assertThat(run("request=smtpd_access_policy\nprotocol_state=RCPT\nclient_address=mail.example\n\n", "--config",
                "docs/sekisho.example.yaml")).startsWith("2\n").contains("client_address");
    }

    @Test
    void explainsCountryDecisionsWithTheConfiguredDatabase(@TempDir Path dir) throws Exception {
        new MmdbWriter("GeoLite2-Country").network("198.51.100.0/24", MmdbWriter.country("US")).write(dir.resolve("country.mmdb"));
        Path config = Files.writeString(dir.resolve("sekisho.yaml"), """
                geoip:
                  country-database: country.mmdb
                services:
                  submission:
                    checks:
                      - type: country
                        name: home-only
                        allow-countries: [JP]
                """);
        String output = run("""
                request=smtpd_access_policy
                protocol_state=RCPT
                client_address=198.51.100.20
                sasl_username=alice@example.jp
                sender=alice@example.jp
                recipient=b@example.test

                """, "--config", config.toString());
        assertThat(output).startsWith("0\n")
                .containsPattern("home-only\\s+DECIDES\\s+REJECT Access from country US is not allowed")
                .contains("rule=\"allow-countries JP\" key=country=US client=198.51.100.20");
    }
}
