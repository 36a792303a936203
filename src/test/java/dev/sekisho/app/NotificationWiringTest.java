package dev.sekisho.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.sekisho.config.ConfigLoader;
import dev.sekisho.engine.Restriction;
import dev.sekisho.engine.Subject;
import dev.sekisho.testing.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The application wires the notifier in front of its state: an imposed restriction reaches the webhook once. */
class NotificationWiringTest {
    @TempDir
    Path dir;

    @Test
    void aRestrictionImposedThroughTheApplicationReachesTheWebhookOnce() throws Exception {
        LinkedBlockingQueue<JsonNode> bodies = new LinkedBlockingQueue<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/hook", exchange -> {
            bodies.add(new ObjectMapper().readTree(exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        try {
            Path config = dir.resolve("sekisho.yaml");
            Files.writeString(config, """
                    listen:
                      policy:
                        - address: 127.0.0.1:0
                      http: 127.0.0.1:0
                    services:
                      mx:
                        checks: [restrictions]
                    notify:
                      node: mx1
                      webhooks:
                        - url: http://127.0.0.1:%d/hook
                          secret: wiring-test-secret-0123
                    """.formatted(receiver.getAddress().getPort()));
            MutableClock clock = MutableClock.at("2026-12-02T06:00:00Z");
            try (Application app = Application.start(new ConfigLoader().load(config), dir.resolve("data"), clock, System.out)) {
                Restriction r = app.impose(Subject.parse(Subject.Kind.IP, "203.0.113.9"), Duration.ofHours(1), "spray", "cli:alice");
                JsonNode body = bodies.poll(20, TimeUnit.SECONDS);
                assertThat(body).as("webhook call").isNotNull();
                assertThat(body.get("id").asText()).isEqualTo(r.id());
                assertThat(body.at("/subject/value").asText()).isEqualTo("203.0.113.9");
                assertThat(body.get("node").asText()).isEqualTo("mx1");

                app.lift(r.id(), "cli:alice");
                Restriction second = app.impose(Subject.parse(Subject.Kind.ACCOUNT, "jiro"), Duration.ofHours(1), "limit", "cli:alice");
                JsonNode next = bodies.poll(20, TimeUnit.SECONDS);
                assertThat(next.get("id").asText()).as("a lift sends nothing; the next one is the new restriction").isEqualTo(second.id());
                // the receiver answers before the sender counts: wait for the count, not for time
                String delivered = "sekisho_notifications_total{result=\"delivered\"} 2.0";
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!app.metrics().scrape().contains(delivered) && System.nanoTime() < deadline) java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
                assertThat(app.metrics().scrape()).contains(delivered);
            }
        } finally {
            receiver.stop(0);
        }
    }
}
