package dev.sekisho.dovecot;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.sekisho.Sekisho;
import dev.sekisho.app.Application;
import dev.sekisho.config.ConfigLoader;
import dev.sekisho.engine.Restriction;
import dev.sekisho.engine.Subject;
import dev.sekisho.testing.MutableClock;
import dev.sekisho.testing.PolicyClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The auth policy endpoint in the running application, over real HTTP, with the request bodies
 * Dovecot 2.3.19 sends (captured on loopback; see the notes on running Postfix and Dovecot).
 */
class AuthPolicyEndpointTest {
    private static final String KEY = "s3cret-policy-key";
    private static final String CONFIG = """
            listen:
              policy:
                - address: 127.0.0.1:0
              http: 127.0.0.1:0
            services:
              submission:
                checks:
                  - restrictions
            logins:
              account: {delay-after: 3, block-after: 5, passwords-block-after: 0}
              ip: {delay-after: 0, block-after: 0, accounts-block-after: 4}
              network: {delay-after: 0, block-after: 0, accounts-block-after: 0}
              delay: 2s
              max-delay: 10s
              block: {first: 15m, growth: 2, max: 1d, remember: 7d}
              dovecot:
                api-header: X-API-Key
                api-key: %s
            """.formatted(KEY);

    /** Dovecot 2.3's allow body for an IMAP login forwarded with ID x-originating-ip. */
    private static String allowBody(String login, String remote, String protocol) {
        return "{\"device_id\":\"\",\"local\":\"127.0.0.1\",\"login\":\"" + login + "\",\"protocol\":\"" + protocol
                + "\",\"pwhash\":\"0b50\",\"real_remote\":\"127.0.0.1\",\"remote\":\"" + remote
                + "\",\"secured\":\"secured\",\"session_id\":\"hvcC89dggIt/AAAB\",\"tls\":false}";
    }

    /** The report body: the allow body with the password check's result. */
    private static String reportBody(String login, String remote, String protocol, String pwhash, boolean success, boolean policyReject) {
        return "{\"device_id\":\"\",\"local\":\"127.0.0.1\",\"login\":\"" + login + "\",\"protocol\":\"" + protocol
                + "\",\"pwhash\":\"" + pwhash + "\",\"real_remote\":\"127.0.0.1\",\"remote\":\"" + remote
                + "\",\"secured\":\"secured\",\"session_id\":\"hvcC89dggIt/AAAB\",\"tls\":false,\"success\":" + success
                + ",\"policy_reject\":" + policyReject + "}";
    }

    @TempDir
    Path dir;
    private final MutableClock clock = MutableClock.at("2026-11-22T10:00:00Z");
    private final HttpClient http = HttpClient.newHttpClient();
    private Application app;

    @BeforeEach
    void start() throws IOException {
        Path file = dir.resolve("sekisho.yaml");
        Files.writeString(file, CONFIG);
        app = Application.start(new ConfigLoader().load(file), dir.resolve("data"), clock, System.out);
    }

    @AfterEach
    void stop() {
        if (app != null) app.close();
    }

