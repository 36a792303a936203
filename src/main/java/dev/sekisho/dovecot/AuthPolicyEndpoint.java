package dev.sekisho.dovecot;

import dev.sekisho.engine.AddressText;
import dev.sekisho.engine.LoginAttempt;
import dev.sekisho.engine.LoginDecider;
import dev.sekisho.engine.LoginDecision;
import dev.sekisho.engine.LoginObserver;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Dovecot's auth policy server (Dovecot 2.3): answers {@code command=allow} with the engine's
 * {@link LoginDecider} and hands {@code command=report} to a {@link LoginObserver}. With Postfix
 * using Dovecot SASL this covers SMTP AUTH as well as IMAP and POP3.
 *
 * <p>The reply is {@code {"status": N, "msg": "..."}}: Dovecot refuses the login when N is negative
 * (showing msg to the client), lets it go on when N is 0, and holds it N seconds first when N is
 * positive (auth-request.c: {@code timeout_add(result * 1000, ...)}; only before the password
 * check). Dovecot reads nothing else and gives up on a reply it cannot parse, so the reply holds
 * exactly those two fields.
 *
 * <p>Every request must carry the configured key in the configured header
 * ({@code auth_policy_server_api_header = X-API-Key:KEY}); without it 401, with a wrong one 403,
 * both logged. A malformed request is answered 400 with the reason; Dovecot then logs
 * "Policy server HTTP error" and applies {@code auth_policy_reject_on_fail}.
 */
public final class AuthPolicyEndpoint implements Handler {
    private static final Logger LOG = LoggerFactory.getLogger(AuthPolicyEndpoint.class);
    private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;
    public static final String SOURCE = "dovecot-policy";

    /**
     * @param apiHeader the header the key arrives in
     * @param apiKey    the key; never empty (an endpoint anyone may feed could block any account)
     */
    public record Settings(String apiHeader, String apiKey) {
        public Settings {
            Objects.requireNonNull(apiHeader, "apiHeader");
            if (apiKey == null || apiKey.isBlank()) throw new IllegalArgumentException("the Dovecot auth policy endpoint needs an API key");
        }
    }

    private final Settings settings;
    private final byte[] key;
    private final LoginDecider decider;
    private final LoginObserver observer;
    private final InstantSource clock;
    private final LongAdder refusedKeys = new LongAdder();
    private final LongAdder malformed = new LongAdder();
    private final AtomicLong lastKeyWarning = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);
    private final AtomicLong lastMalformedWarning = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);

    public AuthPolicyEndpoint(Settings settings, LoginDecider decider, LoginObserver observer, InstantSource clock) {
        this.settings = settings;
        this.key = settings.apiKey().getBytes(StandardCharsets.UTF_8);
        this.decider = decider;
        this.observer = observer;
        this.clock = clock;
    }

    @Override
    public void handle(Context ctx) {
        String given = ctx.header(settings.apiHeader());
        if (given == null) {
            refuse(ctx, HttpStatus.UNAUTHORIZED, "missing " + settings.apiHeader() + " header (auth_policy_server_api_header)");
            return;
        }
        if (!MessageDigest.isEqual(given.trim().getBytes(StandardCharsets.UTF_8), key)) {
            refuse(ctx, HttpStatus.FORBIDDEN, "wrong key in the " + settings.apiHeader() + " header");
            return;
        }
        AuthPolicyRequest request;
        try {
            request = AuthPolicyRequest.parse(ctx.queryParam("command"), ctx.bodyAsBytes());
        } catch (AuthPolicyRequest.MalformedException e) {
            malformed.increment();
            if (logNow(lastMalformedWarning)) {
                LOG.warn("dovecot auth policy: malformed request from {}: {}", peer(ctx), e.getMessage());
            }
            ctx.status(HttpStatus.BAD_REQUEST).json(Map.of("error", e.getMessage()));
            return;
        }
        switch (request.command()) {
            case ALLOW -> allow(ctx, request);
            case REPORT -> report(ctx, request);
        }
    }

    private void allow(Context ctx, AuthPolicyRequest request) {
        LoginDecision decision = decider.decide(request.login(), request.remote(), request.protocol(), clock.instant());
        int status = switch (decision.outcome()) {
            case ALLOW -> 0;
            case DELAY -> (int) Math.max(1, Math.min(Integer.MAX_VALUE, decision.delay().toSeconds()));
            case REJECT -> -1;
        };
        if (status != 0) {
            LOG.info("dovecot auth policy: {} login={} remote={} protocol={} session={} {}",
                    status < 0 ? "reject" : "delay " + status + "s", request.login(), AddressText.of(request.remote()),
                    request.protocol(), request.session(), decision.explanation().toLogString());
        }
        reply(ctx, status, decision.message());
    }

    private void report(Context ctx, AuthPolicyRequest request) {
        // A login this server refused never had its password checked: counting it would prolong a
        // block on the real owner's every retry. Only the password check's own verdict counts.
        if (!request.policyReject()) {
            observer.observe(new LoginAttempt(clock.instant(), request.login(), request.remote(), request.protocol(),
                    request.success() ? LoginAttempt.Result.SUCCESS : LoginAttempt.Result.FAILURE, request.passwordHash(), SOURCE));
        }
        reply(ctx, 0, "");
    }

    private static void reply(Context ctx, int status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("msg", message);
        ctx.json(body);
    }

    /** Requests refused for a missing or wrong key. */
    public long refusedKeys() {
        return refusedKeys.sum();
    }

    /** Requests answered 400. */
    public long malformed() {
        return malformed.sum();
    }

    private void refuse(Context ctx, HttpStatus status, String reason) {
        refusedKeys.increment();
        if (logNow(lastKeyWarning)) LOG.warn("dovecot auth policy: refused a request from {}: {}", peer(ctx), reason);
        ctx.status(status).json(Map.of("error", reason));
    }

    /** True at most once every 10 s: a misconfigured Dovecot sends every login. */
    private static boolean logNow(AtomicLong last) {
        long now = System.nanoTime();
        long before = last.get();
        return now - before >= LOG_INTERVAL_NANOS && last.compareAndSet(before, now);
    }

    /**
     * The peer's address as every other log line writes it (RFC 5952 4.2). The servlet API hands it over as
     * text in Java's long form, in brackets for IPv6; text it cannot read is logged as given.
     */
    private static String peer(Context ctx) {
        String ip = ctx.ip();
        String bare = ip.length() > 1 && ip.startsWith("[") && ip.endsWith("]") ? ip.substring(1, ip.length() - 1) : ip;
        IPAddress address = new IPAddressString(bare).getAddress();
        return address == null ? ip : AddressText.of(address.toInetAddress());
    }
}
