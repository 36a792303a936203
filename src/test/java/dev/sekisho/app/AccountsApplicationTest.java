package dev.sekisho.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sekisho.config.ConfigLoader;
import dev.sekisho.engine.Restriction;
import dev.sekisho.engine.Subject;
import dev.sekisho.testing.CliRun;
import dev.sekisho.testing.MmdbWriter;
import dev.sekisho.testing.MutableClock;
import dev.sekisho.testing.PolicyClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Per-account rules through the whole application over real sockets: Dovecot's auth policy requests, Postfix policy
 * requests, the admin API and the CLI. Documentation ranges stand for countries: 192.0.2.0/24 is JP (home),
 * 198.51.100.0/24 US, 203.0.113.0/24 CN.
 */
class AccountsApplicationTest {
    private static final String KEY = "dovecot-test-key";
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
                  - type: account-abroad
            logins:
              dovecot:
                api-key: %s
            accounts:
              home-countries: [JP]
              several-countries: {countries: 2, window: 1h, restrict-for: 1d}
              history: 5
            """.formatted(KEY);
    private static final String ALICE = "alice@example.jp";

    @TempDir
    Path dir;
    private final MutableClock clock = MutableClock.at("2026-11-22T10:00:00Z");
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private Application app;

    private void start(String config) throws IOException {
        new MmdbWriter("GeoLite2-Country")
                .network("192.0.2.0/24", MmdbWriter.country("JP"))
                .network("198.51.100.0/24", MmdbWriter.country("US"))
                .network("203.0.113.0/24", MmdbWriter.country("CN"))
                .write(dir.resolve("country.mmdb"));
        Path file = Files.writeString(dir.resolve("sekisho.yaml"), config);
        app = Application.start(new ConfigLoader().load(file), dir.resolve("data"), clock, System.out);
    }

    @AfterEach
    void stop() {
        if (app != null) app.close();
    }

    private String dovecot(String command, String login, String remote, String protocol, Boolean success) throws Exception {
        String body = "{\"login\":\"" + login + "\",\"protocol\":\"" + protocol + "\",\"pwhash\":\"0b50\",\"remote\":\"" + remote
                + "\",\"session_id\":\"s1\",\"tls\":true" + (success == null ? "" : ",\"success\":" + success + ",\"policy_reject\":false") + "}";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpAddress().getPort()
                        + "/dovecot/auth-policy?command=" + command)).header("Content-Type", "application/json").header("X-API-Key", KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    private String allow(String login, String remote) throws Exception {
        return dovecot("allow", login, remote, "imap", null);
    }

    private void loggedIn(String login, String remote, String protocol) throws Exception {
        dovecot("report", login, remote, protocol, true);
    }

    private String submit(String account, String client) throws IOException {
        Map<String, String> a = PolicyClient.rcpt(client, account, "bob@example.test", "submission");
        a.put("sasl_method", "PLAIN");
        a.put("sasl_username", account);
        try (PolicyClient c = new PolicyClient(app.policyAddresses().get(0))) {
            return c.ask(a);
        }
    }

    private CliRun cli(String... args) {
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--url";
        all[args.length + 1] = "http://127.0.0.1:" + app.httpAddress().getPort();
        all[args.length + 2] = "--data-dir";
        all[args.length + 3] = dir.resolve("data").toString();
        return CliRun.of(all);
    }

    private HttpResponse<String> api(String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpAddress().getPort() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) b.header("Authorization", "Bearer " + token);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String token() throws IOException {
        return Files.readString(dir.resolve("data").resolve(AdminToken.FILE_NAME)).trim();
    }

    @Test
    void anAccountThatRefusesUseFromAbroadIsRefusedAbroadAtLoginAndSubmissionAndAcceptedAtHome() throws Exception {
        start(CONFIG);
        assertThat(allow(ALICE, "198.51.100.7")).as("switch off: abroad is fine").isEqualTo("{\"status\":0,\"msg\":\"\"}");
        assertThat(submit(ALICE, "198.51.100.7")).isEqualTo("DUNNO");

        CliRun on = cli("account", "abroad", ALICE, "on", "--by", "cli:desk");
        assertThat(on.exitCode()).as(on.err()).isZero();
        assertThat(on.out()).contains("refuse from abroad:  on").contains("last set:            cli:desk at 2026-11-22T10:00:00Z");

        assertThat(allow(ALICE, "198.51.100.7")).contains("\"status\":-1").contains("from abroad is refused");
        assertThat(allow("Alice@Example.JP", "203.0.113.5")).as("the name in another case is the same account").contains("\"status\":-1");
        assertThat(allow(ALICE, "192.0.2.7")).as("from home").isEqualTo("{\"status\":0,\"msg\":\"\"}");
        assertThat(allow("bob@example.jp", "198.51.100.7")).as("another account").isEqualTo("{\"status\":0,\"msg\":\"\"}");
        assertThat(submit(ALICE, "198.51.100.7")).isEqualTo("554 5.7.1 Use of this account from abroad is refused by its settings");
        assertThat(submit(ALICE, "192.0.2.7")).isEqualTo("DUNNO");
        assertThat(submit("bob@example.jp", "198.51.100.7")).isEqualTo("DUNNO");

        CliRun show = cli("account", "show", ALICE);
        assertThat(show.out()).contains("RECENT LOGINS").containsPattern("198\\.51\\.100\\.7\\s+US\\s+imap\\s+refused: abroad")
                .containsPattern("203\\.0\\.113\\.5\\s+CN\\s+imap\\s+refused: abroad");
    }

    @Test
    void aTravelLiftAllowsUseFromAbroadUntilItEnds() throws Exception {
        start(CONFIG);
        assertThat(cli("account", "abroad", ALICE, "on").exitCode()).isZero();
        CliRun travel = cli("account", "travel", ALICE, "--days", "3", "--by", "cli:desk");
        assertThat(travel.exitCode()).as(travel.err()).isZero();
        assertThat(travel.out()).contains("travel lift until:   2026-11-25T10:00:00Z").contains("on (lifted now)");
        assertThat(allow(ALICE, "198.51.100.7")).isEqualTo("{\"status\":0,\"msg\":\"\"}");
        assertThat(submit(ALICE, "198.51.100.7")).isEqualTo("DUNNO");

        clock.advance(Duration.ofDays(3).minusSeconds(1));
        assertThat(submit(ALICE, "198.51.100.7")).as("the last second of the lift").isEqualTo("DUNNO");
        clock.advance(Duration.ofSeconds(1));
        assertThat(allow(ALICE, "198.51.100.7")).contains("\"status\":-1");
        assertThat(submit(ALICE, "198.51.100.7")).startsWith("554 5.7.1");
    }

    @Test
    void theSettingSurvivesARestart() throws Exception {
        start(CONFIG);
        assertThat(cli("account", "abroad", ALICE, "on").exitCode()).isZero();
        loggedIn(ALICE, "192.0.2.7", "pop3");
        app.close();
        app = Application.start(new ConfigLoader().load(dir.resolve("sekisho.yaml")), dir.resolve("data"), clock, System.out);
        assertThat(allow(ALICE, "198.51.100.7")).contains("\"status\":-1");
        assertThat(cli("account", "show", ALICE).out()).containsPattern("192\\.0\\.2\\.7\\s+JP\\s+pop3\\s+ok");
    }

    @Test
    void anAccountSeenFromTwoCountriesWithinTheWindowIsRestrictedWithEvidence() throws Exception {
        start(CONFIG);
        loggedIn(ALICE, "192.0.2.7", "imap");
        clock.advance(Duration.ofMinutes(30));
        assertThat(app.restrictions(false)).isEmpty();
        assertThat(submit(ALICE, "198.51.100.9")).as("a submission from the US is a sighting too, and passes itself").isEqualTo("DUNNO");

        assertThat(app.restrictions(false)).singleElement().satisfies(r -> {
            assertThat(r.subject()).isEqualTo(new Subject(Subject.Kind.ACCOUNT, ALICE));
            assertThat(r.imposedBy()).isEqualTo("rule:several-countries");
            assertThat(r.reason()).isEqualTo("used from 2 countries within 1h (JP, US)");
            assertThat(r.evidence()).contains("countries=JP,US", "first=2026-11-22T10:00:00Z", "last=2026-11-22T10:30:00Z",
                    "JP 192.0.2.7 imap", "US 198.51.100.9 submission");
            assertThat(r.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofDays(1)));
        });
        assertThat(submit(ALICE, "192.0.2.7")).as("the restriction holds at home too").startsWith("554 5.7.1");
        assertThat(allow(ALICE, "192.0.2.7")).contains("\"status\":-1");
        loggedIn(ALICE, "203.0.113.5", "imap");
        assertThat(app.restrictions(true)).as("not restricted twice").hasSize(1);

        CliRun show = cli("account", "show", ALICE);
        assertThat(show.out()).contains("RESTRICTIONS IN FORCE").contains("reason:   used from 2 countries within 1h (JP, US) (by rule:several-countries)")
                .contains("evidence: countries=JP,US");
        CliRun lift = cli("account", "lift", ALICE, "--by", "cli:desk", "--reason", "user confirmed travel");
        assertThat(lift.exitCode()).as(lift.err()).isZero();
        assertThat(lift.out()).startsWith("lifted r-").contains("by cli:desk: user confirmed travel");
        assertThat(app.restrictions(false)).isEmpty();
        assertThat(submit(ALICE, "192.0.2.7")).isEqualTo("DUNNO");
        assertThat(cli("account", "show", ALICE).out()).contains("PAST RESTRICTIONS").contains("by cli:desk: user confirmed travel");
        assertThat(cli("account", "lift", ALICE).out()).contains("no restriction in force on " + ALICE);
    }

    @Test
    void sightingsOutsideTheWindowDoNotAddUp() throws Exception {
        start(CONFIG);
        loggedIn(ALICE, "192.0.2.7", "imap");
        clock.advance(Duration.ofMinutes(61));
        loggedIn(ALICE, "198.51.100.9", "imap");
        dovecot("report", "bob@example.jp", "198.51.100.9", "imap", false); // a failure is no sighting
        dovecot("report", "bob@example.jp", "192.0.2.9", "imap", true);
        assertThat(app.restrictions(false)).isEmpty();
    }

    @Test
    void theAdminApiNeedsTheTokenAndAnswersJson() throws Exception {
        start(CONFIG);
        assertThat(api("GET", "/api/accounts/" + ALICE, null, null).statusCode()).isEqualTo(401);
        assertThat(api("POST", "/api/accounts/" + ALICE + "/abroad", "{\"refuse\":true}", "wrong").statusCode()).isEqualTo(401);
        assertThat(app.account(ALICE).settings().refuseAbroad()).as("nothing changed without the token").isFalse();

        HttpResponse<String> on = api("POST", "/api/accounts/" + ALICE + "/abroad", "{\"refuse\":true,\"by\":\"api:desk\"}", token());
        assertThat(on.statusCode()).as(on.body()).isEqualTo(200);
        JsonNode view = json.readTree(on.body());
        assertThat(view.path("settings").path("refuseAbroad").asBoolean()).isTrue();
        assertThat(view.path("settings").path("setBy").asText()).isEqualTo("api:desk");
        assertThat(view.path("homeCountries").toString()).isEqualTo("[\"JP\"]");

        HttpResponse<String> bad = api("POST", "/api/accounts/" + ALICE + "/travel", "{\"days\":-1}", token());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("days must be 0..366, was -1");
        assertThat(api("POST", "/api/accounts/" + ALICE + "/abroad", "{}", token()).statusCode()).isEqualTo(400);

        HttpResponse<String> travel = api("POST", "/api/accounts/" + ALICE + "/travel", "{\"days\":2}", token());
        assertThat(json.readTree(travel.body()).path("settings").path("travelUntil").asText()).isEqualTo("2026-11-24T10:00:00Z");
        assertThat(json.readTree(travel.body()).path("refusesAbroadNow").asBoolean()).isFalse();

        Restriction manual = app.impose(new Subject(Subject.Kind.ACCOUNT, ALICE), Duration.ofHours(1), "phished", "cli:desk");
        HttpResponse<String> lift = api("POST", "/api/accounts/" + ALICE + "/lift", "{\"by\":\"api:desk\",\"reason\":\"password changed\"}", token());
        assertThat(json.readTree(lift.body()).path("lifted").get(0).path("id").asText()).isEqualTo(manual.id());
        assertThat(json.readTree(lift.body()).path("lifted").get(0).path("liftedBy").asText()).isEqualTo("api:desk: password changed");

        CliRun asJson = cli("account", "show", ALICE, "--json");
        assertThat(json.readTree(asJson.out()).path("ended").get(0).path("reason").asText()).isEqualTo("phished");
    }

    @Test
    void withoutACountryDatabaseTheSwitchIsOffAndSaysSo() throws Exception {
        start(CONFIG.replace("geoip:\n  country-database: country.mmdb\n", ""));
        assertThat(cli("account", "abroad", ALICE, "on").exitCode()).isZero();
        assertThat(allow(ALICE, "198.51.100.7")).isEqualTo("{\"status\":0,\"msg\":\"\"}");
        assertThat(submit(ALICE, "198.51.100.7")).isEqualTo("DUNNO");
        List<Map<String, Object>> explained = app.explain(Map.of("request", "smtpd_access_policy", "protocol_state", "RCPT",
                "client_address", "198.51.100.7", "sasl_username", ALICE, "sender", ALICE, "recipient", "bob@example.test",
                "policy_context", "submission"));
        assertThat(explained).anySatisfy(row -> assertThat((String) row.get("explanation"))
                .contains("country rules are off: no country database is configured"));
    }

    @Test
    void withNotificationsOnSettingsWorkAndTheSeveralCountriesRestrictionReachesTheWebhook() throws Exception {
        java.util.concurrent.LinkedBlockingQueue<JsonNode> bodies = new java.util.concurrent.LinkedBlockingQueue<>();
        com.sun.net.httpserver.HttpServer receiver = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/hook", exchange -> {
            bodies.add(json.readTree(exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        try {
            start(CONFIG + """
                    notify:
                      webhooks:
                        - url: http://127.0.0.1:%d/hook
                          secret: accounts-test-secret-0123
                    """.formatted(receiver.getAddress().getPort()));
            assertThat(cli("account", "abroad", ALICE, "on").exitCode()).as("settings beneath the notifying store").isZero();
            assertThat(allow(ALICE, "198.51.100.7")).contains("\"status\":-1");
            loggedIn(ALICE, "192.0.2.7", "imap");
            loggedIn(ALICE, "203.0.113.5", "imap");
            JsonNode body = bodies.poll(20, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(body).as("webhook call").isNotNull();
            assertThat(body.at("/subject/value").asText()).isEqualTo(ALICE);
            assertThat(body.toString()).contains("used from 2 countries within 1h (JP, CN)");
        } finally {
            receiver.stop(0);
        }
    }

    @Test
    void badCliInputIsRefusedClearly() throws Exception {
        start(CONFIG);
        CliRun maybe = cli("account", "abroad", ALICE, "maybe");
        assertThat(maybe.exitCode()).isEqualTo(2);
        assertThat(maybe.err()).contains("say on or off, not \"maybe\"");
    }
}