    private HttpResponse<String> post(String query, String body, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpAddress().getPort()
                        + "/dovecot/auth-policy" + query))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) request.header("X-API-Key", key);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String allow(String login, String remote) throws Exception {
        HttpResponse<String> r = post("?command=allow", allowBody(login, remote, "imap"), KEY);
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    private String report(String login, String remote, String protocol, String pwhash, boolean success) throws Exception {
        HttpResponse<String> r = post("?command=report", reportBody(login, remote, protocol, pwhash, success, false), KEY);
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
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
        return cli.execute(withServer) + " " + out + err;
    }

    @Test
    void guessingOneAccountIsDelayedThenRefusedAtImapAndAtSubmission() throws Exception {
        assertThat(allow("user01@example.test", "198.51.100.9")).isEqualTo("{\"status\":0,\"msg\":\"\"}");
        assertThat(report("user01@example.test", "198.51.100.9", "imap", "0b50", false)).isEqualTo("{\"status\":0,\"msg\":\"\"}");
        report("user01@example.test", "198.51.100.9", "imap", "0b51", false);
        assertThat(allow("user01@example.test", "198.51.100.9")).isEqualTo("{\"status\":0,\"msg\":\"\"}");

        report("user01@example.test", "198.51.100.9", "smtp", "0b52", false);
        assertThat(allow("user01@example.test", "198.51.100.9")).as("3 failures: delayed 2 seconds").isEqualTo("{\"status\":2,\"msg\":\"\"}");
        report("user01@example.test", "198.51.100.9", "imap", "0b53", false);
        assertThat(allow("user01@example.test", "198.51.100.9")).isEqualTo("{\"status\":4,\"msg\":\"\"}");

        report("user01@example.test", "198.51.100.9", "imap", "0b54", false);
        String refused = allow("user01@example.test", "198.51.100.9");
        assertThat(refused).startsWith("{\"status\":-1,\"msg\":\"Login refused until 2026-11-22T10:15:00Z (ref r-");
        String id = refused.substring(refused.indexOf("(ref ") + 5, refused.indexOf(")\""));

        // The restriction is the store's: the CLI lists it, the policy server refuses the account on submission.
        assertThat(cli("restrictions", "list")).startsWith("0 ").contains(id).containsPattern("account +user01@example.test")
                .contains("password guessing: 5 failed logins in 1h");
        Restriction r = app.restrictions(false).getFirst();
        assertThat(r.evidence()).contains("failures=5", "via=dovecot-policy/smtp,dovecot-policy/imap");
        try (PolicyClient postfix = new PolicyClient(app.policyAddresses().getFirst())) {
            Map<String, String> rcpt = PolicyClient.rcpt("192.0.2.44", "user01@example.test", "someone@example.org", "submission");
            rcpt.put("sasl_method", "PLAIN");
            rcpt.put("sasl_username", "user01@example.test");
            assertThat(postfix.ask(rcpt)).isEqualTo("554 5.7.1 Access restricted until 2026-11-22T10:15:00Z (ref " + id + ")");
        }

        // Dovecot reports the refused login as policy_reject: the owner's retries during the block are not counted.
        for (int i = 0; i < 10; i++) {
            post("?command=report", reportBody("user01@example.test", "198.51.100.9", "imap", "0b50", false, true), KEY);
        }
        clock.advance(Duration.ofMinutes(16));
        assertThat(allow("user01@example.test", "198.51.100.9")).as("after the block, counting started afresh").isEqualTo("{\"status\":0,\"msg\":\"\"}");
    }

    @Test
    void aSuccessfulLoginClearsTheAccountsFailures() throws Exception {
        for (int i = 0; i < 3; i++) report("user02@example.test", "198.51.100.9", "imap", "0c5" + i, false);
        assertThat(allow("user02@example.test", "198.51.100.9")).isEqualTo("{\"status\":2,\"msg\":\"\"}");
        report("user02@example.test", "198.51.100.9", "imap", "0b50", true);
        assertThat(allow("user02@example.test", "198.51.100.9")).isEqualTo("{\"status\":0,\"msg\":\"\"}");
    }

    @Test
    void countsSurviveARestart() throws Exception {
        for (int i = 0; i < 3; i++) report("user06@example.test", "198.51.100.9", "imap", "0d" + i, false);
        app.close();
        app = Application.start(new ConfigLoader().load(dir.resolve("sekisho.yaml")), dir.resolve("data"), clock, System.out);
        assertThat(allow("user06@example.test", "198.51.100.9")).isEqualTo("{\"status\":2,\"msg\":\"\"}");
        for (int i = 3; i < 5; i++) report("user06@example.test", "198.51.100.9", "imap", "0d" + i, false);
        assertThat(allow("user06@example.test", "198.51.100.9")).startsWith("{\"status\":-1");
    }

    @Test
    void sprayingAcrossAccountsFromOneAddressBlocksTheAddress() throws Exception {
        for (int i = 1; i <= 4; i++) report("user0" + i + "@example.test", "203.0.113.7", "pop3", "0aa0", false);
        assertThat(allow("user09@example.test", "203.0.113.7")).startsWith("{\"status\":-1,\"msg\":\"Login refused until 2026-11-22T10:15:00Z");
        assertThat(allow("user09@example.test", "203.0.113.8")).isEqualTo("{\"status\":0,\"msg\":\"\"}");
        assertThat(app.restrictions(false)).singleElement().satisfies(r -> {
            assertThat(r.subject()).isEqualTo(new Subject(Subject.Kind.IP, "203.0.113.7"));
            assertThat(r.evidence()).contains("accounts=4", "user01@example.test", "user04@example.test", "via=dovecot-policy/pop3");
        });
        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpAddress().getPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("sekisho_logins_blocks_total 1.0").contains("sekisho_logins_rejects_total 1.0");
    }

    @Test
    void aListenerOfItsOwnServesOnlyTheEndpoint() throws Exception {
        restartWith("own.yaml", CONFIG + "    listen: 127.0.0.1:0\n", dir.resolve("data3"));
        String own = "http://127.0.0.1:" + app.dovecotPolicyAddress().orElseThrow().getPort();
        HttpResponse<String> allowed = http.send(HttpRequest.newBuilder(URI.create(own + "/dovecot/auth-policy?command=allow"))
                .header("X-API-Key", KEY).POST(HttpRequest.BodyPublishers.ofString(allowBody("a@example.test", "203.0.113.7", "imap"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.body()).isEqualTo("{\"status\":0,\"msg\":\"\"}");
        assertThat(http.send(HttpRequest.newBuilder(URI.create(own + "/api/restrictions")).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).as("no admin API here").isEqualTo(404);
        assertThat(post("?command=allow", allowBody("a@example.test", "203.0.113.7", "imap"), KEY).statusCode())
                .as("not on the main listener").isEqualTo(404);
    }

    @Test
    void withoutAConfiguredKeyOneIsCreatedInTheDataDirectory() throws Exception {
        Path data = dir.resolve("data2");
        restartWith("plain.yaml", "listen: {policy: [{address: 127.0.0.1:0}], http: 127.0.0.1:0}\nservices: {mx: {checks: [restrictions]}}\n", data);
        String key = Files.readString(data.resolve(Application.DOVECOT_KEY_FILE)).trim();
        assertThat(key).hasSize(64);
        assertThat(post("?command=allow", allowBody("a@example.test", "203.0.113.7", "imap"), key).statusCode()).isEqualTo(200);
        assertThat(post("?command=allow", allowBody("a@example.test", "203.0.113.7", "imap"), KEY).statusCode()).isEqualTo(403);
    }

    @Test
    void aMissingOrWrongKeyIsRefusedAndCountsNothing() throws Exception {
        HttpResponse<String> missing = post("?command=report", reportBody("user03@example.test", "203.0.113.7", "imap", "01", false, false), null);
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.body()).contains("missing X-API-Key header");
        HttpResponse<String> wrong = post("?command=allow", allowBody("user03@example.test", "203.0.113.7", "imap"), "guess");
        assertThat(wrong.statusCode()).isEqualTo(403);
        assertThat(wrong.body()).contains("wrong key");
        for (int i = 0; i < 6; i++) post("?command=report", reportBody("user03@example.test", "203.0.113.7", "imap", "0" + i, false, false), "guess");
        assertThat(allow("user03@example.test", "203.0.113.7")).isEqualTo("{\"status\":0,\"msg\":\"\"}");
    }

    @Test
    void aMalformedRequestOverIpv6NamesThePeerInTheShortForm() throws Exception {
        restartWith("v6.yaml", CONFIG + "    listen: \"[::1]:0\"\n", dir.resolve("data6"));
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        Logger logger = (Logger) LoggerFactory.getLogger(AuthPolicyEndpoint.class);
        logged.start();
        logger.addAppender(logged);
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://[::1]:" + app.dovecotPolicyAddress().orElseThrow().getPort()
                            + "/dovecot/auth-policy?command=allow")).header("X-API-Key", KEY).POST(HttpRequest.BodyPublishers.ofString("")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(400);
        } finally {
            logger.detachAppender(logged);
        }
        // RFC 5952 4.2: "::1", not the servlet API's [0:0:0:0:0:0:0:1].
        assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage)
                .containsExactly("dovecot auth policy: malformed request from ::1: the body is empty; Dovecot sends a JSON object");
    }

    @Test
    void malformedRequestsGetASpecificErrorAndTheServerGoesOn() throws Exception {
        assertThat(post("?command=allow", "{\"login\":\"a\",", KEY)).satisfies(r -> {
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).contains("the body is not JSON");
        });
        assertThat(post("?command=allow", "[1,2]", KEY).body()).contains("the body must be a JSON object, was array");
        assertThat(post("?command=allow", "", KEY).body()).contains("the body is empty");
        assertThat(post("?command=allow", "{\"remote\":\"203.0.113.7\"}", KEY).body()).contains("missing field \\\"login\\\"");
        assertThat(post("?command=allow", "{\"login\":\"a\",\"remote\":\"mail.example.org\"}", KEY).body())
                .contains("field \\\"remote\\\" must be an IP address, was \\\"mail.example.org\\\"");
        assertThat(post("?command=allow", "{\"login\":{\"x\":1},\"remote\":\"203.0.113.7\"}", KEY).body())
                .contains("field \\\"login\\\" must be a string, was object");
        assertThat(post("?command=report", allowBody("a@example.test", "203.0.113.7", "imap"), KEY).body())
                .contains("missing field \\\"success\\\"");
        assertThat(post("?command=report", "{\"login\":\"a\",\"remote\":\"203.0.113.7\",\"success\":\"maybe\"}", KEY).body())
                .contains("field \\\"success\\\" must be true or false");
        HttpResponse<String> noCommand = post("", allowBody("a@example.test", "203.0.113.7", "imap"), KEY);
        assertThat(noCommand.statusCode()).isEqualTo(400);
        assertThat(noCommand.body()).contains("missing command");
        assertThat(post("?command=delete", allowBody("a@example.test", "203.0.113.7", "imap"), KEY).body()).contains("unknown command \\\"delete\\\"");

        // Unknown fields are ignored, strings stand for booleans, and a mapped IPv4 address is the IPv4 client.
        String extra = "{\"login\":\"user05@example.test\",\"remote\":\"::ffff:203.0.113.70\",\"success\":\"false\",\"fail_type\":\"credentials\",\"extra\":{\"a\":[1]}}";
        for (int i = 0; i < 3; i++) assertThat(post("?command=report", extra, KEY).statusCode()).isEqualTo(200);
        assertThat(allow("user05@example.test", "203.0.113.70")).isEqualTo("{\"status\":2,\"msg\":\"\"}");
    }

    @Test
    void aRefusedIpv6LoginIsLoggedInTheShortForm() throws Exception {
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        Logger logger = (Logger) LoggerFactory.getLogger(AuthPolicyEndpoint.class);
        logged.start();
        logger.addAppender(logged);
        try {
            for (int i = 1; i <= 4; i++) report("user0" + i + "@example.test", "2001:db8::7", "pop3", "0aa0", false);
            assertThat(allow("user09@example.test", "2001:0db8:0:0:0:0:0:0007")).startsWith("{\"status\":-1");
        } finally {
            logger.detachAppender(logged);
        }
        // RFC 5952 4.2: the short form, as the restriction and every other log line write it.
        assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage).filteredOn(m -> m.contains(" reject ")).singleElement()
                .asString().startsWith("dovecot auth policy: reject login=user09@example.test remote=2001:db8::7 protocol=imap ");
    }

    /** Closes the running application and starts another with {@code yaml} (written to {@code name}) over {@code data}. */
    private void restartWith(String name, String yaml, Path data) throws Exception {
        app.close();
        Path file = dir.resolve(name);
        Files.writeString(file, yaml);
        app = Application.start(new ConfigLoader().load(file), data, clock, System.out);
    }
}
