package dev.sekisho.notify;

import dev.sekisho.backoff.Backoff;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.sekisho.engine.Restriction;
import dev.sekisho.engine.Subject;
import dev.sekisho.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentLinkedDeque;

import static org.assertj.core.api.Assertions.assertThat;

/** The webhook against a real HTTP server on loopback; retries driven by a moved clock. */
class WebhookNotificationTest {
    private static final String SECRET = "s3cret-for-the-receiver-0123";
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Received(Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).findFirst()
                    .map(e -> e.getValue().get(0)).orElse(null);
        }
    }

    private final MutableClock clock = MutableClock.at("2026-12-02T06:00:00Z");
    private final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
    /** Status codes the server answers, in order; 204 once they run out. */
    private final ConcurrentLinkedDeque<Integer> answers = new ConcurrentLinkedDeque<>();
    private HttpServer server;
    private URI url;

    @BeforeEach
    void startServer() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            received.add(new Received(Map.copyOf(exchange.getRequestHeaders()), body));
            Integer status = answers.pollFirst();
            if (status != null && status == 429) exchange.getResponseHeaders().add("Retry-After", "600");
            exchange.sendResponseHeaders(status == null ? 204 : status, -1);
            exchange.close();
        });
        server.start();
        url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private Restriction restriction(String id) {
        Instant at = Instant.parse("2026-12-02T05:59:30Z");
        return new Restriction(id, Subject.parse(Subject.Kind.ACCOUNT, "taro@example.jp"), "password failures from abroad",
                "rule:login-lockout", "failures=12 window=10m sources=3", at, at.plus(Duration.ofHours(2)), null, "");
    }

    private Notifier notifier(int maxAttempts) {
        var webhook = new WebhookDestination(url, SECRET, EnumSet.of(Subject.Kind.ACCOUNT, Subject.Kind.IP), Duration.ofSeconds(5), "mx1");
        return new Notifier(List.of(webhook), new Notifier.RetryPolicy(maxAttempts, Backoff.doubling(Duration.ofSeconds(30), Duration.ofMinutes(10))), 100, clock);
    }

    /** The receiver's side of docs/notifications.md, written independently of WebhookSignature. */
    private static String expectedSignature(String timestamp, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
        return "v1=" + HexFormat.of().formatHex(mac.doFinal(body));
    }

    @Test
    void postsTheRestrictionAsSignedJson() throws Exception {
        Notifier notifier = notifier(3);
        notifier.accept(restriction("r-0001"));
        assertThat(notifier.runDue()).isEqualTo(1);

        assertThat(received).hasSize(1);
        Received r = received.peek();
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("event").asText()).isEqualTo("restriction.imposed");
        assertThat(body.get("id").asText()).isEqualTo("r-0001");
        assertThat(body.get("node").asText()).isEqualTo("mx1");
        assertThat(body.at("/subject/kind").asText()).isEqualTo("account");
        assertThat(body.at("/subject/value").asText()).isEqualTo("taro@example.jp");
        assertThat(body.get("reason").asText()).isEqualTo("password failures from abroad");
        assertThat(body.get("imposedBy").asText()).isEqualTo("rule:login-lockout");
        assertThat(body.get("evidence").asText()).isEqualTo("failures=12 window=10m sources=3");
        assertThat(body.get("createdAt").asText()).isEqualTo("2026-12-02T05:59:30Z");
        assertThat(body.get("expiresAt").asText()).isEqualTo("2026-12-02T07:59:30Z");
        assertThat(r.header("Content-Type")).startsWith("application/json");

        String timestamp = r.header("Sekisho-Timestamp");
        assertThat(timestamp).isEqualTo(Long.toString(clock.instant().getEpochSecond()));
        assertThat(r.header("Sekisho-Signature")).isEqualTo(expectedSignature(timestamp, r.body()));
        assertThat(notifier.stats().delivered()).isEqualTo(1);
    }

    @Test
    void theSignatureMatchesTheOneOpensslComputesFromTheDocumentedRecipe() {
        // docs/notifications.md: { printf '%s.' "$TIMESTAMP"; cat body.json; } | openssl dgst -sha256 -hmac "$SECRET"
        assertThat(new WebhookSignature(SECRET).sign(1764655200L, "{\"a\":1}".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("v1=af5f314f7e2b7dd10653df49fc87b6f8bc3a8f72aa5b39a4bac9191ccb8ff1fe");
    }

    @Test
    void aReceiverCanRejectATamperedBodyAndAReplay() {
        Notifier notifier = notifier(3);
        notifier.accept(restriction("r-0002"));
        notifier.runDue();
        Received r = received.peek();
        WebhookSignature receiver = new WebhookSignature(SECRET);
        String ts = r.header("Sekisho-Timestamp");
        String sig = r.header("Sekisho-Signature");

        assertThat(receiver.verify(ts, sig, r.body(), clock.instant(), Duration.ofMinutes(5))).isTrue();
        byte[] tampered = new String(r.body(), StandardCharsets.UTF_8).replace("taro", "jiro").getBytes(StandardCharsets.UTF_8);
        assertThat(receiver.verify(ts, sig, tampered, clock.instant(), Duration.ofMinutes(5))).isFalse();
        // the same request replayed ten minutes later
        assertThat(receiver.verify(ts, sig, r.body(), clock.instant().plus(Duration.ofMinutes(10)), Duration.ofMinutes(5))).isFalse();
        // a fresh timestamp pasted onto the old signature
        String fresh = Long.toString(clock.instant().plus(Duration.ofMinutes(10)).getEpochSecond());
        assertThat(receiver.verify(fresh, sig, r.body(), clock.instant().plus(Duration.ofMinutes(10)), Duration.ofMinutes(5))).isFalse();
        assertThat(new WebhookSignature("another-secret-entirely-xx").verify(ts, sig, r.body(), clock.instant(), Duration.ofMinutes(5))).isFalse();
    }

    @Test
    void a500IsRetriedAfterTheBackoffWithAFreshSignature() throws Exception {
        answers.add(500);
        answers.add(503);
        Notifier notifier = notifier(5);
        notifier.accept(restriction("r-0003"));

        assertThat(notifier.runDue()).isEqualTo(1);
        assertThat(notifier.stats().waiting()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(29));
        assertThat(notifier.runDue()).as("not before the first retry delay").isZero();
        clock.advance(Duration.ofSeconds(1));
        assertThat(notifier.runDue()).isEqualTo(1); // 503
        clock.advance(Duration.ofSeconds(59));
        assertThat(notifier.runDue()).as("the delay doubles").isZero();
        clock.advance(Duration.ofSeconds(1));
        assertThat(notifier.runDue()).isEqualTo(1); // 204

        assertThat(received).hasSize(3);
        assertThat(notifier.stats()).isEqualTo(new Notifier.Stats(1, 1, 0, 0, 2, 0));
        Received last = received.stream().reduce((a, b) -> b).orElseThrow();
        assertThat(last.header("Sekisho-Timestamp")).isEqualTo(Long.toString(clock.instant().getEpochSecond()));
        assertThat(last.header("Sekisho-Signature")).isEqualTo(expectedSignature(last.header("Sekisho-Timestamp"), last.body()));
    }

    @Test
    void a400IsNotRetried() {
        answers.add(400);
        Notifier notifier = notifier(5);
        notifier.accept(restriction("r-0004"));
        notifier.runDue();
        clock.advance(Duration.ofHours(2));
        assertThat(notifier.runDue()).isZero();
        assertThat(received).hasSize(1);
        assertThat(notifier.stats().failed()).isEqualTo(1);
        assertThat(notifier.stats().waiting()).isZero();
    }

    @Test
    void a429IsRetriedNoSoonerThanItsRetryAfter() {
        answers.add(429); // Retry-After: 600
        Notifier notifier = notifier(5);
        notifier.accept(restriction("r-0005"));
        notifier.runDue();
        clock.advance(Duration.ofSeconds(599));
        assertThat(notifier.runDue()).isZero();
        clock.advance(Duration.ofSeconds(1));
        assertThat(notifier.runDue()).isEqualTo(1);
        assertThat(notifier.stats().delivered()).isEqualTo(1);
    }

    @Test
    void afterTheLastAttemptTheDeliveryIsLoggedAsFailed() {
        for (int i = 0; i < 5; i++) answers.add(502);
        Notifier notifier = notifier(3);
        notifier.accept(restriction("r-0006"));
        for (int i = 0; i < 5; i++) {
            notifier.runDue();
            clock.advance(Duration.ofMinutes(10));
        }
        assertThat(received).hasSize(3);
        assertThat(notifier.stats().failed()).isEqualTo(1);
        assertThat(notifier.stats().waiting()).isZero();
    }

    @Test
    void aClosedPortIsRetried() throws Exception {
        server.stop(0);
        Notifier notifier = notifier(3);
        notifier.accept(restriction("r-0007"));
        notifier.runDue();
        assertThat(notifier.stats().retried()).isEqualTo(1);
        assertThat(notifier.stats().waiting()).isEqualTo(1);
    }

    @Test
    void subjectKindsTheEndpointDoesNotWantAreNotSent() {
        Notifier notifier = notifier(3);
        Instant at = clock.instant();
        notifier.accept(new Restriction("r-0008", Subject.parse(Subject.Kind.DOMAIN, "spam.example"), "", "cli:alice", "",
                at, at.plusSeconds(60), null, ""));
        assertThat(notifier.runDue()).isZero();
        assertThat(received).isEmpty();
    }
}
