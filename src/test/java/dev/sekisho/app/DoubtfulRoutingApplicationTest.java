package dev.sekisho.app;

import dev.sekisho.config.ConfigLoader;
import dev.sekisho.engine.Restriction;
import dev.sekisho.engine.Subject;
import dev.sekisho.testing.MmdbWriter;
import dev.sekisho.testing.MutableClock;
import dev.sekisho.testing.PolicyClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Doubtful mail routing through the whole application over the policy socket, as Postfix asks: the submission service
 * of the shipped example's shape (log-only sender mismatch, per-account limits, a soft limit, route-doubtful last).
 * 192.0.2.0/24 is "home" (JP), 198.51.100.0/24 "abroad" (US).
 */
class DoubtfulRoutingApplicationTest {
    private static final String CONFIG = """
            listen:
              policy:
                - address: 127.0.0.1:0
              http: 127.0.0.1:0
            geoip:
              country-database: country.mmdb
            services:
              submission:
                checks:
                  - restrictions
                  - type: sender-login-mismatch
                    match: domain
                    action: log
                  - type: rate-limit
                    name: per-account
                    key: sasl-username
                    count: recipients
                    limits: [5/1h]
                  - type: rate-limit
                    name: per-account-soft
                    key: sasl-username
                    count: recipients
                    limits: [3/1h]
                    action: doubtful
                  - type: route-doubtful
                    name: doubtful
                    transport: "smtp-doubtful:"
                    home-countries: [JP]
                    restricted-within: 7d
            """;

    @TempDir
    Path dir;
    private final MutableClock clock = MutableClock.at("2026-11-22T10:00:00Z");
    private Application app;

    @BeforeEach
    void start() throws IOException {
        new MmdbWriter("GeoLite2-Country")
                .network("192.0.2.0/24", MmdbWriter.country("JP"))
                .network("198.51.100.0/24", MmdbWriter.country("US"))
                .write(dir.resolve("country.mmdb"));
        Path file = Files.writeString(dir.resolve("sekisho.yaml"), CONFIG);
        app = Application.start(new ConfigLoader().load(file), dir.resolve("data"), clock, System.out);
    }

    @AfterEach
    void stop() {
        if (app != null) app.close();
    }

    private static Map<String, String> rcpt(String client, String login, String sender, String recipient) {
        Map<String, String> a = PolicyClient.rcpt(client, sender, recipient, "submission");
        a.put("sasl_method", "PLAIN");
        a.put("sasl_username", login);
        return a;
    }

    private PolicyClient client() throws IOException {
        return new PolicyClient(app.policyAddresses().get(0));
    }

    @Test
    void cleanMailTakesTheNormalTransportAndEachSignalRoutesDoubtfulMail() throws Exception {
        try (PolicyClient c = client()) {
            assertThat(c.ask(rcpt("192.0.2.20", "alice@example.jp", "alice@example.jp", "bob@example.org"))).isEqualTo("DUNNO");
            assertThat(c.ask(rcpt("198.51.100.20", "bob@example.jp", "bob@example.jp", "x@example.org")))
                    .as("from abroad").isEqualTo("FILTER smtp-doubtful:");
            assertThat(c.ask(rcpt("192.0.2.20", "carol@example.jp", "ceo@bank.example", "x@example.org")))
                    .as("sender the account does not own, only logged").isEqualTo("FILTER smtp-doubtful:");

            Restriction r = app.impose(Subject.parse(Subject.Kind.ACCOUNT, "dave@example.jp"), Duration.ofHours(1), "guessing", "cli:support");
            assertThat(c.ask(rcpt("192.0.2.20", "dave@example.jp", "dave@example.jp", "x@example.org")))
                    .as("restricted: the restriction still refuses").startsWith("554 5.7.1 Access restricted until");
            app.lift(r.id(), "cli:support");
            assertThat(c.ask(rcpt("192.0.2.20", "dave@example.jp", "dave@example.jp", "x@example.org")))
                    .as("just unlocked").isEqualTo("FILTER smtp-doubtful:");
            clock.advance(Duration.ofDays(8));
            assertThat(c.ask(rcpt("192.0.2.20", "dave@example.jp", "dave@example.jp", "x@example.org")))
                    .as("eight days after the unlock").isEqualTo("DUNNO");
        }
    }

    @Test
    void overTheSoftLimitMailIsRoutedUntilTheHardLimitRefusesIt() throws Exception {
        try (PolicyClient c = client()) {
            StringBuilder answers = new StringBuilder();
            for (int i = 0; i < 6; i++) { // six messages to one recipient each, charged at END-OF-MESSAGE
                Map<String, String> rcpt = rcpt("192.0.2.20", "erin@example.jp", "erin@example.jp", "r" + i + "@example.org");
                rcpt.put("instance", "7a1.6b028ea8.414b4." + i);
                String answer = c.ask(rcpt);
                answers.append(answer).append('\n');
                if (!answer.startsWith("450")) assertThat(c.ask(PolicyClient.endOfMessage(rcpt, 1))).isEqualTo("DUNNO");
            }
            assertThat(answers.toString().lines().toList()).containsExactly("DUNNO", "DUNNO", "DUNNO",
                    "FILTER smtp-doubtful:", "FILTER smtp-doubtful:",
                    "450 4.7.1 Rate limit per-account (5/1h recipients) exceeded for erin@example.jp, try again in 720s");
        }
    }

    @Test
    void explainShowsTheRouteAndItsSignals() {
        List<Map<String, Object>> rows = app.explain(rcpt("198.51.100.20", "bob@example.jp", "ceo@bank.example", "x@example.org"));
        assertThat(rows).last().satisfies(row -> {
            assertThat(row.get("action")).isEqualTo("FILTER smtp-doubtful:");
            assertThat((String) row.get("explanation")).contains("from abroad: country US is not a home country (JP)",
                    "sender-login-mismatch: sender is not owned by the authenticated account", "signals=2");
        });
    }
}
