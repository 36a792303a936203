package dev.sekisho.app;

import dev.sekisho.config.ConfigLoader;
import dev.sekisho.testing.MmdbWriter;
import dev.sekisho.testing.MutableClock;
import dev.sekisho.testing.PolicyClient;
import org.junit.jupiter.api.AfterEach;
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
 * Country rules through the whole application over real sockets: a generated country database in the geoip section,
 * a country check on MX and "sending from abroad is limited" on submission. Documentation ranges stand for countries:
 * 192.0.2.0/24 is "home" (JP), 198.51.100.0/24 "abroad" (US), 203.0.113.0/24 a denied country (CN).
 */
class CountryRulesApplicationTest {
    private static final String SERVICES = """
            listen:
              policy:
                - address: 127.0.0.1:0
              http: 127.0.0.1:0
            services:
              mx:
                checks:
                  - type: country
                    name: no-cn
                    deny-countries: [CN]
              submission:
                checks:
                  - type: rate-limit
                    name: abroad
                    key: sasl-username
                    count: messages
                    limits: [2/1d]
                    countries: {not-in: [JP]}
            """;

    @TempDir
    Path dir;
    private final MutableClock clock = MutableClock.at("2026-11-22T10:00:00Z");
    private Application app;

    @AfterEach
    void stop() {
        if (app != null) app.close();
    }

    private void start(String geoip) throws IOException {
        new MmdbWriter("GeoLite2-Country")
                .network("192.0.2.0/24", MmdbWriter.country("JP"))
                .network("198.51.100.0/24", MmdbWriter.country("US"))
                .network("203.0.113.0/24", MmdbWriter.country("CN"))
                .write(dir.resolve("country.mmdb"));
        Path file = Files.writeString(dir.resolve("sekisho.yaml"), SERVICES + geoip);
        app = Application.start(new ConfigLoader().load(file), dir.resolve("data"), clock, System.out);
    }

    private PolicyClient client() throws IOException {
        return new PolicyClient(app.policyAddresses().get(0));
    }

    private static Map<String, String> submissionRcpt(String client) {
        Map<String, String> a = PolicyClient.rcpt(client, "alice@example.jp", "bob@example.test", "submission");
        a.put("sasl_method", "PLAIN");
        a.put("sasl_username", "alice@example.jp");
        return a;
    }

    private static Map<String, String> submissionEnd(String client) {
        Map<String, String> a = submissionRcpt(client);
        a.put("protocol_state", "END-OF-MESSAGE");
        a.put("recipient", "");
        a.put("recipient_count", "1");
        a.put("size", "2048");
        return a;
    }

    /** One message: RCPT, then END-OF-MESSAGE where it is counted; the first answer that is not DUNNO, else DUNNO. */
    private static String send(PolicyClient c, String client) throws IOException {
        String atRcpt = c.ask(submissionRcpt(client));
        if (!atRcpt.equals("DUNNO")) return atRcpt;
        return c.ask(submissionEnd(client));
    }

    @Test
    void aClientFromADeniedCountryIsRejectedAndOneFromHomePasses() throws Exception {
        start("geoip:\n  country-database: country.mmdb\n");
        try (PolicyClient c = client()) {
            assertThat(c.ask(PolicyClient.rcpt("203.0.113.9", "a@example.org", "b@example.jp", "mx")))
                    .isEqualTo("554 5.7.1 Access from country CN is not allowed");
            assertThat(c.ask(PolicyClient.rcpt("192.0.2.9", "a@example.org", "b@example.jp", "mx"))).isEqualTo("DUNNO");
            assertThat(c.ask(PolicyClient.rcpt("198.51.100.9", "a@example.org", "b@example.jp", "mx"))).isEqualTo("DUNNO");
        }
    }

    @Test
    void sendingFromAbroadIsLimitedPerAccountWhileSendingFromHomeIsNot() throws Exception {
        start("geoip:\n  country-database: country.mmdb\n");
        try (PolicyClient c = client()) {
            assertThat(send(c, "198.51.100.20")).isEqualTo("DUNNO");
            assertThat(send(c, "198.51.100.21")).as("the account is counted, whichever foreign address").isEqualTo("DUNNO");
            assertThat(send(c, "198.51.100.22"))
                    .isEqualTo("450 4.7.1 Rate limit abroad (2/1d messages) exceeded for alice@example.jp, try again in 43200s");
            for (int i = 0; i < 5; i++) assertThat(send(c, "192.0.2.20")).as("from home, message " + i).isEqualTo("DUNNO");
            clock.advance(Duration.ofDays(1));
            assertThat(send(c, "198.51.100.22")).as("a day later").isEqualTo("DUNNO");
        }
    }

    @Test
    void explainShowsTheCountryAndTheRule() throws Exception {
        start("geoip:\n  country-database: country.mmdb\n");
        List<Map<String, Object>> mx = app.explain(PolicyClient.rcpt("203.0.113.9", "a@example.org", "b@example.jp", "mx"));
        assertThat(mx).hasSize(2);
        assertThat(mx.get(0)).satisfies(row -> {
            assertThat(row.get("decisive")).isEqualTo(true);
            assertThat(row.get("explanation")).isEqualTo(
                    "check=no-cn rule=\"deny-countries CN\" key=country=CN client=203.0.113.9 detail=\"country CN is denied\"");
        });
        assertThat(mx.get(1)).as("the answer").containsEntry("answer", true)
                .satisfies(row -> assertThat((String) row.get("action")).startsWith("REJECT"));
        List<Map<String, Object>> home = app.explain(submissionEnd("192.0.2.20"));
        assertThat(home.get(0)).satisfies(row -> assertThat(row.get("explanation")).isEqualTo(
                "check=abroad rule=\"countries not-in JP\" key=sasl-username=alice@example.jp detail=\"country JP is listed: not counted\""));
        assertThat(home.get(1)).containsEntry("answer", true).containsEntry("action", "DUNNO");
        List<Map<String, Object>> abroad = app.explain(submissionEnd("198.51.100.20"));
        assertThat(abroad).hasSize(2);
        assertThat(abroad.get(0)).satisfies(row -> assertThat((String) row.get("explanation"))
                .startsWith("check=abroad key=sasl-username=alice@example.jp country=US 1d=0/2"));
    }

    @Test
    void withoutADatabaseCountryRulesAreOffAndSaySo() throws Exception {
        start("");
        try (PolicyClient c = client()) {
            assertThat(c.ask(PolicyClient.rcpt("203.0.113.9", "a@example.org", "b@example.jp", "mx"))).isEqualTo("DUNNO");
            for (int i = 0; i < 4; i++) assertThat(send(c, "198.51.100.20")).isEqualTo("DUNNO");
        }
        List<Map<String, Object>> rows = app.explain(PolicyClient.rcpt("203.0.113.9", "a@example.org", "b@example.jp", "mx"));
        assertThat(rows).hasSize(2);
        assertThat((String) rows.get(0).get("explanation")).contains("country rules are off: no country database is configured");
        assertThat(rows.get(1)).containsEntry("answer", true).containsEntry("action", "DUNNO");
    }
}
