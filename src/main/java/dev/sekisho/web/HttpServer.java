package dev.sekisho.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.sekisho.config.ConfigException;
import dev.sekisho.config.Durations;
import dev.sekisho.engine.Subject;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.json.JavalinJackson;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The HTTP side: health and readiness, Prometheus metrics, and the admin API (a bearer token is
 * required for everything under /api).
 */
public final class HttpServer implements AutoCloseable {
    private final Javalin javalin;

    public record Options(InetSocketAddress address, String adminToken) {
    }

    /** A POST endpoint of another protocol served on this listener (Dovecot's auth policy); it does its own authentication. */
    public record Route(String path, io.javalin.http.Handler handler) {
    }

    public HttpServer(Options options, AdminOperations admin, PrometheusMeterRegistry metrics) {
        this(options, admin, metrics, java.util.List.of());
    }

    private HttpServer(Javalin javalin) {
        this.javalin = javalin;
    }

    /**
     * A listener that serves only these routes: Dovecot's auth policy on an address the Dovecot
     * hosts can reach, without exposing the admin API there.
     */
    public static HttpServer routesOnly(InetSocketAddress address, java.util.List<Route> posts) {
        Javalin javalin = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.http.maxRequestSize = 1024 * 1024;
        });
        for (Route route : posts) javalin.post(route.path(), route.handler());
        javalin.exception(Exception.class, (e, ctx) -> error(ctx, HttpStatus.INTERNAL_SERVER_ERROR, e.toString()));
        javalin.start(address.getAddress().getHostAddress(), address.getPort());
        return new HttpServer(javalin);
    }

    public HttpServer(Options options, AdminOperations admin, PrometheusMeterRegistry metrics, java.util.List<Route> posts) {
        ObjectMapper mapper = new ObjectMapper().registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        byte[] token = options.adminToken().getBytes(StandardCharsets.UTF_8);
        javalin = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.jsonMapper(new JavalinJackson(mapper, false));
            config.http.maxRequestSize = 1024 * 1024;
        });
        javalin.get("/health", ctx -> ctx.result("ok\n"));
        javalin.get("/ready", ctx -> {
            if (admin.ready()) ctx.result("ready\n");
            else ctx.status(HttpStatus.SERVICE_UNAVAILABLE).result("not ready\n");
        });
        javalin.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));

        javalin.beforeMatched("/api/*", ctx -> {
            String header = ctx.header("Authorization");
            byte[] given = header != null && header.startsWith("Bearer ")
                    ? header.substring(7).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
            if (!MessageDigest.isEqual(given, token)) {
                ctx.status(HttpStatus.UNAUTHORIZED).json(Map.of("error", "missing or wrong admin token"));
                ctx.skipRemainingHandlers();
            }
        });
        javalin.get("/api/restrictions", ctx -> ctx.json(admin.restrictions("true".equals(ctx.queryParam("all")))));
        javalin.post("/api/restrictions", ctx -> {
            RestrictionRequest body = ctx.bodyAsClass(RestrictionRequest.class);
            Subject subject = Subject.parse(Subject.Kind.parse(body.kind() == null ? "" : body.kind()), body.value());
            Duration duration;
            try {
                duration = body.duration() == null ? Duration.ofHours(1) : Durations.parse(body.duration().trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("duration " + e.getMessage());
            }
            if (duration.isZero() || duration.isNegative()) throw new IllegalArgumentException("duration must be positive, was " + body.duration());
            ctx.status(HttpStatus.CREATED).json(admin.impose(subject, duration, body.reason(), body.by() == null ? "api" : body.by()));
        });
        javalin.delete("/api/restrictions/{id}", ctx -> {
            String by = ctx.queryParam("by") == null ? "api" : ctx.queryParam("by");
            admin.lift(ctx.pathParam("id"), by).ifPresentOrElse(ctx::json,
                    () -> ctx.status(HttpStatus.NOT_FOUND).json(Map.of("error", "no restriction in force with id " + ctx.pathParam("id"))));
        });
        javalin.get("/api/accounts/{account}", ctx -> ctx.json(admin.account(ctx.pathParam("account"))));
        javalin.post("/api/accounts/{account}/abroad", ctx -> {
            AbroadRequest body = ctx.bodyAsClass(AbroadRequest.class);
            if (body.refuse() == null) throw new IllegalArgumentException("give refuse: true (refuse use from abroad) or false");
            ctx.json(admin.refuseAbroad(ctx.pathParam("account"), body.refuse(), body.by()));
        });
        javalin.post("/api/accounts/{account}/travel", ctx -> {
            TravelRequest body = ctx.bodyAsClass(TravelRequest.class);
            if (body.days() == null) throw new IllegalArgumentException("give days: how many days use from abroad is allowed (0 ends a lift)");
            ctx.json(admin.travel(ctx.pathParam("account"), body.days(), body.by()));
        });
        javalin.post("/api/accounts/{account}/lift", ctx -> {
            LiftRequest body = ctx.body().isBlank() ? new LiftRequest(null, null) : ctx.bodyAsClass(LiftRequest.class);
            ctx.json(Map.of("lifted", admin.liftAccount(ctx.pathParam("account"), body.by(), body.reason())));
        });
        javalin.post("/api/reload", ctx -> ctx.json(Map.of("result", admin.reload())));
        javalin.post("/api/explain", ctx -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> raw = ctx.bodyAsClass(Map.class);
            Map<String, String> attributes = new LinkedHashMap<>();
            raw.forEach((k, v) -> attributes.put(k, v == null ? "" : v.toString()));
            ctx.json(admin.explain(attributes));
        });

        for (Route route : posts) javalin.post(route.path(), route.handler());

        javalin.exception(IllegalArgumentException.class, (e, ctx) -> error(ctx, HttpStatus.BAD_REQUEST, e.getMessage()));
        javalin.exception(com.fasterxml.jackson.core.JsonProcessingException.class, (e, ctx) ->
                error(ctx, HttpStatus.BAD_REQUEST, "the request body is not the JSON expected here: " + e.getOriginalMessage()));
        javalin.exception(ConfigException.class, (e, ctx) -> error(ctx, HttpStatus.UNPROCESSABLE_CONTENT, e.getMessage()));
        javalin.exception(io.javalin.http.BadRequestResponse.class, (e, ctx) -> error(ctx, HttpStatus.BAD_REQUEST, e.getMessage()));
        javalin.exception(Exception.class, (e, ctx) -> error(ctx, HttpStatus.INTERNAL_SERVER_ERROR, e.toString()));
        javalin.start(options.address().getAddress().getHostAddress(), options.address().getPort());
    }

    /** Body of POST /api/restrictions: kind (ip, network, account, domain, sender), value, duration (e.g. 1h), reason, by. */
    public record RestrictionRequest(String kind, String value, String duration, String reason, String by) {
    }

    /** Body of POST /api/accounts/{account}/abroad. */
    public record AbroadRequest(Boolean refuse, String by) {
    }

    /** Body of POST /api/accounts/{account}/travel. */
    public record TravelRequest(Integer days, String by) {
    }

    /** Body of POST /api/accounts/{account}/lift. */
    public record LiftRequest(String by, String reason) {
    }

    public int port() {
        return javalin.port();
    }

    @Override
    public void close() {
        javalin.stop();
    }

    private static void error(Context ctx, HttpStatus status, String message) {
        ctx.status(status).json(Map.of("error", message == null ? status.getMessage() : message));
    }

}
