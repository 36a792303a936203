package dev.sekisho.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sekisho.engine.Restriction;
import dev.sekisho.engine.Subject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * POSTs each restriction as JSON to one URL, signed with {@link WebhookSignature}.
 * 2xx: delivered. 4xx other than 408 and 429: the receiver refuses it for good, give up.
 * Anything else (5xx, 408, 429, 3xx, no answer): try again later.
 */
public final class WebhookDestination implements Destination {
    public static final String EVENT_HEADER = "Sekisho-Event";
    public static final String EVENT = "restriction.imposed";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final URI url;
    private final WebhookSignature signature;
    private final Set<Subject.Kind> subjects;
    private final Duration timeout;
    private final String node;
    private final HttpClient client;

    public WebhookDestination(URI url, String secret, Set<Subject.Kind> subjects, Duration timeout, String node) {
        this.url = url;
        this.signature = new WebhookSignature(secret);
        this.subjects = Set.copyOf(subjects);
        this.timeout = timeout;
        this.node = node;
        this.client = HttpClient.newBuilder()
                .connectTimeout(timeout.compareTo(CONNECT_TIMEOUT) < 0 ? timeout : CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER) // a redirect would carry the signature somewhere unconfigured
                .build();
    }

    @Override
    public boolean wants(Restriction restriction) {
        return subjects.contains(restriction.subject().kind());
    }

    @Override
    public String key() {
        return "webhook " + url;
    }

    @Override
    public String describe(Restriction restriction) {
        return "webhook " + url;
    }

    /** The JSON body: one flat object, stable field names (docs/notifications.md). */
    public static byte[] body(Restriction r, String node) {
        ObjectNode o = JSON.createObjectNode();
        o.put("event", EVENT);
        o.put("node", node);
        o.put("id", r.id());
        ObjectNode subject = o.putObject("subject");
        subject.put("kind", r.subject().kind().label());
        subject.put("value", r.subject().value());
        o.put("reason", r.reason());
        o.put("imposedBy", r.imposedBy());
        o.put("evidence", r.evidence());
        o.put("createdAt", r.createdAt().toString());
        o.put("expiresAt", r.expiresAt().toString());
        try {
            return JSON.writeValueAsBytes(o);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a JSON tree", e);
        }
    }

    @Override
    public DeliveryOutcome deliver(Restriction restriction, Instant now) {
        byte[] body = body(restriction, node);
        long ts = now.getEpochSecond();
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json; charset=utf-8")
                .header("User-Agent", "sekisho-notify")
                .header(EVENT_HEADER, EVENT)
                .header(WebhookSignature.TIMESTAMP_HEADER, Long.toString(ts))
                .header(WebhookSignature.SIGNATURE_HEADER, signature.sign(ts, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        HttpResponse<Void> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            return new DeliveryOutcome.Retry("no answer: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new DeliveryOutcome.Retry("interrupted");
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) return new DeliveryOutcome.Delivered("HTTP " + status);
        if (status >= 400 && status < 500 && status != 408 && status != 429) {
            return new DeliveryOutcome.GiveUp("HTTP " + status + " (the receiver refuses it)");
        }
        return new DeliveryOutcome.Retry("HTTP " + status, retryAfter(response));
    }

    @Override
    public void close() {
        client.shutdownNow(); // its selector thread and idle connections
    }

    /** RFC 9110 §10.2.3 Retry-After in its delay-seconds form; the HTTP-date form is ignored (the backoff applies). */
    private static Duration retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").map(String::trim).filter(v -> v.matches("\\d{1,9}"))
                .map(v -> Duration.ofSeconds(Long.parseLong(v))).orElse(null);
    }
}
