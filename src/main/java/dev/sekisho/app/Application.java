package dev.sekisho.app;

import dev.sekisho.config.ConfigException;
import dev.sekisho.config.ConfigLoader;
import dev.sekisho.checks.LoginLockout;
import dev.sekisho.config.LoginsConfig;
import dev.sekisho.config.SekishoConfig;
import dev.sekisho.dovecot.AuthPolicyEndpoint;
import dev.sekisho.engine.Engine;
import dev.sekisho.engine.LoginAttempt;
import dev.sekisho.engine.LoginDecider;
import dev.sekisho.engine.LoginObserver;
import dev.sekisho.engine.Restriction;
import dev.sekisho.engine.Subject;
import dev.sekisho.engine.Transaction;
import dev.sekisho.engine.Verdict;
import dev.sekisho.notify.Notifier;
import dev.sekisho.notify.NotifyingStateStore;
import dev.sekisho.postfix.Decider;
import dev.sekisho.postfix.PolicyRequest;
import dev.sekisho.postfix.PolicyServer;
import dev.sekisho.postfix.PolicyServerLimits;
import dev.sekisho.state.StateStore;
import dev.sekisho.state.memory.MemoryStateStore;
import dev.sekisho.web.AdminOperations;
import dev.sekisho.web.HttpServer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The composition root: builds state, engine, policy listeners and HTTP from one configuration,
 * and swaps the engine on reload without dropping a connection or a counter.
 */
