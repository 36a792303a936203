package dev.sekisho.checks;

import dev.sekisho.config.LoginsConfig;
import dev.sekisho.engine.AddressText;
import dev.sekisho.engine.Explanation;
import dev.sekisho.engine.LoginAttempt;
import dev.sekisho.engine.LoginDecider;
import dev.sekisho.engine.LoginDecision;
import dev.sekisho.engine.LoginObserver;
import dev.sekisho.engine.Restriction;
import dev.sekisho.engine.Subject;
import dev.sekisho.state.DurationText;
import dev.sekisho.state.StateStore;
import dev.sekisho.state.TallyOutcome;
import dev.sekisho.state.TallyRequest;
import inet.ipaddr.IPAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Password-failure lockouts: counts failed logins per account (brute force), per client address
 * (reverse brute force) and per client network, and the distinct passwords tried on an account and
 * the distinct accounts tried from an address or network (spraying). Past a delay threshold every
 * attempt is held a little longer; past a block threshold the account, address or network is
 * restricted, for longer at each repeat within the remembered window. A successful login clears the
 * account's failures.
 *
 * <p>Blocks are ordinary {@link Restriction}s in the state store, so the Postfix policy server's
 * restriction check honours them on the next request and support staff list and lift them like
 * any other. When the state cannot answer, logins are allowed (or refused, if so configured) and
 * the fault is logged.
 */
public final class LoginLockout implements LoginObserver, LoginDecider {
    private static final Logger LOG = LoggerFactory.getLogger(LoginLockout.class);
    /** Most sources and protocols remembered per subject, for evidence. */
    private static final int VIA_CAP = 16;
    /** Most offences remembered per subject: more than enough for any growth to reach its cap. */
    private static final int OFFENCE_CAP = 64;
    private static final long FAULT_LOG_INTERVAL_NANOS = 10_000_000_000L;

    /** The three kinds of thing counted, with their configuration names. */
    private enum Kind {
        ACCOUNT("account", Subject.Kind.ACCOUNT, "passwords"),
        IP("ip", Subject.Kind.IP, "accounts"),
        NETWORK("network", Subject.Kind.NETWORK, "accounts");

        final String label;
        final Subject.Kind subjectKind;
        final String distinctLabel;

        Kind(String label, Subject.Kind subjectKind, String distinctLabel) {
            this.label = label;
            this.subjectKind = subjectKind;
            this.distinctLabel = distinctLabel;
        }
    }

    /**
     * What a lockout counts for metrics; owned by the caller so the counts go on across reloads,
     * which replace the lockout.
     */
    public record Counters(LongAdder faults, LongAdder blocks, LongAdder delays, LongAdder rejects) {
        public Counters() {
            this(new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder());
        }
    }

    private final LoginsConfig config;
    private final StateStore store;
    private final Counters counters;
    private final RestrictionIndex restrictions;
    private final ClientNetworks networks;
    /** Serialise "is it blocked already? block it" per subject, so concurrent failures impose one block. */
    private final ReentrantLock[] blockLocks = new ReentrantLock[64];
    private final AtomicLong lastFaultLog = new AtomicLong(System.nanoTime() - FAULT_LOG_INTERVAL_NANOS);

    public LoginLockout(LoginsConfig config, StateStore store, RestrictionIndex restrictions) {
        this(config, store, restrictions, new Counters());
    }

    /** @param restrictions {@code store}'s restrictions, shared with the other readers of that store */
    public LoginLockout(LoginsConfig config, StateStore store, RestrictionIndex restrictions, Counters counters) {
        this.config = config;
        this.store = store;
        this.counters = counters;
        this.restrictions = java.util.Objects.requireNonNull(restrictions, "restrictions");
        this.networks = new ClientNetworks(config.ipv4Prefix(), config.ipv6Prefix());
        for (int i = 0; i < blockLocks.length; i++) blockLocks[i] = new ReentrantLock();
    }

    // ---- observing ------------------------------------------------------------------------------

    @Override
    public void observe(LoginAttempt attempt) {
        if (!config.enabled()) return;
        try {
            if (attempt.failed()) countFailure(attempt);
            else clearAccount(attempt);
        } catch (RuntimeException e) {
            fault("could not count a login attempt of " + attempt.account() + " from " + AddressText.of(attempt.remote()), e);
        }
    }

    private void clearAccount(LoginAttempt attempt) {
        if (attempt.account().isEmpty()) return;
        Subject account = accountOf(attempt.account());
        store.forget(failuresKey(account));
        store.forget(distinctKey(account));
    }

