package dev.sekisho.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.sekisho.app.Application;
import dev.sekisho.config.ConfigLoader;
import dev.sekisho.engine.Restriction;
import dev.sekisho.engine.Subject;
import dev.sekisho.testing.CliRun;
import dev.sekisho.testing.MmdbWriter;
import dev.sekisho.testing.RealDovecot;
import dev.sekisho.testing.RealPostfix;
import dev.sekisho.testing.Swaks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stolen-credential abuse against a real Dovecot and a real Postfix (Debian's packages) on loopback, with Sekisho
 * in-process as Dovecot's auth policy server, Postfix's policy server and the sender of webhooks (issue 5, "System
 * test"). Dovecot checks passwords from a passwd-file and asks Sekisho before and after each check; Postfix's
 * submission authenticates through Dovecot's SASL socket, so SMTP AUTH reaches Sekisho by the same path as IMAP.
 *
 * <p>Each test uses accounts and client addresses of its own (presented from loopback with IMAP ID
 * {@code x-originating-ip} and Postfix XCLIENT, both trusted from 127.0.0.1), so the tests share one set of daemons
 * and do not see each other's counters. A test of other client addresses (a country rule, say) adds its accounts to
 * {@link #USERS}, its configuration to {@link #sekishoConfig}, and logs in with {@link #imapLogin} and
 * {@link #smtpAuth} from the address it needs.
 *
 * <p>Thresholds are low: an account is delayed from its 2nd failure (1 s, never more) and blocked at its 4th, an
 * address is blocked at its 3rd distinct account. The seconds this class waits in delays are Dovecot's: its auth
 * process holds the login for as long as Sekisho's {@code allow} answer says before it checks the password; the
 * test only waits for the reply.
 *
 * <p>Countries come from a country database the test writes ({@link MmdbWriter}): 192.0.2.0/24 is Japan (home),
 * 203.0.113.0/24 the United States; 198.51.100.0/24 is in no country, so the spray test's addresses are unknown and
 * allowed. Sightings from several countries are off here ({@code countries: 0}), so that the travelling account is
 * judged by its switch alone.
 */
@Tag("system")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoginAbuseSystemTest {
    private static final String DOMAIN = RealPostfix.LOCAL_DOMAIN;
    private static final String PASSWORD = "correct-horse-7";
    private static final String DOVECOT_KEY = "dovecot-system-test-key-0123456789";
    private static final String WEBHOOK_SECRET = "webhook-system-test-secret-0123";
    private static final int MESSAGES_PER_HOUR = 3;

    private static final String GUESSED_AT_IMAP = "guessed-imap@" + DOMAIN;
    private static final String GUESSED_AT_SMTP = "guessed-smtp@" + DOMAIN;
    private static final String SENDER = "sender@" + DOMAIN;
    /** An account whose user set "refuse use from abroad" (docs/accounts.md). */
    private static final String TRAVELLER = "traveller@" + DOMAIN;
    private static final String HOME_ADDRESS = "192.0.2.50";
    private static final String FOREIGN_ADDRESS = "203.0.113.50";
    private static final String REFUSED_ABROAD = "Use of this account from abroad is refused by its settings";
    private static final List<String> SPRAYED = List.of("spray1@" + DOMAIN, "spray2@" + DOMAIN, "spray3@" + DOMAIN, "spray4@" + DOMAIN);
    private static final List<RealDovecot.User> USERS;

    static {
        List<RealDovecot.User> users = new ArrayList<>();
        for (String name : List.of(GUESSED_AT_IMAP, GUESSED_AT_SMTP, SENDER, TRAVELLER)) users.add(new RealDovecot.User(name, PASSWORD));
        for (String name : SPRAYED) users.add(new RealDovecot.User(name, PASSWORD));
        USERS = List.copyOf(users);
    }

    private final ObjectMapper json = new ObjectMapper();
    private final BlockingQueue<Webhook> webhooksArriving = new LinkedBlockingQueue<>();
    private final List<Webhook> webhooks = new ArrayList<>();
    private HttpServer webhookReceiver;
    private Application sekisho;
    private RealDovecot dovecot;
    private RealPostfix postfix;
    private Path dataDir;

    /** One webhook request as it arrived: the headers Sekisho signs with, and the raw body. */
    private record Webhook(String timestamp, String signature, String event, byte[] body) {
    }

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        RealPostfix.requireAvailable();
        RealDovecot.requireAvailable();
        webhookReceiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        webhookReceiver.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            var h = exchange.getRequestHeaders();
            webhooksArriving.add(new Webhook(h.getFirst("Sekisho-Timestamp"), h.getFirst("Sekisho-Signature"), h.getFirst("Sekisho-Event"), body));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        webhookReceiver.start();

        Path countries = new MmdbWriter("GeoLite2-Country")
                .network("192.0.2.0/24", MmdbWriter.country("JP"))
                .network("203.0.113.0/24", MmdbWriter.country("US"))
                .write(dir.resolve("countries.mmdb"));
        Path config = dir.resolve("sekisho.yaml");
        Files.writeString(config, sekishoConfig(webhookReceiver.getAddress().getPort(), countries));
        dataDir = dir.resolve("data");
        // The real clock: Dovecot and Postfix run in real time, and block expiry is checked against it.
        sekisho = Application.start(new ConfigLoader().load(config), dataDir, Clock.systemUTC(), System.out);

        dovecot = RealDovecot.start(USERS, dovecotPolicyConfig(sekisho.httpAddress().getPort()));
        int policyPort = sekisho.policyAddresses().get(0).getPort();
        postfix = RealPostfix.start(
                RealPostfix.Restrictions.policyService(policyPort, "submission").withEndOfDataPolicyService(policyPort, "submission"),
                RealPostfix.dovecotSasl(dovecot.saslSocket()));
    }

    @AfterAll
    void stop() throws Exception {
        // Postfix first: Dovecot's auth process outlives its master while smtpd holds a SASL connection.
        try {
            if (postfix != null) postfix.close();
        } finally {
            try {
                if (dovecot != null) dovecot.close();
            } finally {
                if (sekisho != null) sekisho.close();
                if (webhookReceiver != null) webhookReceiver.stop(0);
            }
        }
    }

    private static String sekishoConfig(int webhookPort, Path countryDatabase) {
        return """
                listen:
                  policy:
                    - address: 127.0.0.1:0
                  http: 127.0.0.1:0
                services:
                  submission:
                    checks:
                      - restrictions
                      - type: account-abroad
                      - type: rate-limit
                        name: per-account
                        key: sasl-username
                        count: messages
                        limits: [%2$d/1h]
                logins:
                  window: 1h
                  account: {delay-after: 2, block-after: 4, passwords-block-after: 0}
                  ip: {delay-after: 0, block-after: 0, accounts-block-after: 3}
                  network: {delay-after: 0, block-after: 0, accounts-block-after: 0}
                  delay: 1s
                  max-delay: 1s
                  dovecot:
                    api-key: %3$s
                geoip:
                  country-database: %5$s
                accounts:
                  home-countries: [JP]
                  several-countries: {countries: 0}
                notify:
                  node: sekisho-system-test
                  webhooks:
                    - url: http://127.0.0.1:%1$d/hook
                      secret: %4$s
                """.formatted(webhookPort, MESSAGES_PER_HOUR, DOVECOT_KEY, WEBHOOK_SECRET, countryDatabase);
    }

    /** Dovecot asks Sekisho before each password check and reports after it (docs/logins.md). */
    private static List<String> dovecotPolicyConfig(int sekishoHttpPort) {
        return List.of(
                "auth_policy_server_url = http://127.0.0.1:" + sekishoHttpPort + "/dovecot/auth-policy",
                "auth_policy_server_api_header = X-API-Key:" + DOVECOT_KEY,
                "auth_policy_hash_nonce = system-test-nonce",
                "auth_policy_request_attributes = login=%{requested_username} pwhash=%{hashed_password} remote=%{rip}"
                        + " device_id=%{client_id} protocol=%s session_id=%{session}",
                "auth_policy_check_before_auth = yes",
                "auth_policy_check_after_auth = yes",
                "auth_policy_report_after_auth = yes",
                "auth_policy_reject_on_fail = no");
    }

    // ---- password guessing against one account ----

    @Test
    void guessingOneAccountsPasswordAtImapIsDelayedThenBlockedAtImapAndSmtpAuth() throws Exception {
        String from = "192.0.2.10";
        for (int i = 1; i <= 2; i++) {
            ImapLogin attempt = imapLogin(GUESSED_AT_IMAP, "guess-" + i, from);
            assertThat(attempt.reply()).startsWith("NO [AUTHENTICATIONFAILED]");
        }
        double delaysBefore = delaysAnswered();
        for (int i = 3; i <= 4; i++) {
            ImapLogin attempt = imapLogin(GUESSED_AT_IMAP, "guess-" + i, from);
            assertThat(attempt.reply()).startsWith("NO [AUTHENTICATIONFAILED]");
            // Dovecot held the attempt for the 1 s Sekisho asked before it checked the password
            assertThat(attempt.took()).as("attempt %d held by Dovecot", i).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        }
        assertThat(delaysAnswered() - delaysBefore).as("allow answers that asked for a delay").isEqualTo(2);

        // 4 failures: the account is blocked; the right password no longer gets in, at IMAP or at SMTP AUTH,
        // from this address or any other
        Restriction block = restrictionOf(Subject.Kind.ACCOUNT, GUESSED_AT_IMAP);
        assertThat(block.imposedBy()).isEqualTo("rule:logins.account.block-after");
        assertThat(block.reason()).isEqualTo("password guessing: 4 failed logins in 1h");
        assertThat(block.evidence()).contains("failures=4", "via=dovecot-policy/imap", "offence=1", "block=15m");
        assertThat(Duration.between(block.createdAt(), block.expiresAt())).isEqualTo(Duration.ofMinutes(15));

        String refusal = "Login refused until " + block.expiresAt() + " (ref " + block.id() + ")";
        assertThat(imapLogin(GUESSED_AT_IMAP, PASSWORD, from).reply()).isEqualTo("NO [ALERT] " + refusal);
        assertThat(imapLogin(GUESSED_AT_IMAP, PASSWORD, "192.0.2.11").reply()).isEqualTo("NO [ALERT] " + refusal);
        Swaks.SmtpReply smtp = smtpAuth(GUESSED_AT_IMAP, PASSWORD, "192.0.2.12").reply();
        assertThat(smtp.code()).isEqualTo(535);
        assertThat(smtp.text()).contains(refusal);

        assertWebhookFor(block);
    }

    @Test
    void guessingOneAccountsPasswordAtSmtpAuthIsDelayedThenBlockedAtSmtpAuthAndImap() throws Exception {
        String from = "192.0.2.20";
        for (int i = 1; i <= 2; i++) {
            SmtpAuth attempt = smtpAuth(GUESSED_AT_SMTP, "guess-" + i, from);
            assertThat(attempt.reply().code()).isEqualTo(535);
            assertThat(attempt.reply().text()).startsWith("5.7.8");
        }
        double delaysBefore = delaysAnswered();
        for (int i = 3; i <= 4; i++) {
            SmtpAuth attempt = smtpAuth(GUESSED_AT_SMTP, "guess-" + i, from);
            assertThat(attempt.reply().code()).isEqualTo(535);
            // Dovecot's auth process held the SASL exchange for the 1 s Sekisho asked
            assertThat(attempt.took()).as("attempt %d held by Dovecot", i).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        }
        assertThat(delaysAnswered() - delaysBefore).as("allow answers that asked for a delay").isEqualTo(2);

        Restriction block = restrictionOf(Subject.Kind.ACCOUNT, GUESSED_AT_SMTP);
        assertThat(block.imposedBy()).isEqualTo("rule:logins.account.block-after");
        assertThat(block.evidence()).contains("failures=4", "via=dovecot-policy/smtp");

        String refusal = "Login refused until " + block.expiresAt() + " (ref " + block.id() + ")";
        Swaks.SmtpReply smtp = smtpAuth(GUESSED_AT_SMTP, PASSWORD, from).reply();
        assertThat(smtp.code()).isEqualTo(535);
        assertThat(smtp.text()).contains(refusal);
        assertThat(imapLogin(GUESSED_AT_SMTP, PASSWORD, "192.0.2.21").reply()).isEqualTo("NO [ALERT] " + refusal);

        assertWebhookFor(block);
    }

    // ---- spraying many accounts from one address ----

    @Test
    void sprayingManyAccountsFromOneAddressBlocksTheAddress() throws Exception {
        String sprayer = "198.51.100.30";
        for (String account : SPRAYED.subList(0, 3)) {
            assertThat(imapLogin(account, "Summer2026!", sprayer).reply()).startsWith("NO [AUTHENTICATIONFAILED]");
        }

        Restriction block = restrictionOf(Subject.Kind.IP, sprayer);
        assertThat(block.imposedBy()).isEqualTo("rule:logins.ip.accounts-block-after");
        assertThat(block.reason()).isEqualTo("password spraying from " + sprayer + ": 3 accounts failed in 1h");
        assertThat(block.evidence()).contains("failures=3", "accounts=3", SPRAYED.get(0), SPRAYED.get(1), SPRAYED.get(2));
        // no account reached its own threshold: only the address is blocked
        assertThat(sekisho.restrictions(false)).noneMatch(r -> r.subject().kind() == Subject.Kind.ACCOUNT && SPRAYED.contains(r.subject().value()));

        // from the address, even a right password is refused, at IMAP and at SMTP AUTH; from elsewhere it works
        String refusal = "Login refused until " + block.expiresAt() + " (ref " + block.id() + ")";
        assertThat(imapLogin(SPRAYED.get(3), PASSWORD, sprayer).reply()).isEqualTo("NO [ALERT] " + refusal);
        Swaks.SmtpReply smtp = smtpAuth(SPRAYED.get(3), PASSWORD, sprayer).reply();
        assertThat(smtp.code()).isEqualTo(535);
        assertThat(smtp.text()).contains(refusal);
        assertThat(imapLogin(SPRAYED.get(3), PASSWORD, "198.51.100.31").reply()).startsWith("OK");

        assertWebhookFor(block);
    }

    // ---- sending limits per account ----

    @Test
    void theMessageOverAnAccountsHourlyLimitIsDeferred() throws Exception {
        String from = "192.0.2.40";
        for (int i = 1; i <= MESSAGES_PER_HOUR; i++) {
            Swaks.Result sent = Swaks.sendAuthenticated("127.0.0.1", postfix.smtpPort(),
                    Swaks.Message.to("friend" + i + "@" + DOMAIN).from(SENDER).fromClient(from), SENDER, PASSWORD);
            assertThat(sent.rcptReply().code()).as("message %d: %s", i, sent.transcript()).isEqualTo(250);
            assertThat(sent.dataReply()).as("message %d", i).hasValueSatisfying(reply -> assertThat(reply.code()).isEqualTo(250));
        }
        Swaks.Result over = Swaks.sendAuthenticated("127.0.0.1", postfix.smtpPort(),
                Swaks.Message.to("friend4@" + DOMAIN).from(SENDER).fromClient(from), SENDER, PASSWORD);
        assertThat(over.rcptReply().code()).as(over.transcript()).isEqualTo(450);
        assertThat(over.rcptReply().text()).startsWith("4.7.1")
                .contains("Rate limit per-account (" + MESSAGES_PER_HOUR + "/1h messages) exceeded for " + SENDER);
        assertThat(over.dataReply()).isEmpty();
        // a deferral, not a restriction: the account still logs in
        assertThat(sekisho.restrictions(false)).noneMatch(r -> r.subject().value().equals(SENDER));
        assertThat(imapLogin(SENDER, PASSWORD, from).reply()).startsWith("OK");
    }

    // ---- refuse use from abroad ----

    @Test
    void anAccountThatRefusesUseFromAbroadIsRefusedFromAForeignAddressUntilItsUserTravels() throws Exception {
        // the switch is off: a login from abroad is fine
        assertThat(imapLogin(TRAVELLER, PASSWORD, FOREIGN_ADDRESS).reply()).startsWith("OK");

        CliRun on = cli("account", "abroad", TRAVELLER, "on", "--by", "cli:desk");
        assertThat(on.exitCode()).as(on.err()).isZero();
        assertThat(on.out()).contains("refuse from abroad:  on");

        // abroad: refused before the password is checked, at IMAP and at SMTP AUTH, with the reason shown to the client
        assertThat(imapLogin(TRAVELLER, PASSWORD, FOREIGN_ADDRESS).reply()).isEqualTo("NO [ALERT] " + REFUSED_ABROAD);
        SmtpAuth foreignAuth = smtpAuth(TRAVELLER, PASSWORD, FOREIGN_ADDRESS);
        assertThat(foreignAuth.reply().code()).as(foreignAuth.transcript()).isEqualTo(535);
        assertThat(foreignAuth.reply().text()).contains(REFUSED_ABROAD);
        // at home: accepted, and mail goes through submission (swaks sends a message whenever AUTH succeeds, and
        // each one counts against the account's hourly limit, so the successful SMTP AUTHs here are the sends)
        assertThat(imapLogin(TRAVELLER, PASSWORD, HOME_ADDRESS).reply()).startsWith("OK");
        Swaks.Result fromHome = Swaks.sendAuthenticated("127.0.0.1", postfix.smtpPort(),
                Swaks.Message.to("friend@" + DOMAIN).from(TRAVELLER).fromClient(HOME_ADDRESS), TRAVELLER, PASSWORD);
        assertThat(authReply(fromHome.transcript()).code()).as(fromHome.transcript()).isEqualTo(235);
        assertThat(fromHome.rcptReply().code()).as(fromHome.transcript()).isEqualTo(250);
        // the refusals are in the account's recent logins; refusing is not a restriction
        assertThat(cli("account", "show", TRAVELLER).out())
                .containsPattern("203\\.0\\.113\\.50\\s+US\\s+imap\\s+refused: abroad")
                .containsPattern("203\\.0\\.113\\.50\\s+US\\s+smtp\\s+refused: abroad");
        assertThat(sekisho.restrictions(false)).noneMatch(r -> r.subject().value().equals(TRAVELLER));

        // the user travels: for 3 days logins and mail from abroad go through
        CliRun travel = cli("account", "travel", TRAVELLER, "--days", "3", "--by", "cli:desk");
        assertThat(travel.exitCode()).as(travel.err()).isZero();
        assertThat(travel.out()).contains("on (lifted now)");
        assertThat(imapLogin(TRAVELLER, PASSWORD, FOREIGN_ADDRESS).reply()).startsWith("OK");
        Swaks.Result fromAbroad = Swaks.sendAuthenticated("127.0.0.1", postfix.smtpPort(),
                Swaks.Message.to("friend@" + DOMAIN).from(TRAVELLER).fromClient(FOREIGN_ADDRESS), TRAVELLER, PASSWORD);
        assertThat(authReply(fromAbroad.transcript()).code()).as(fromAbroad.transcript()).isEqualTo(235);
        assertThat(fromAbroad.rcptReply().code()).as(fromAbroad.transcript()).isEqualTo(250);

        // a session that logged in abroad during the lift, when the lift ends before it sends: submission's
        // account-abroad check refuses the mail, since the login was allowed when it happened
        try (SmtpSession session = SmtpSession.open(postfix.smtpPort())) {
            assertThat(session.command("XCLIENT ADDR=" + FOREIGN_ADDRESS).code()).isEqualTo(220);
            assertThat(session.command("EHLO client.example.org").code()).isEqualTo(250);
            String credentials = Base64.getEncoder().encodeToString(("\0" + TRAVELLER + "\0" + PASSWORD).getBytes(StandardCharsets.UTF_8));
            assertThat(session.command("AUTH PLAIN " + credentials).code()).isEqualTo(235);

            CliRun back = cli("account", "travel", TRAVELLER, "--days", "0", "--by", "cli:desk");
            assertThat(back.exitCode()).as(back.err()).isZero();

            assertThat(session.command("MAIL FROM:<" + TRAVELLER + ">").code()).isEqualTo(250);
            Swaks.SmtpReply rcpt = session.command("RCPT TO:<friend@" + DOMAIN + ">");
            assertThat(rcpt.code()).isEqualTo(554);
            assertThat(rcpt.text()).isEqualTo("5.7.1 <friend@" + DOMAIN + ">: Recipient address rejected: " + REFUSED_ABROAD);
        }
        // and the lift's end holds at login too
        assertThat(imapLogin(TRAVELLER, PASSWORD, FOREIGN_ADDRESS).reply()).isEqualTo("NO [ALERT] " + REFUSED_ABROAD);
    }

    // ---- helpers ----

    /** {@code sekisho ARGS... } against the running Application's admin API, as support staff would type it. */
    private CliRun cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--url", "http://127.0.0.1:" + sekisho.httpAddress().getPort(), "--data-dir", dataDir.toString()));
        return CliRun.of(all.toArray(String[]::new));
    }

    /**
     * A plain SMTP session on Postfix's submission port, one command at a time, for a test that must act between two
     * commands of one session (swaks runs a whole session at once).
     */
    private static final class SmtpSession implements AutoCloseable {
        private final Socket socket;
        private final BufferedReader in;
        private final Writer out;

        private SmtpSession(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            this.out = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.US_ASCII);
        }

        static SmtpSession open(int port) throws IOException {
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            socket.setSoTimeout(30_000);
            SmtpSession session = new SmtpSession(socket);
            assertThat(session.reply().code()).isEqualTo(220);
            session.command("EHLO client.example.org");
            return session;
        }

        Swaks.SmtpReply command(String line) throws IOException {
            LoginAbuseSystemTest.command(out, line);
            return reply();
        }

        /** One reply, multi-line ones joined: the last line's code and text (RFC 5321 4.2.1). */
        private Swaks.SmtpReply reply() throws IOException {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.length() < 4) throw new IOException("not an SMTP reply line: " + line);
                if (line.charAt(3) != '-') return new Swaks.SmtpReply(Integer.parseInt(line.substring(0, 3)), line.substring(4));
            }
            throw new IOException("connection closed before a reply");
        }

        @Override
        public void close() throws IOException {
            try {
                command("QUIT");
            } finally {
                socket.close();
            }
        }
    }

    /** The active restriction of one subject, as the Application lists it. */
    private Restriction restrictionOf(Subject.Kind kind, String value) {
        List<Restriction> found = sekisho.restrictions(false).stream()
                .filter(r -> r.subject().kind() == kind && r.subject().value().equals(value)).toList();
        assertThat(found).as("active restrictions of %s:%s among %s", kind, value, sekisho.restrictions(false)).hasSize(1);
        return found.get(0);
    }

    /** Times Sekisho answered Dovecot's allow with a delay, since start. */
    private double delaysAnswered() {
        return sekisho.metrics().get("sekisho.logins.delays").functionCounter().count();
    }

    /**
     * Waits for the webhook about {@code restriction} (webhooks about other tests' restrictions may come between),
     * checks its signature as a receiver would (docs/notifications.md, "Verifying a webhook") and its fields.
     */
    private void assertWebhookFor(Restriction restriction) throws Exception {
        Instant deadline = Instant.now().plusSeconds(15);
        Optional<Webhook> hook;
        while ((hook = webhooks.stream().filter(w -> id(w).equals(restriction.id())).findFirst()).isEmpty()) {
            Webhook next = webhooksArriving.poll(Duration.between(Instant.now(), deadline).toMillis(), TimeUnit.MILLISECONDS);
            assertThat(next).as("a webhook about %s within 15 s", restriction.id()).isNotNull();
            webhooks.add(next);
        }
        Webhook w = hook.get();
        assertThat(w.event()).isEqualTo("restriction.imposed");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(WEBHOOK_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        mac.update((w.timestamp() + ".").getBytes(StandardCharsets.US_ASCII));
        assertThat(w.signature()).isEqualTo("v1=" + HexFormat.of().formatHex(mac.doFinal(w.body())));
        assertThat(Math.abs(Instant.now().getEpochSecond() - Long.parseLong(w.timestamp()))).isLessThan(300);

        JsonNode body = json.readTree(w.body());
        assertThat(body.path("event").asText()).isEqualTo("restriction.imposed");
        assertThat(body.path("node").asText()).isEqualTo("sekisho-system-test");
        assertThat(body.path("subject").path("kind").asText()).isEqualTo(restriction.subject().kind().label());
        assertThat(body.path("subject").path("value").asText()).isEqualTo(restriction.subject().value());
        assertThat(body.path("reason").asText()).isEqualTo(restriction.reason());
        assertThat(body.path("imposedBy").asText()).isEqualTo(restriction.imposedBy());
        assertThat(body.path("evidence").asText()).isEqualTo(restriction.evidence());
        assertThat(body.path("expiresAt").asText()).isEqualTo(restriction.expiresAt().toString());
    }

    private String id(Webhook w) {
        try {
            return json.readTree(w.body()).path("id").asText();
        } catch (IOException e) {
            throw new AssertionError("webhook body is not JSON: " + new String(w.body(), StandardCharsets.UTF_8), e);
        }
    }

    /** The tagged reply to LOGIN without its tag (e.g. {@code NO [ALERT] ...}), and how long the server took to give it. */
    record ImapLogin(String reply, Duration took) {
    }

    /**
     * One IMAP login over a fresh connection to Dovecot's plain port, presenting {@code from} as the client's address
     * with ID {@code x-originating-ip} (RFC 2971; honoured because 127.0.0.1 is in login_trusted_networks).
     */
    ImapLogin imapLogin(String user, String password, String from) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), dovecot.imapPort()), 5000);
            socket.setSoTimeout(30_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            Writer out = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8);
            assertThat(in.readLine()).startsWith("* OK");
            command(out, "a1 ID (\"x-originating-ip\" \"" + from + "\")");
            assertThat(taggedReply(in, "a1")).startsWith("OK");
            long start = System.nanoTime();
            command(out, "a2 LOGIN " + quoted(user) + " " + quoted(password));
            String reply = taggedReply(in, "a2");
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            command(out, "a3 LOGOUT");
            return new ImapLogin(reply, took);
        }
    }

    private static void command(Writer out, String line) throws IOException {
        out.write(line + "\r\n");
        out.flush();
    }

    private static String taggedReply(BufferedReader in, String tag) throws IOException {
        String line;
        while ((line = in.readLine()) != null) {
            if (line.startsWith(tag + " ")) return line.substring(tag.length() + 1);
        }
        throw new IOException("connection closed before the reply to " + tag);
    }

    private static String quoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static Swaks.SmtpReply authReply(String transcript) {
        return Swaks.replyTo(transcript.lines().toList(), line -> line.startsWith("AUTH PLAIN "))
                .orElseThrow(() -> new AssertionError("no reply to AUTH in\n" + transcript));
    }

    /** The reply to AUTH, the whole transcript, and how long the exchange took. */
    record SmtpAuth(Swaks.SmtpReply reply, String transcript, Duration took) {
    }

    /** SMTP AUTH PLAIN on Postfix's submission (Dovecot SASL), presenting {@code from} with XCLIENT. */
    SmtpAuth smtpAuth(String user, String password, String from) throws IOException, InterruptedException {
        long start = System.nanoTime();
        String transcript = Swaks.authenticate("127.0.0.1", postfix.smtpPort(), "PLAIN", user, password, from);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        // swaks sends AUTH PLAIN with the credentials on the same line (an initial response, RFC 4954 4)
        Swaks.SmtpReply reply = Swaks.replyTo(transcript.lines().toList(), line -> line.startsWith("AUTH PLAIN "))
                .orElseThrow(() -> new AssertionError("no reply to AUTH in\n" + transcript));
        return new SmtpAuth(reply, transcript, took);
    }
}