public final class Application implements AutoCloseable, AdminOperations {
    private static final Logger LOG = LoggerFactory.getLogger(Application.class);
    private static final Duration[] DECISION_BUCKETS = {Duration.ofNanos(100_000), Duration.ofNanos(250_000),
            Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2)};

    /** What one configuration produced; swapped whole on reload. */
    private record Running(SekishoConfig config, Engine engine, LoginLockout logins, CheckFactory.AccountRules accounts) {
    }

    private final InstantSource clock;
    private final StateStore store;
    private final Notifier notifier;
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final LineWriter verdictLines;
    private final VerdictLog verdictLog;
    private final Timer decisionTimer;
    private final AtomicReference<Running> running = new AtomicReference<>();
    private final LoginLockout.Counters loginCounters = new LoginLockout.Counters();
    /** The store's restrictions indexed once for every reader; it depends on the store alone, so reloads keep it. */
    private final dev.sekisho.checks.RestrictionIndex restrictionIndex;
    /** The recipients of open mail transactions, kept across reloads. */
    private final dev.sekisho.checks.OpenTransactions openTransactions = CheckFactory.openTransactions();
    private final List<PolicyServer> policyServers = new ArrayList<>();
    private final java.util.Set<String> unknownContexts = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private HttpServer http;
    /** The Dovecot auth policy endpoint's own listener, when configured; null otherwise. */
    private HttpServer dovecotHttp;
    private volatile boolean ready;
    private final Path dataDir;
    private LogIntake logSources; // guarded by this
    private LoginObserver logObserver; // guarded by this
    private final dev.sekisho.geo.GeoIp geoIp; // opened once; a reload keeps it (geoip changes need a restart)

    private Application(SekishoConfig config, StateStore store, Notifier notifier, InstantSource clock, Path dataDir,
                        dev.sekisho.geo.GeoIp geoIp, OutputStream verdictOutput) {
        this.geoIp = geoIp;
        this.clock = clock;
        this.dataDir = dataDir;
        this.store = store;
        this.restrictionIndex = new dev.sekisho.checks.RestrictionIndex(store);
        this.notifier = notifier;
        this.verdictLines = new LineWriter(verdictOutput, Clock.systemUTC());
        this.verdictLog = new VerdictLog(metrics, verdictLines);
        // Histogram buckets rather than client-side percentiles: Prometheus can aggregate them over a fleet.
        this.decisionTimer = Timer.builder("sekisho.decision").description("Time to decide one policy request")
                .serviceLevelObjectives(DECISION_BUCKETS).register(metrics);
        running.set(running(config));
        registerLoginMetrics();
    }

    /** The engine, lockouts and account rules of one configuration, over one country lookup (which says once when it has no database). */
    private Running running(SekishoConfig config) {
        var countries = new dev.sekisho.checks.ClientCountry(geoIp, LOG::warn);
        var accounts = CheckFactory.accounts(config, store, restrictionIndex, countries);
        return new Running(config, CheckFactory.engine(config, store, restrictionIndex, openTransactions, clock, verdictLog, countries, accounts),
                new LoginLockout(config.logins(), store, restrictionIndex, loginCounters), accounts);
    }

    /**
     * Open the state in {@code dataDir}, bind every listener, and serve.
     *
     * @param verdictOutput where the verdict lines go: {@code serve} gives standard output's descriptor itself (the
     *                      writer thread's batches skip {@link System#out}'s buffer); a JVM that hosts the server among
     *                      other work, such as Maven's test forks, whose descriptor 1 carries their own protocol,
     *                      gives its own stream
     */
    public static Application start(SekishoConfig config, Path dataDir, InstantSource clock, OutputStream verdictOutput) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + dataDir, e);
        }
        var geoIp = CheckFactory.geoIp(config.geoip(), clock); // first: it holds nothing to close if what follows fails
        StateStore store;
        try {
            store = MemoryStateStore.open(dataDir.resolve("state"),
                    MemoryStateStore.Options.defaults().withCapacity(config.state().capacity()), clock);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the state in " + dataDir.resolve("state") + ": " + e.getMessage(), e);
        }
        Notifier notifier;
        try {
            notifier = Notifier.fromConfig(config.notifications(), clock, store); // its outbox lives in the store itself
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        store = NotifyingStateStore.wrap(store, notifier); // new restrictions, whoever imposes them, reach the notifier
        Application app = new Application(config, store, notifier, clock, dataDir, geoIp, verdictOutput);
        try {
            app.bind(config, AdminToken.loadOrCreate(dataDir), app.loginRoutes(config, dataDir));
            app.startLogSources(app.loginObserver()); // log files and syslog feed the same lockouts as Dovecot's reports
        } catch (RuntimeException e) {
            app.close();
            throw e;
        }
        LOG.info("serving: policy on {}, http on {}, data in {}, services {}", app.policyAddresses(), app.httpAddress(), dataDir,
                config.services().keySet());
        return app;
    }

    private void bind(SekishoConfig config, String adminToken, List<HttpServer.Route> routes) {
        // First: what the last run left in the outbox is queued before any request can impose a restriction.
        notifier.bindTo(metrics);
        notifier.start();
        for (SekishoConfig.PolicyListener listener : config.policyListeners()) {
            PolicyServer server = new PolicyServer(listener.address(), request -> resolveService(request, listener.service()),
                    policyDecider, policyLimits(config));
            policyServers.add(server);
            try {
                server.start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot listen for policy requests on " + listener.address(), e);
            }
        }
        InetSocketAddress dovecotListen = config.logins().dovecot().listen();
        if (dovecotListen != null && !routes.isEmpty()) dovecotHttp = HttpServer.routesOnly(dovecotListen, routes);
        http = new HttpServer(new HttpServer.Options(config.http(), adminToken), this, metrics, dovecotHttp == null ? routes : List.of());
        Gauge.builder("sekisho.state.keys", store, s -> s.stats().keys()).description("Counters and triplets held").register(metrics);
        Gauge.builder("sekisho.rate.open.transactions", openTransactions, t -> t.open())
                .description("Mail transactions whose recipients rate limits count until END-OF-MESSAGE").register(metrics);
        io.micrometer.core.instrument.FunctionCounter.builder("sekisho.rate.abandoned.transactions", openTransactions,
                        t -> t.abandoned())
                .description("Mail transactions forgotten without an END-OF-MESSAGE request (abandoned, or END-OF-MESSAGE not hooked)")
                .register(metrics);
        Gauge.builder("sekisho.policy.connections", policyServers, list -> list.stream().mapToLong(PolicyServer::activeConnections).sum())
                .description("Open policy connections").register(metrics);
        countOverListeners("sekisho.policy.connections.refused", PolicyServer::refusedConnections,
                "Policy connections closed at once because max-connections were open");
        countOverListeners("sekisho.policy.requests", PolicyServer::requestsAnswered, "Policy requests answered");
        countOverListeners("sekisho.policy.decider.failures", PolicyServer::deciderFailures,
                "Policy requests answered DUNNO because deciding failed unexpectedly");
        countOverListeners("sekisho.policy.unknown.clients", PolicyServer::unknownClients,
                "Policy requests answered DUNNO because Postfix did not know the client's address (client_address=unknown)");
        countOverListeners("sekisho.policy.state.write.failures", PolicyServer::answeringFailures,
                "Batches of policy verdicts answered although what they counted could not be written to the state journal");
        countOverListeners("sekisho.policy.protocol.errors", PolicyServer::protocolErrors,
                "Policy connections closed for a malformed, oversized or too slow request");
        ready = true;
    }

    /** A counter summed over every policy listener, read when /metrics is scraped. */
    private void countOverListeners(String name, java.util.function.ToLongFunction<PolicyServer> count, String description) {
        io.micrometer.core.instrument.FunctionCounter.builder(name, policyServers, list -> list.stream().mapToLong(count).sum())
                .description(description).register(metrics);
    }

    private static PolicyServerLimits policyLimits(SekishoConfig config) {
        var l = config.limits();
        return new PolicyServerLimits(l.maxLineBytes(), l.maxRequestBytes(), PolicyServerLimits.DEFAULTS.maxAttributes(),
                l.idleTimeout(), l.requestTimeout(), l.maxConnections());
    }

    /** What the policy servers ask: the current engine, and the state store made durable before each batch's answers. */
    private final Decider policyDecider = new Decider() {
        @Override
        public Verdict decide(Transaction transaction) {
            return Application.this.decide(transaction);
        }

        @Override
        public void beforeAnswering() {
            try {
                store.flush(); // what the batch's verdicts counted must survive a crash before Postfix hears them
            } finally {
                verdictLines.handOff(); // the batch's verdict lines, one hand-over for the lot
            }
        }
    };

    /** Decide with the current engine; a service dropped by a reload in between goes to the default service. */
    private Verdict decide(Transaction transaction) {
        Running now = running.get();
        Transaction tx = now.engine().knowsService(transaction.service()) ? transaction
                : transaction.withService(now.config().defaultService());
        long start = System.nanoTime();
        try {
            return now.engine().decide(tx);
        } finally {
            // The transaction is over whichever check answered: a limit an earlier refusal kept from it holds nothing more.
            if (tx.stage() == dev.sekisho.engine.Stage.END_OF_MESSAGE) openTransactions.endAll(tx.messageId(), tx.service());
            decisionTimer.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    /** The listener's service if it names one, else policy_context, else the default service. */
    /**
     * The service for a request; a policy_context naming no service goes to the default service,
     * is counted, and is logged once per name (a typo in master.cf should not pass unnoticed).
     */
    private String resolveService(PolicyRequest request, String listenerService) {
        Running now = running.get();
        String context = request.policyContext();
        if (listenerService.isEmpty() && !context.isEmpty() && !now.engine().knowsService(context)) {
            metrics.counter("sekisho.policy.unknown.context").increment();
            if (unknownContexts.size() < 100 && unknownContexts.add(context)) {
                LOG.warn("policy_context={} names no service; using the default service {} (services: {})",
                        context, now.config().defaultService(), now.config().services().keySet());
            }
        }
        return serviceFor(now.engine(), now.config(), request, listenerService);
    }

    static String serviceFor(Engine engine, SekishoConfig config, PolicyRequest request, String listenerService) {
        if (!listenerService.isEmpty()) return listenerService;
        String context = request.policyContext();
        if (!context.isEmpty() && engine.knowsService(context)) return context;
        return config.defaultService();
    }

    /**
     * Starts reading the configured log files and syslog listeners (the {@code logs} section); every login attempt
     * they record goes to {@code observer}. {@link #start} connects them to the login lockouts; a test may connect
     * them elsewhere. A reload that changes the section restarts them; close stops them.
     */
    public synchronized void startLogSources(LoginObserver observer) {
        stopLogSources();
        logObserver = observer;
        SekishoConfig.LogsConfig logs = running.get().config().logs();
        if (!logs.isEmpty()) logSources = LogIntake.start(logs, dataDir.resolve("logs"), clock, store, observer, metrics);
    }

    private synchronized void stopLogSources() {
        if (logSources != null) logSources.close();
        logSources = null;
    }

    public List<InetSocketAddress> policyAddresses() {
        return policyServers.stream().map(PolicyServer::localAddress).toList();
    }

    public InetSocketAddress httpAddress() {
        SekishoConfig config = running.get().config();
        return new InetSocketAddress(config.http().getAddress(), http.port());
    }

    public PrometheusMeterRegistry metrics() {
        return metrics;
    }

    // ---- logins: lockouts and the Dovecot auth policy endpoint (issue 5) ----

    /** The data directory's file holding the Dovecot auth policy key when the configuration gives none. */
    public static final String DOVECOT_KEY_FILE = "dovecot-api-key";

    /** Always the current configuration's lockout, so sources connected once follow reloads. */
    private final LoginObserver loginObserver = this::observeLogin;
    private final LoginDecider loginDecider = (account, remote, protocol, at) -> {
        Running now = running.get();
        // The lockouts first; then an account that refuses use from abroad is refused from abroad.
        return now.accounts().logins().decide(now.logins().decide(account, remote, protocol, at), account, remote, protocol, at);
    };

    private void observeLogin(LoginAttempt attempt) {
        Running now = running.get();
        // One atomic unit: an attempt is counted whole or not at all, whichever source it came from, and every
        // writer of the login counters writes in units (which a log line's unit with its position relies on).
        store.atomically(() -> {
            now.logins().observe(attempt);
            now.accounts().logins().observe(attempt); // recent logins, and sightings for accounts used from several countries
            return null;
        });
        store.flush(); // what was counted survives a crash before the source hears back (as for policy verdicts)
    }

    /** Where the Dovecot auth policy endpoint listens, when it has a listener of its own. */
    public Optional<InetSocketAddress> dovecotPolicyAddress() {
        if (dovecotHttp == null) return Optional.empty();
        return Optional.of(new InetSocketAddress(running.get().config().logins().dovecot().listen().getAddress(), dovecotHttp.port()));
    }

    /** Where log sources hand the login attempts they read. */
    public LoginObserver loginObserver() {
        return loginObserver;
    }

    private List<HttpServer.Route> loginRoutes(SekishoConfig config, Path dataDir) {
        LoginsConfig.Dovecot dovecot = config.logins().dovecot();
        if (!dovecot.enabled()) return List.of();
        String key = dovecot.apiKey().isEmpty() ? AdminToken.loadOrCreate(dataDir, DOVECOT_KEY_FILE) : dovecot.apiKey();
        LOG.info("dovecot auth policy: POST {} on {}, key in header {} ({})", dovecot.path(),
                dovecot.listen() == null ? "listen.http" : dovecot.listen(), dovecot.apiHeader(),
                dovecot.apiKeyFile() != null ? "from " + dovecot.apiKeyFile()
                        : dovecot.apiKey().isEmpty() ? "from " + dataDir.resolve(DOVECOT_KEY_FILE) : "from the configuration");
        var endpoint = new AuthPolicyEndpoint(new AuthPolicyEndpoint.Settings(dovecot.apiHeader(), key), loginDecider, loginObserver, clock);
        io.micrometer.core.instrument.FunctionCounter.builder("sekisho.dovecot.policy.refused", endpoint, AuthPolicyEndpoint::refusedKeys)
                .description("Dovecot auth policy requests refused for a missing or wrong API key").register(metrics);
        io.micrometer.core.instrument.FunctionCounter.builder("sekisho.dovecot.policy.malformed", endpoint, AuthPolicyEndpoint::malformed)
                .description("Dovecot auth policy requests answered 400").register(metrics);
        return List.of(new HttpServer.Route(dovecot.path(), endpoint));
    }

    private void registerLoginMetrics() {
        loginCounter("sekisho.logins.blocks", LoginLockout.Counters::blocks, "Accounts, addresses and networks blocked for failed logins");
        loginCounter("sekisho.logins.delays", LoginLockout.Counters::delays, "Login attempts answered with a delay");
        loginCounter("sekisho.logins.rejects", LoginLockout.Counters::rejects, "Login attempts refused (subject restricted)");
        loginCounter("sekisho.logins.faults", LoginLockout.Counters::faults, "Login attempts counted or decided without the state (fail-open or fail-closed)");
    }

    private void loginCounter(String name, java.util.function.Function<LoginLockout.Counters, java.util.concurrent.atomic.LongAdder> counter, String description) {
        io.micrometer.core.instrument.FunctionCounter.builder(name, loginCounters, c -> counter.apply(c).sum())
                .description(description).register(metrics);
    }

    // ---- admin operations ----

    @Override
    public List<Restriction> restrictions(boolean includeEnded) {
        var now = clock.instant();
        return store.restrictions().stream().filter(r -> includeEnded || r.activeAt(now)).toList();
    }

    @Override
    public Restriction impose(Subject subject, Duration duration, String reason, String by) {
        var now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Restriction r = new Restriction(Restriction.newId(), subject, reason, by, "", now, now.plus(duration), null, "");
        store.impose(r);
        LOG.info("restriction imposed: id={} subject={} until={} by={} reason=\"{}\"", r.id(), subject, r.expiresAt(), by, reason);
        return r;
    }

    @Override
    public Optional<Restriction> lift(String id, String by) {
        // In a unit: after any unit still imposing it, so a restart never shows it imposed again unlifted
        Optional<Restriction> lifted = store.atomically(() -> store.lift(id, clock.instant(), by));
        lifted.ifPresent(r -> LOG.info("restriction lifted: id={} subject={} by={}", id, r.subject(), by));
        return lifted;
    }

    @Override
    public dev.sekisho.account.AccountView account(String account) {
        Running now = running.get();
        String name = dev.sekisho.account.AccountBook.canonical(account);
        var at = clock.instant();
        var settings = now.accounts().book().settings(name);
        Subject subject = new Subject(Subject.Kind.ACCOUNT, name);
        List<Restriction> mine = store.restrictions().stream().filter(r -> r.subject().equals(subject)).toList();
        return new dev.sekisho.account.AccountView(name, settings, settings.refusesAbroadAt(at),
                now.config().accounts().homeCountries().stream().sorted().toList(),
                mine.stream().filter(r -> r.activeAt(at)).toList(), mine.stream().filter(r -> !r.activeAt(at)).toList(),
                now.accounts().book().logins(name, at));
    }

    @Override
    public dev.sekisho.account.AccountView refuseAbroad(String account, boolean on, String by) {
        var settings = running.get().accounts().book().refuseAbroad(account, on, actor(by), clock.instant());
        LOG.info("account {}: refuse use from abroad {} by {}", dev.sekisho.account.AccountBook.canonical(account), on ? "on" : "off", actor(by));
        return account(account);
    }

    @Override
    public dev.sekisho.account.AccountView travel(String account, int days, String by) {
        if (days < 0 || days > 366) throw new IllegalArgumentException("days must be 0..366, was " + days);
        var at = clock.instant();
        running.get().accounts().book().travel(account, at.plus(Duration.ofDays(days)), actor(by), at);
        LOG.info("account {}: use from abroad allowed for {} days (travel) by {}", dev.sekisho.account.AccountBook.canonical(account), days, actor(by));
        return account(account);
    }

    @Override
    public List<Restriction> liftAccount(String account, String by, String why) {
        Subject subject = new Subject(Subject.Kind.ACCOUNT, dev.sekisho.account.AccountBook.canonical(account));
        var at = clock.instant();
        String who = actor(by) + (why == null || why.isBlank() ? "" : ": " + why.strip());
        List<Restriction> lifted = new ArrayList<>();
        store.atomically(() -> { // the login counters' keys are written in units only (see StateStore.atomically)
            for (Restriction r : store.restrictions()) {
                if (r.subject().equals(subject) && r.activeAt(at)) store.lift(r.id(), at, who).ifPresent(lifted::add);
            }
            running.get().accounts().several().forget(subject.value()); // judged by a person: countries seen so far count no more
            return null;
        });
        LOG.info("account {}: {} restriction(s) lifted by {}", subject.value(), lifted.size(), who);
        return lifted;
    }

    private static String actor(String by) {
        return by == null || by.isBlank() ? "api" : by.strip();
    }

    /**
     * Re-read the configuration file and swap the engine. Listener addresses and state settings
     * need a restart; a changed one is reported, not half-applied. A bad file changes nothing.
     */
    @Override
    public synchronized String reload() {
        SekishoConfig current = running.get().config();
        if (current.source() == null) return "running on the embedded defaults: nothing to reload";
        SekishoConfig fresh;
        try {
            fresh = new ConfigLoader().load(current.source());
        } catch (ConfigException e) {
            metrics.counter("sekisho.config.reloads", "result", "refused").increment();
            throw e;
        }
        running.set(running(fresh));
        metrics.counter("sekisho.config.reloads", "result", "applied").increment();
        String logsNote = "";
        if (logObserver != null && !fresh.logs().equals(current.logs())) {
            try {
                startLogSources(logObserver);
            } catch (RuntimeException e) {
                LOG.error("log sources not restarted: {}", e.getMessage());
                logsNote = " (log sources stopped: " + e.getMessage() + ")";
            }
        }
        String note = fresh.policyListeners().equals(current.policyListeners()) && fresh.http().equals(current.http())
                && fresh.state().equals(current.state()) && fresh.notifications().equals(current.notifications())
                && fresh.logins().dovecot().equals(current.logins().dovecot()) && fresh.geoip().equals(current.geoip())
                && fresh.limits().equals(current.limits())
                ? "" : " (listener, policy-limits, state, notify, Dovecot endpoint and geoip changes take effect at the next restart)";
        String message = "reloaded " + current.source() + ": services " + fresh.services().keySet() + note + logsNote;
        LOG.info(message);
        return message;
    }

    @Override
    public List<Map<String, Object>> explain(Map<String, String> attributes) {
        Running now = running.get();
        return Explainer.explain(now.engine(), now.config(), attributes);
    }

    @Override
    public boolean ready() {
        return ready;
    }

    @Override
    public void close() {
        ready = false;
        for (PolicyServer server : policyServers) {
            try {
                server.close();
            } catch (RuntimeException e) {
                LOG.warn("closing policy listener: {}", e.toString());
            }
        }
        if (http != null) http.close();
        stopLogSources();
        if (dovecotHttp != null) dovecotHttp.close();
        store.close(); // closes the notifier too
        verdictLines.close();
        metrics.close();
    }

}