    private void countFailure(LoginAttempt attempt) {
        Instant now = attempt.at();
        String via = attempt.source() + "/" + (attempt.protocol().isEmpty() ? "?" : attempt.protocol());
        String accountName = null; // the member of the address's and network's distinct-accounts sets
        if (!attempt.account().isBlank()) { // a name of only spaces is no account, as an empty one
            Subject account = accountOf(attempt.account());
            accountName = account.value();
            String password = attempt.passwordHash().isEmpty() ? null : attempt.passwordHash();
            count(Kind.ACCOUNT, config.account(), account, password, via, attempt);
        }
        if (exempt(attempt.remote())) return;
        count(Kind.IP, config.ip(), new Subject(Subject.Kind.IP, AddressText.of(attempt.remote())),
                accountName, via, attempt);
        count(Kind.NETWORK, config.network(), new Subject(Subject.Kind.NETWORK, networks.networkOf(attempt.remote())),
                accountName, via, attempt);
    }

    /**
     * Charges one failure to the subject's tallies and blocks it when a threshold is reached.
     *
     * @param distinct the password hash (account) or account (ip, network) to count as distinct; null when unknown
     */
    private void count(Kind kind, LoginsConfig.Thresholds t, Subject subject, String distinct, String via, LoginAttempt attempt) {
        if (t.delayAfter() == 0 && t.blockAfter() == 0 && t.distinctBlockAfter() == 0) return;
        Instant now = attempt.at();
        Duration window = config.window();
        TallyOutcome failures = store.tally(TallyRequest.event(failuresKey(subject), now, window, t.largest()));
        TallyOutcome distincts = distinct == null || t.distinctBlockAfter() == 0 ? null
                : store.tally(TallyRequest.member(distinctKey(subject), distinct, now, window, t.distinctBlockAfter()));
        TallyOutcome vias = store.tally(TallyRequest.member(viaKey(subject), via, now, window, VIA_CAP));

        boolean byFailures = t.blockAfter() > 0 && failures.count() >= t.blockAfter();
        boolean byDistinct = distincts != null && distincts.count() >= t.distinctBlockAfter();
        if (!byFailures && !byDistinct) return;
        String rule = byFailures ? kind.label + ".block-after" : kind.label + "." + kind.distinctLabel + "-block-after";
        block(kind, subject, rule, byFailures, failures, distincts, vias, now);
    }

    private void block(Kind kind, Subject subject, String rule, boolean byFailures, TallyOutcome failures, TallyOutcome distincts,
                       TallyOutcome vias, Instant now) {
        ReentrantLock lock = blockLocks[Math.floorMod(subject.hashCode(), blockLocks.length)];
        lock.lock();
        try {
            Optional<Restriction> existing = restrictions.exact(subject, now);
            if (existing.isPresent()) return; // blocked already (by us, or by support): nothing to add
            long offence = store.tally(TallyRequest.event(offencesKey(subject), now, config.blocks().remember(), OFFENCE_CAP)).count();
            Duration length = config.blocks().length(offence);
            Instant start = now.truncatedTo(ChronoUnit.SECONDS);
            String window = DurationText.format(config.window());
            String reason = switch (kind) {
                case ACCOUNT -> byFailures
                        ? "password guessing: " + failures.count() + " failed logins in " + window
                        : "password guessing: " + distincts.count() + " different passwords failed in " + window;
                case IP, NETWORK -> byFailures
                        ? "failed logins from " + subject.value() + ": " + failures.count() + " in " + window
                        : "password spraying from " + subject.value() + ": " + distincts.count() + " accounts failed in " + window;
            };
            StringBuilder evidence = new StringBuilder(160)
                    .append("failures=").append(failures.count()).append(" since=").append(failures.oldest().truncatedTo(ChronoUnit.SECONDS))
                    .append(" window=").append(window);
            if (distincts != null) {
                evidence.append(' ').append(kind.distinctLabel).append('=').append(distincts.count());
                if (kind != Kind.ACCOUNT) evidence.append(" [").append(String.join(",", distincts.members())).append(']');
            }
            evidence.append(" via=").append(String.join(",", vias.members()))
                    .append(" offence=").append(offence).append(" block=").append(DurationText.format(length));
            Restriction r = new Restriction(Restriction.newId(), subject, reason, "rule:logins." + rule, evidence.toString(),
                    start, start.plus(length), null, "");
            store.impose(r);
            counters.blocks().increment();
            // Counting starts afresh: a repeat offence must cross the threshold again, and is blocked longer.
            store.forget(failuresKey(subject));
            store.forget(distinctKey(subject));
            LOG.info("restriction imposed: id={} subject={} until={} by={} reason=\"{}\" evidence=\"{}\"",
                    r.id(), subject, r.expiresAt(), r.imposedBy(), reason, r.evidence());
        } finally {
            lock.unlock();
        }
    }

    // ---- deciding -------------------------------------------------------------------------------

