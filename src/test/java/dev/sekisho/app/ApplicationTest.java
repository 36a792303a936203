package dev.sekisho.app;

import dev.sekisho.Sekisho;
import dev.sekisho.config.ConfigLoader;
import dev.sekisho.testing.MutableClock;
import dev.sekisho.testing.PolicyClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The whole application in-process, over real sockets: policy protocol, admin API, CLI, reload, restart. */
class ApplicationTest {
    private static final String CONFIG = """
            listen:
              policy:
                - address: 127.0.0.1:0
              http: 127.0.0.1:0
            services:
              mx:
                checks:
                  - restrictions
                  - deny-list
                  - type: rate-limit
                    name: per-client-ip
                    key: client-ip
                    limits: [3/1h]
                  - type: greylist
                    delay: 300s
              relay:
                checks:
                  - type: rate-limit
                    name: per-client-ip
                    key: client-ip
                    limits: [3/1h]
              submission:
                checks:
                  - restrictions
                  - type: sender-login-mismatch
                    action: reject
            """;

    @TempDir
    Path dir;
    private final MutableClock clock = MutableClock.at("2026-11-22T10:00:00Z");
    private Application app;
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        if (app != null) app.close();
    }

    private Application start() throws IOException {
        return start(System.out);
    }

    private Application start(OutputStream verdictOutput) throws IOException {
        Path file = dir.resolve("sekisho.yaml");
        if (!Files.exists(file)) Files.writeString(file, CONFIG);
        app = Application.start(new ConfigLoader().load(file), dir.resolve("data"), clock, verdictOutput);
        return app;
    }

    @Test
    void verdictLinesGoToTheStreamTheServerWasGivenAndOnlyForRefusals() throws Exception {
        var verdicts = new ByteArrayOutputStream(); // its methods are synchronized: the writer thread fills it
        start(verdicts);
        try (PolicyClient c = client()) {
            assertThat(c.ask(PolicyClient.rcpt("203.0.113.7", "a@example.org", "b@example.test", "mx"))).startsWith("DEFER_IF_PERMIT");
            clock.advance(Duration.ofSeconds(301));
            assertThat(c.ask(PolicyClient.rcpt("203.0.113.7", "a@example.org", "b@example.test", "mx"))).isEqualTo("DUNNO");
        }
        app.close(); // writes what the writer still holds
        assertThat(verdicts.toString(StandardCharsets.UTF_8).lines().toList())
                .as("one line, for the deferral; none for the DUNNO")
                .singleElement().asString()
                .contains("sekisho.verdict", "service=mx", "check=greylist", "client=203.0.113.7", "action=\"DEFER_IF_PERMIT");
    }

    private PolicyClient client() throws IOException {
        return new PolicyClient(app.policyAddresses().get(0));
    }

    private String cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Sekisho.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        String[] withServer = new String[args.length + 4];
        System.arraycopy(args, 0, withServer, 0, args.length);
        withServer[args.length] = "--url";
        withServer[args.length + 1] = "http://127.0.0.1:" + app.httpAddress().getPort();
        withServer[args.length + 2] = "--data-dir";
        withServer[args.length + 3] = dir.resolve("data").toString();
        int code = cli.execute(withServer);
        return code + " " + out + err;
    }

    @Test
    void greylistsThenPassesAfterTheDelayAndKeepsItAcrossARestart() throws Exception {
        start();
        try (PolicyClient c = client()) {
            var request = PolicyClient.rcpt("203.0.113.7", "a@example.org", "b@example.test", "mx");
            assertThat(c.ask(request)).isEqualTo("DEFER_IF_PERMIT Greylisted, please try again in 300 seconds");
            clock.advance(Duration.ofSeconds(301));
            assertThat(c.ask(request)).isEqualTo("DUNNO");
        }
        app.close();
        start();
        try (PolicyClient c = client()) {
            assertThat(c.ask(PolicyClient.rcpt("203.0.113.7", "a@example.org", "b@example.test", "mx")))
                    .as("the triplet survived the restart").isEqualTo("DUNNO");
        }
    }

    @Test
    void theRequestOverTheClientLimitIsDeferredWithTheLimitNamed() throws Exception {
        start();
        try (PolicyClient c = client()) {
            for (int i = 0; i < 3; i++) {
                assertThat(c.ask(PolicyClient.rcpt("198.51.100.5", "a@example.org", "u" + i + "@example.test", "relay"))).isEqualTo("DUNNO");
            }
            assertThat(c.ask(PolicyClient.rcpt("198.51.100.5", "a@example.org", "u9@example.test", "relay")))
                    .startsWith("450 4.7.1 Rate limit per-client-ip (3/1h recipients) exceeded for 198.51.100.5");
        }
    }

    @Test
    void greylistDeferralsAreNotChargedToTheRateLimit() throws Exception {
        start();
        try (PolicyClient c = client()) {
            for (int i = 0; i < 5; i++) {
                assertThat(c.ask(PolicyClient.rcpt("198.51.100.6", "a@example.org", "u" + i + "@example.test", "mx")))
                        .startsWith("DEFER_IF_PERMIT");
            }
        }
    }

    @Test
    void aRestrictionAddedWithTheCliAppliesToTheNextRequestAndCanBeLifted() throws Exception {
        start();
        try (PolicyClient c = client()) {
            var request = PolicyClient.rcpt("192.0.2.99", "a@example.org", "b@example.test", "mx");
            assertThat(c.ask(request)).startsWith("DEFER_IF_PERMIT");
            String added = cli("restrictions", "add", "--ip", "192.0.2.99", "--for", "2h", "--reason", "abuse ticket 17");
            assertThat(added).startsWith("0 restricted ip:192.0.2.99 until 2026-11-22T12:00:00Z");
            String id = added.substring(added.indexOf("(id ") + 4, added.indexOf(')'));
            assertThat(c.ask(request)).isEqualTo("554 5.7.1 Access restricted until 2026-11-22T12:00:00Z (ref " + id + ")");
            assertThat(cli("restrictions", "list")).contains(id).contains("abuse ticket 17");
            assertThat(cli("restrictions", "lift", id)).startsWith("0 lifted");
            assertThat(c.ask(request)).startsWith("DEFER_IF_PERMIT");
            assertThat(cli("restrictions", "lift", id)).startsWith("1 ").contains("404");
            assertThat(cli("restrictions", "add", "--network", "192.0.2.0/33", "--reason", "typo")).startsWith("2 ").contains("not a CIDR network");
        }
    }

    @Test
    void policyContextSelectsTheService() throws Exception {
        start();
        try (PolicyClient c = client()) {
            var submission = PolicyClient.rcpt("192.0.2.1", "ceo@bank.example", "b@example.test", "submission");
            submission.put("sasl_username", "alice@example.net");
            assertThat(c.ask(submission)).startsWith("554 5.7.1 Sender address is not owned");
            submission.put("policy_context", "no-such-service");
            assertThat(c.ask(submission)).as("unknown context falls back to the default service (mx)").startsWith("DUNNO");
        }
        assertThat(app.metrics().scrape()).contains("sekisho_policy_unknown_context_total 1.0");
    }

    @Test
    void aTransactionsRecipientsAreCountedAcrossAReloadAndChargedAtItsEnd() throws Exception {
        start();
        try (PolicyClient c = client()) {
            Map<String, String> rcpt = PolicyClient.rcpt("198.51.100.50", "a@example.org", "b@example.test", "relay");
            rcpt.put("instance", "4d2.6b028ea8.414b4.0");
            assertThat(c.ask(rcpt)).isEqualTo("DUNNO");
            assertThat(c.ask(rcpt)).isEqualTo("DUNNO");
            assertThat(app.metrics().scrape()).contains("sekisho_rate_open_transactions 1.0");
            assertThat(cli("reload")).startsWith("0 reloaded");
            assertThat(c.ask(rcpt)).as("the running count outlives the reload").isEqualTo("DUNNO");
            assertThat(c.ask(rcpt)).isEqualTo("450 4.7.1 Rate limit per-client-ip (3/1h recipients) exceeded for 198.51.100.50, "
                    + "this message already has 3 recipients; send the rest in another message");
            assertThat(c.ask(PolicyClient.endOfMessage(rcpt, 3))).isEqualTo("DUNNO");
            assertThat(app.metrics().scrape()).contains("sekisho_rate_open_transactions 0.0")
                    .contains("sekisho_rate_abandoned_transactions_total 0.0");

            Map<String, String> next = PolicyClient.rcpt("198.51.100.50", "a@example.org", "c@example.test", "relay");
            next.put("instance", "4d2.6b028ea8.414b4.1");
            assertThat(c.ask(next)).as("the three were charged at END-OF-MESSAGE")
                    .isEqualTo("450 4.7.1 Rate limit per-client-ip (3/1h recipients) exceeded for 198.51.100.50, try again in 1200s");
        }
    }

    @Test
    void anEndOfMessageRefusedBeforeTheLimitStillEndsTheTransaction() throws Exception {
        Files.writeString(dir.resolve("sekisho.yaml"), """
                listen:
                  policy:
                    - address: 127.0.0.1:0
                  http: 127.0.0.1:0
                services:
                  relay:
                    checks:
                      - restrictions
                      - type: rate-limit
                        name: per-client-ip
                        key: client-ip
                        limits: [3/1h]
                """);
        start();
        try (PolicyClient c = client()) {
            Map<String, String> rcpt = PolicyClient.rcpt("198.51.100.51", "a@example.org", "b@example.test", "relay");
            rcpt.put("instance", "4d3.6b028ea8.414b4.0");
            assertThat(c.ask(rcpt)).isEqualTo("DUNNO");
            assertThat(app.metrics().scrape()).contains("sekisho_rate_open_transactions 1.0");
            assertThat(cli("restrictions", "add", "--ip", "198.51.100.51", "--for", "1h", "--reason", "compromised")).startsWith("0 ");
            assertThat(c.ask(PolicyClient.endOfMessage(rcpt, 1))).startsWith("554 5.7.1 Access restricted");
            assertThat(app.metrics().scrape()).as("the restriction answered first; the transaction is over all the same")
                    .contains("sekisho_rate_open_transactions 0.0");
        }
    }

    @Test
    void reloadAppliesANewConfigurationAndRefusesABadOneWithoutDroppingConnections() throws Exception {
        start();
        Path file = dir.resolve("sekisho.yaml");
        try (PolicyClient c = client()) {
            var request = PolicyClient.rcpt("203.0.113.50", "x@spam.example", "b@example.test", "mx");
            assertThat(c.ask(request)).startsWith("DEFER_IF_PERMIT");
            Files.writeString(file, CONFIG + "lists:\n  deny:\n    domains: [spam.example]\n");
            assertThat(cli("reload")).startsWith("0 reloaded");
            assertThat(c.ask(request)).as("same connection, new configuration").isEqualTo("554 5.7.1 Access denied");

            Files.writeString(file, CONFIG.replace("delay: 300s", "delay: soon"));
            assertThat(cli("reload")).startsWith("2 ").contains("sekisho.yaml:15").contains("delay");
            assertThat(c.ask(request)).as("the old configuration keeps running").isEqualTo("554 5.7.1 Access denied");
        }
    }

    @Test
    void stateSurvivesAReloadAndSettingsReadOnlyAtStartAreNamed() throws Exception {
        start();
        Path file = dir.resolve("sekisho.yaml");
        try (PolicyClient c = client()) {
            var first = PolicyClient.rcpt("203.0.113.60", "a@example.org", "b@example.test", "mx");
            var second = PolicyClient.rcpt("203.0.113.60", "a@example.org", "c@example.test", "mx");
            var third = PolicyClient.rcpt("203.0.113.60", "a@example.org", "d@example.test", "mx");
            assertThat(c.ask(first)).startsWith("DEFER_IF_PERMIT");
            assertThat(c.ask(second)).startsWith("DEFER_IF_PERMIT");
            clock.advance(Duration.ofSeconds(301));
            assertThat(c.ask(first)).startsWith("DUNNO");  // 1 of the client's 3/1h
            assertThat(c.ask(second)).startsWith("DUNNO"); // 2
            assertThat(c.ask(third)).startsWith("DEFER_IF_PERMIT");

            Files.writeString(file, CONFIG + "policy-limits:\n  max-connections: 10\n");
            assertThat(cli("reload")).startsWith("0 reloaded").contains("policy-limits");

            clock.advance(Duration.ofSeconds(301));
            assertThat(c.ask(third)).as("a triplet seen before the reload passes after its delay").startsWith("DUNNO"); // 3
            assertThat(c.ask(first)).as("the rate limit goes on from what it counted before the reload")
                    .startsWith("450 4.7.1 Rate limit per-client-ip (3/1h recipients) exceeded for 203.0.113.60");
        }
    }

    @Test
    void healthMetricsAndTheAdminApiNeedingItsToken() throws Exception {
        start();
        String base = "http://127.0.0.1:" + app.httpAddress().getPort();
        assertThat(get(base + "/health", null).statusCode()).isEqualTo(200);
        assertThat(get(base + "/ready", null).body()).isEqualTo("ready\n");
        try (PolicyClient c = client()) {
            c.ask(PolicyClient.rcpt("203.0.113.7", "a@example.org", "b@example.test", "mx"));
        }
        assertThat(get(base + "/metrics", null).body()).contains("sekisho_verdicts_total{action=\"DEFER_IF_PERMIT\",check=\"greylist\",service=\"mx\"} 1.0");
        assertThat(get(base + "/metrics", null).body()).contains("sekisho_decision_seconds_bucket{le=\"0.001\"}")
                .contains("sekisho_policy_requests_total 1.0");
        assertThat(get(base + "/api/restrictions", null).statusCode()).isEqualTo(401);
        assertThat(get(base + "/api/restrictions", "wrong").statusCode()).isEqualTo(401);
        String token = Files.readString(dir.resolve("data/admin-token")).trim();
        assertThat(get(base + "/api/restrictions", token).statusCode()).isEqualTo(200);
        assertThat(Files.getPosixFilePermissions(dir.resolve("data/admin-token")).toString()).isEqualTo("[OWNER_READ, OWNER_WRITE]");

        HttpResponse<String> notJson = http.send(HttpRequest.newBuilder(URI.create(base + "/api/restrictions"))
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString("zzz")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(notJson.body()).contains("not the JSON expected here");
        HttpResponse<String> badDuration = http.send(HttpRequest.newBuilder(URI.create(base + "/api/restrictions"))
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString("{\"kind\":\"ip\",\"value\":\"192.0.2.1\",\"duration\":\"forever\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(badDuration.statusCode()).isEqualTo(400);
        assertThat(badDuration.body()).contains("duration must be a duration like");
    }

    @Test
    void explainShowsEveryCheckAndCountsNothing() throws Exception {
        start();
        var body = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(
                PolicyClient.rcpt("203.0.113.7", "a@example.org", "b@example.test", "mx"));
        String token = Files.readString(dir.resolve("data/admin-token")).trim();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpAddress().getPort() + "/api/explain"))
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.body()).contains("\"check\":\"restrictions\"").contains("\"check\":\"per-client-ip\"").contains("\"check\":\"greylist\"")
                .contains("DEFER_IF_PERMIT").contains("\"answer\":true");
        try (PolicyClient c = client()) {
            clock.advance(Duration.ofSeconds(400));
            assertThat(c.ask(PolicyClient.rcpt("203.0.113.7", "a@example.org", "b@example.test", "mx")))
                    .as("explain recorded no triplet").startsWith("DEFER_IF_PERMIT");
        }
    }

    private HttpResponse<String> get(String url, String token) throws Exception {
        var b = HttpRequest.newBuilder(URI.create(url)).GET();
        if (token != null) b.header("Authorization", "Bearer " + token);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

}