    @Override
    public LoginDecision decide(String account, InetAddress remote, String protocol, Instant at) {
        if (!config.enabled()) return LoginDecision.allow(Explanation.of("logins", "login checks are off"));
        try {
            LoginDecision decision = decideOrThrow(account == null ? "" : account, remote, at);
            switch (decision.outcome()) {
                case DELAY -> counters.delays().increment();
                case REJECT -> counters.rejects().increment();
                case ALLOW -> {
                }
            }
            return decision;
        } catch (RuntimeException e) {
            fault("could not decide a login of " + account + " from " + AddressText.of(remote), e);
            Explanation why = new Explanation("logins", "fail-open", "", "state unavailable: " + e, Map.of());
            return config.failOpen() ? LoginDecision.allow(why)
                    : LoginDecision.reject("Login temporarily unavailable, please try again later", why);
        }
    }

    private LoginDecision decideOrThrow(String account, InetAddress remote, Instant at) {
        Subject accountSubject = account.isBlank() ? null : accountOf(account);
        Subject ip = new Subject(Subject.Kind.IP, AddressText.of(remote));
        Optional<Restriction> hit = accountSubject == null ? Optional.empty() : restrictions.exact(accountSubject, at);
        if (hit.isEmpty()) hit = restrictions.exact(ip, at);
        if (hit.isEmpty()) hit = restrictions.network(remote, at);
        if (hit.isPresent()) {
            Restriction r = hit.get();
            return LoginDecision.reject("Login refused until " + r.expiresAt() + " (ref " + r.id() + ")",
                    new Explanation("logins", r.id(), r.subject().toString(), r.reason(),
                            Explanation.values("imposed-by", r.imposedBy(), "expires", r.expiresAt().toString())));
        }
        Duration delay = Duration.ZERO;
        Explanation why = null;
        List<Map.Entry<Kind, Subject>> subjects = new ArrayList<>(3);
        if (accountSubject != null) subjects.add(Map.entry(Kind.ACCOUNT, accountSubject));
        if (!exempt(remote)) {
            subjects.add(Map.entry(Kind.IP, ip));
            subjects.add(Map.entry(Kind.NETWORK, new Subject(Subject.Kind.NETWORK, networks.networkOf(remote))));
        }
        for (var entry : subjects) {
            LoginsConfig.Thresholds t = thresholds(entry.getKey());
            if (t.delayAfter() == 0) continue;
            long failures = store.tally(TallyRequest.peek(failuresKey(entry.getValue()), at, config.window(), t.largest())).count();
            if (failures < t.delayAfter()) continue;
            Duration d = delayFor(failures - t.delayAfter() + 1);
            if (d.compareTo(delay) > 0) {
                delay = d;
                why = new Explanation("logins", entry.getKey().label + ".delay-after", entry.getValue().toString(),
                        "delayed " + d.toSeconds() + "s after " + failures + " failed logins",
                        Explanation.values("failures", failures + "/" + DurationText.format(config.window()),
                                "delay-after", Integer.toString(t.delayAfter())));
            }
        }
        if (why == null) return LoginDecision.allow(Explanation.of("logins", "under every threshold"));
        return LoginDecision.delay(delay, why);
    }

    /** {@code delay} for the first failure at the threshold, one more {@code delay} for each after, at most {@code max-delay}. */
    private Duration delayFor(long over) {
        long seconds = config.delay().toSeconds();
        long max = config.maxDelay().toSeconds();
        return Duration.ofSeconds(Math.min(max, seconds * over)); // over is at most a tally's cap: no overflow
    }

    private LoginsConfig.Thresholds thresholds(Kind kind) {
        return switch (kind) {
            case ACCOUNT -> config.account();
            case IP -> config.ip();
            case NETWORK -> config.network();
        };
    }

    // ---- keys and helpers -----------------------------------------------------------------------

    /** The account as restrictions and support staff name it (trimmed, lower case): one canonical form, Subject's. */
    private static Subject accountOf(String account) {
        return Subject.parse(Subject.Kind.ACCOUNT, account);
    }

    static String failuresKey(Subject subject) {
        return "login-failures|" + subject;
    }

    private static String distinctKey(Subject subject) {
        return "login-distinct|" + subject;
    }

    private static String viaKey(Subject subject) {
        return "login-via|" + subject;
    }

    private static String offencesKey(Subject subject) {
        return "login-offences|" + subject;
    }

    private boolean exempt(InetAddress remote) {
        if (config.exempt().isEmpty()) return false;
        IPAddress address = ClientNetworks.ipAddress(remote);
        for (IPAddress network : config.exempt()) {
            if (network.isIPv4() == (remote instanceof Inet4Address) && network.contains(address)) return true;
        }
        return false;
    }

    private void fault(String what, RuntimeException e) {
        counters.faults().increment();
        long now = System.nanoTime();
        long last = lastFaultLog.get();
        // At most one line every 10 s: a store that is down would otherwise log every login.
        if (now - last >= FAULT_LOG_INTERVAL_NANOS && lastFaultLog.compareAndSet(last, now)) {
            LOG.warn("logins: {} ({}); {}", what, e.toString(), config.failOpen() ? "allowing logins meanwhile" : "refusing logins meanwhile");
        }
    }

}
