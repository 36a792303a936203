package dev.sekisho.state.memory;

import dev.sekisho.backoff.Backoff;
import dev.sekisho.engine.Restriction;
import dev.sekisho.state.GreylistOutcome;
import dev.sekisho.state.GreylistRequest;
import dev.sekisho.state.RateOutcome;
import dev.sekisho.state.RateRequest;
import dev.sekisho.state.RateWindow;
import dev.sekisho.state.StateStore;
import dev.sekisho.state.TallyOutcome;
import dev.sekisho.state.TallyRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The embedded state store: concurrent hash maps in the heap, one atomic {@code compute} per key
 * and call (no global lock on the hot path), persisted to a data directory as a journal of whole-key
 * states plus periodic snapshots ({@link DataDirectory}).
 *
 * <p>Memory is bounded twice: every entry carries its expiry (taken from the requests' time) and a
 * sweep removes dead ones; and the number of keys is capped, evicting sampled entries nearest to
 * expiry when over. Records of fields (what operators set) are the one exception: they never expire
 * and are never evicted.
 */
public final class MemoryStateStore implements StateStore {
    private static final Logger log = LoggerFactory.getLogger(MemoryStateStore.class);

    /** How many entries per map one eviction looks at; the one nearest to expiry goes. */
    private static final int EVICTION_SAMPLES_PER_MAP = 5;
    /**
     * The expiry a list from an old journal or snapshot (written before lists expired) gets at recovery: this long
     * after the recovery, the same as {@code accounts.history-retention}'s default. The next push sets its own.
     */
    static final Duration LEGACY_LIST_RETENTION = Duration.ofDays(90);
    /** A used count this close below a whole unit is that unit: TATs round to whole nanoseconds. */
    private static final double USED_ROUNDING_SLACK = 1e-6;

    /**
     * @param capacity             most keys (rate keys, triplets, clients, tallies, lists together) before eviction
     * @param fsyncInterval        how often appended journal records are forced to disk
     * @param snapshotInterval     how often the journal is compacted into a snapshot, when it changed
     * @param snapshotJournalBytes journal size that triggers a snapshot early
     * @param sweepInterval        how often expired entries are removed
     * @param restrictionRetention how long ended restrictions are kept before they are purged
     * @param maintenanceThread    run fsync, snapshots and sweeps on a background thread; tests that
     *                             call {@link #sweepExpired()} and {@link #checkpoint()} themselves turn it off
     */
    public record Options(long capacity, Duration fsyncInterval, Duration snapshotInterval, long snapshotJournalBytes,
                          Duration sweepInterval, Duration restrictionRetention, boolean maintenanceThread) {
        /** The same as state.capacity's default: at most about 200 bytes a key, so it fits the launcher's 768 MiB heap. */
        public static final long DEFAULT_CAPACITY = 2_000_000;

        public Options {
            if (capacity <= 0) throw new IllegalArgumentException("capacity must be positive, was " + capacity);
            requirePositive(fsyncInterval, "fsyncInterval");
            requirePositive(snapshotInterval, "snapshotInterval");
            requirePositive(sweepInterval, "sweepInterval");
            Objects.requireNonNull(restrictionRetention, "restrictionRetention");
            if (restrictionRetention.isNegative()) throw new IllegalArgumentException("restrictionRetention must be >= 0, was " + restrictionRetention);
            if (snapshotJournalBytes <= 0) throw new IllegalArgumentException("snapshotJournalBytes must be positive, was " + snapshotJournalBytes);
        }

        public static Options defaults() {
            // 256 MiB of journal before an early snapshot: a snapshot writes the whole state (a million triplets),
            // so under a flood of new triplets a smaller journal made it the store's largest cost; replaying 256 MiB
            // at a restart takes a few seconds.
            return new Options(DEFAULT_CAPACITY, Duration.ofSeconds(1), Duration.ofMinutes(5), 256L << 20,
                    Duration.ofSeconds(30), Duration.ofDays(30), true);
        }

        public Options withCapacity(long capacity) {
            return new Options(capacity, fsyncInterval, snapshotInterval, snapshotJournalBytes, sweepInterval, restrictionRetention, maintenanceThread);
        }

        public Options withMaintenanceThread(boolean run) {
            return new Options(capacity, fsyncInterval, snapshotInterval, snapshotJournalBytes, sweepInterval, restrictionRetention, run);
        }

        public Options withSnapshots(Duration interval, long journalBytes) {
            return new Options(capacity, fsyncInterval, interval, journalBytes, sweepInterval, restrictionRetention, maintenanceThread);
        }

        public Options withRestrictionRetention(Duration retention) {
            return new Options(capacity, fsyncInterval, snapshotInterval, snapshotJournalBytes, sweepInterval, retention, maintenanceThread);
        }

        private static void requirePositive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
    }

    /** Where changes go when there is no data directory. */
    private static final StateRecords.Sink NO_JOURNAL = new StateRecords.IgnoringSink();

    private final Options options;
    private final InstantSource clock;
    private final ConcurrentHashMap<String, RateCell> rates = new ConcurrentHashMap<>();
    /** Without an object per triplet: millions of long-lived triplets as objects made every young collection slow. */
    private final TripletTable triplets = new TripletTable();
    private final ConcurrentHashMap<String, ClientState> clients = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, TallyCell> tallies = new ConcurrentHashMap<>();
    /** Records of fields (per-account settings): what operators set; never expire, never evicted. */
    private final ConcurrentHashMap<String, Map<String, String>> records = new ConcurrentHashMap<>();
    /** Bounded lists, newest first (recent logins); each bounded by its cap, expiring whole, counted and evicted like the rest. */
    private final ConcurrentHashMap<String, ListCell> lists = new ConcurrentHashMap<>();

    /** Serialises restriction writers; readers take {@link #restrictions} without it. */
    private final ReentrantLock restrictionLock = new ReentrantLock();
    private volatile List<Restriction> restrictions = List.of();

    /** The data directory, or null for a store that lives only in memory. */
    private final DataDirectory data;
    /** Every change is told to this before the changing call returns. */
    private final StateRecords.Sink changes;
    /** Routes changes to the journal, collecting an atomic unit's into one record; null without a directory. */
    private final JournalBatches batches;

    private final ReentrantLock evictionLock = new ReentrantLock();
    private final EvictionSampler<RateCell> rateSampler = new EvictionSampler<>(rates, StateRecords.RATE);
    private final EvictionCandidates tripletSampler = triplets.evictionCandidates(StateRecords.TRIPLET);
    private final EvictionSampler<ClientState> clientSampler = new EvictionSampler<>(clients, StateRecords.CLIENT);
    private final EvictionSampler<TallyCell> tallySampler = new EvictionSampler<>(tallies, StateRecords.TALLY);
    private final EvictionSampler<ListCell> listSampler = new EvictionSampler<>(lists, StateRecords.EXPIRING_LIST);
    private final LongAdder evictions = new LongAdder();

    private final ScheduledExecutorService maintenance;
    /** Read and written on the maintenance thread only. */
    private long lastCheckpointNanoTime = System.nanoTime();
    private long lastSweepNanoTime = System.nanoTime();
    /** Maintenance thread only: failures in a row of each step, and when a failed snapshot may be tried again. */
    private long forceFailures;
    private long checkpointFailures;
    private long nextCheckpointAttemptNanoTime = System.nanoTime();
    /** postgrey's interval between two counted passes (or renewals) of one client. */
    private static final long CLIENT_COUNT_INTERVAL_NANOS = Duration.ofHours(1).toNanos();
    private static final Backoff SNAPSHOT_RETRY = Backoff.doubling(Duration.ofSeconds(1), Duration.ofMinutes(1));
    private static final long FAILURE_LOG_EVERY = 60;
    private volatile boolean closed;

    private MemoryStateStore(Path directory, Options options, InstantSource clock, DataDirectory.Journals journals) throws IOException {
        this.options = Objects.requireNonNull(options, "options");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (directory == null) {
            data = null;
            batches = null;
            changes = NO_JOURNAL;
        } else {
            Restorer restorer = new Restorer(sat(epochNanos(clock.instant()), LEGACY_LIST_RETENTION.toNanos()));
            data = DataDirectory.open(directory, restorer, journals);
            batches = new JournalBatches(data);
            changes = batches;
            restrictions = List.copyOf(restorer.recoveredRestrictions.values());
            long removed = sweepExpired();
            evictIfOverCapacity();
            log.info("state store {}: {} keys and {} restrictions restored ({} had expired)",
                    directory, keyCount(), restrictions.size(), removed);
        }
        maintenance = options.maintenanceThread() ? startMaintenance() : null;
    }

    /**
     * Opens (creating when missing) the store kept in {@code directory}: loads its snapshot, replays
     * its journal, and from then on journals every change.
     *
     * @param clock drives only expiry sweeps and snapshot times; decisions use the requests' time
     * @throws CorruptStateException when a state file fails its checksums
     * @throws IOException           when the directory cannot be used (or another store holds it)
     */
    public static MemoryStateStore open(Path directory, Options options, InstantSource clock) throws IOException {
        return open(directory, options, clock, DataDirectory.Journals.FILES);
    }

    /** Tests give journals whose disk fails on demand. */
    static MemoryStateStore open(Path directory, Options options, InstantSource clock, DataDirectory.Journals journals) throws IOException {
        return new MemoryStateStore(Objects.requireNonNull(directory, "directory"), options, clock, journals);
    }

    /** A store that keeps nothing across restarts: for tests and benchmarks. */
    public static MemoryStateStore inMemory(Options options, InstantSource clock) {
        try {
            return new MemoryStateStore(null, options, clock, DataDirectory.Journals.FILES);
        } catch (IOException e) {
            throw new UncheckedIOException("an in-memory store touches no file", e);
        }
    }

    // ---- rate limits ----------------------------------------------------------------------------

    @Override
    public RateOutcome rate(RateRequest request) {
        ensureOpen();
        long now = epochNanos(request.now());
        RateWindow[] windows = request.windows().toArray(RateWindow[]::new);
        long cost = request.cost();
        if (request.dryRun() || cost == 0) {
            return decide(rates.get(request.key()), windows, cost, now).outcome(now, false);
        }
        RateOutcome[] result = new RateOutcome[1];
        rates.compute(request.key(), (key, cell) -> {
            RateDecision decision = decide(cell, windows, cost, now);
            result[0] = decision.outcome(now, decision.allowed);
            if (!decision.allowed) return cell;
            RateWindow[] kept = cell != null && cell.countsExactly(windows) ? cell.windows() : windows;
            long[] tats = decision.chargedTats();
            changes.rate(key, kept, tats);
            return new RateCell(kept, tats);
        });
        evictIfOverCapacity();
        return result[0];
    }

    @Override
    public void refund(RateRequest request) {
        ensureOpen();
        if (request.dryRun() || request.cost() == 0) return;
        long now = epochNanos(request.now());
        List<RateWindow> windows = request.windows();
        rates.computeIfPresent(request.key(), (key, cell) -> {
            long[] tats = cell.tats().clone();
            boolean changed = false;
            for (int i = 0; i < cell.size(); i++) {
                RateWindow window = cell.window(i);
                if (!windows.contains(window) || tats[i] <= now) continue;
                long charge = chargeNanos(window, request.cost());
                // A charge larger than the window was never made; undo what is there.
                tats[i] = charge < 0 ? now : Math.max(tats[i] - charge, now);
                changed = true;
            }
            if (!changed) return cell;
            changes.rate(key, cell.windows(), tats);
            return new RateCell(cell.windows(), tats);
        });
    }

    /**
     * GCRA for every window: allowed iff {@code max(TAT, now) + cost*T - now <= period}.
     *
     * @param cell null when the key has no state (an empty window)
     */
    private static RateDecision decide(RateCell cell, RateWindow[] windows, long cost, long now) {
        int n = windows.length;
        long[] bases = new long[n];
        long[] charges = new long[n];
        boolean[] allowedEach = new boolean[n];
        boolean allowed = true;
        for (int i = 0; i < n; i++) {
            RateWindow window = windows[i];
            long tat = cell == null ? Long.MIN_VALUE : cell.tatOf(window, i);
            long base = Math.max(tat, now);
            long charge = chargeNanos(window, cost);
            bases[i] = base;
            charges[i] = charge;
            allowedEach[i] = charge >= 0 && base - now + charge <= window.period().toNanos();
            allowed &= allowedEach[i];
        }
        return new RateDecision(windows, bases, charges, allowedEach, allowed);
    }

    /**
     * {@code cost * T} in whole nanoseconds, or -1 when the cost exceeds the whole window and can
     * never fit. Rounded down: rounding up would add up over a full window (700/min charged one by
     * one would overshoot the minute by 200ns and refuse the 700th); rounding down errs by under a
     * nanosecond per charge in the sender's favour, far less than one unit over any window.
     */
    private static long chargeNanos(RateWindow window, long cost) {
        double exact = cost * window.emissionIntervalNanos();
        long period = window.period().toNanos();
        if (exact > period) return -1;
        return (long) exact;
    }

    private record RateDecision(RateWindow[] windows, long[] bases, long[] charges, boolean[] allowedEach, boolean allowed) {
        long[] chargedTats() {
            long[] tats = new long[windows.length];
            for (int i = 0; i < tats.length; i++) tats[i] = bases[i] + charges[i];
            return tats;
        }

        RateOutcome outcome(long now, boolean charged) {
            RateOutcome.WindowState[] states = new RateOutcome.WindowState[windows.length];
            for (int i = 0; i < windows.length; i++) {
                RateWindow window = windows[i];
                long backlog = (charged ? bases[i] + charges[i] : bases[i]) - now;
                Instant retryAt;
                if (allowedEach[i]) retryAt = instant(now);
                else if (charges[i] < 0) retryAt = Instant.MAX; // more than the whole limit: never fits
                else retryAt = instant(bases[i] + charges[i] - window.period().toNanos());
                states[i] = new RateOutcome.WindowState(window, usedUnits(backlog, window), allowedEach[i], retryAt);
            }
            return new RateOutcome(allowed, List.of(states)); // immutable already: the record keeps it as is
        }
    }

    /** Units still draining from a window: {@code ceil(backlog / T)}. */
    private static long usedUnits(long backlogNanos, RateWindow window) {
        if (backlogNanos <= 0) return 0;
        return (long) Math.ceil(backlogNanos / window.emissionIntervalNanos() - USED_ROUNDING_SLACK);
    }

    // ---- greylisting ----------------------------------------------------------------------------

    @Override
    public GreylistOutcome greylist(GreylistRequest request) {
        ensureOpen();
        long now = epochNanos(request.now());
        long delay = nanos(request.delay());
        long retryWindow = nanos(request.retryWindow());
        long maxAge = nanos(request.maxAge());
        String client = request.client();

        // postgrey's order: an auto-allowed client passes whatever its triplet says.
        if (request.autoAllowAfter() > 0) {
            ClientState seen = live(clients.get(client), now);
            if (seen != null && seen.passes() >= request.autoAllowAfter()) {
                long passes = request.dryRun() ? seen.passes() : refreshAllowedClient(client, now, maxAge, request.autoAllowAfter());
                if (passes >= 0) {
                    TripletState triplet = live(triplets.get(request.triplet()), now);
                    Instant firstSeen = triplet == null ? request.now() : instant(triplet.firstSeenNanos());
                    return new GreylistOutcome(GreylistOutcome.Status.CLIENT_ALLOWED, firstSeen, request.now(), passes);
                }
            }
        }

        TripletDecision decision;
        if (request.dryRun()) {
            decision = decideTriplet(live(triplets.get(request.triplet()), now), now, delay, retryWindow, maxAge);
        } else {
            TripletDecision[] result = new TripletDecision[1];
            triplets.compute(request.triplet(), (key, current) -> {
                TripletDecision d = decideTriplet(live(current, now), now, delay, retryWindow, maxAge);
                result[0] = d;
                if (d.next == null) return current;
                changes.triplet(key, d.next);
                return d.next;
            });
            decision = result[0];
        }

        long clientPasses;
        if (decision.status == GreylistOutcome.Status.PASSED) {
            clientPasses = request.dryRun() ? passesIfCounted(client, now, maxAge) : countClientPass(client, now, maxAge);
        } else {
            clientPasses = livePasses(client, now);
        }
        if (!request.dryRun()) evictIfOverCapacity();
        return new GreylistOutcome(decision.status, instant(decision.firstSeen), instant(sat(decision.firstSeen, delay)), clientPasses);
    }

    /** @param next the state to store, null to leave the triplet as it is */
    private record TripletDecision(GreylistOutcome.Status status, long firstSeen, TripletState next) {
    }

    private static TripletDecision decideTriplet(TripletState live, long now, long delay, long retryWindow, long maxAge) {
        if (live != null && live.passed()) {
            TripletState refreshed = new TripletState(live.firstSeenNanos(), Math.max(live.expiresAtNanos(), sat(now, maxAge)), true);
            return new TripletDecision(GreylistOutcome.Status.KNOWN, live.firstSeenNanos(), refreshed);
        }
        if (live == null || now >= sat(live.firstSeenNanos(), retryWindow)) {
            // An unpassed triplet is useless once its retry window closes: let it expire then.
            return new TripletDecision(GreylistOutcome.Status.NEW, now, new TripletState(now, sat(now, retryWindow), false));
        }
        if (now < sat(live.firstSeenNanos(), delay)) {
            return new TripletDecision(GreylistOutcome.Status.EARLY, live.firstSeenNanos(), null);
        }
        return new TripletDecision(GreylistOutcome.Status.PASSED, live.firstSeenNanos(),
                new TripletState(live.firstSeenNanos(), sat(now, maxAge), true));
    }

    private long countClientPass(String client, long now, long maxAge) {
        ClientState updated = clients.compute(client, (key, current) -> {
            ClientState live = live(current, now);
            if (live != null && !anHourSinceLastCounted(live, now, maxAge)) return live;
            ClientState next = live == null
                    ? new ClientState(1, sat(now, maxAge))
                    : new ClientState(live.passes() + 1, Math.max(live.expiresAtNanos(), sat(now, maxAge)));
            changes.client(key, next);
            return next;
        });
        return updated.passes();
    }

    /** What {@link #countClientPass} would make of the client's passes, changing nothing. */
    private long passesIfCounted(String client, long now, long maxAge) {
        ClientState live = live(clients.get(client), now);
        if (live == null) return 1;
        return anHourSinceLastCounted(live, now, maxAge) ? live.passes() + 1 : live.passes();
    }

    /**
     * postgrey counts a client's passes, and renews an allowed client, at most once an hour ("record only one attempt
     * per hour"): a sender retrying a burst of messages at once is one client that retried, not many. Every count and
     * renewal sets the expiry to that moment plus maxAge, so the last one was at expiry minus maxAge.
     */
    private static boolean anHourSinceLastCounted(ClientState live, long now, long maxAge) {
        return now >= sat(live.expiresAtNanos() - maxAge, CLIENT_COUNT_INTERVAL_NANOS);
    }

    /** @return the client's passes when it is (still) auto-allowed, its entry refreshed; -1 when not */
    private long refreshAllowedClient(String client, long now, long maxAge, int autoAllowAfter) {
        long[] passes = {-1};
        clients.computeIfPresent(client, (key, current) -> {
            ClientState live = live(current, now);
            if (live == null || live.passes() < autoAllowAfter) return current;
            passes[0] = live.passes();
            if (!anHourSinceLastCounted(live, now, maxAge)) return current;
            long expiresAt = sat(now, maxAge);
            if (expiresAt <= live.expiresAtNanos()) return current;
            ClientState next = new ClientState(live.passes(), expiresAt);
            changes.client(key, next);
            return next;
        });
        return passes[0];
    }

    private long livePasses(String client, long now) {
        ClientState state = live(clients.get(client), now);
        return state == null ? 0 : state.passes();
    }

    private static <T extends Expiring> T live(T entry, long now) {
        return entry != null && entry.expiresAtNanos() > now ? entry : null;
    }

    // ---- tallies --------------------------------------------------------------------------------

    @Override
    public TallyOutcome tally(TallyRequest request) {
        ensureOpen();
        long now = epochNanos(request.now());
        long window = nanos(request.window());
        if (request.dryRun()) {
            TallyCell cell = tallies.get(request.key());
            return outcome(cell == null ? TallyCell.EMPTY : cell, now, window, request.cap(), false);
        }
        TallyOutcome[] result = new TallyOutcome[1];
        tallies.compute(request.key(), (key, current) -> {
            TallyCell.Next next = (current == null ? TallyCell.EMPTY : current).add(request.member(), now, window, request.cap());
            changes.tally(key, next.cell());
            result[0] = outcome(next.cell(), now, window, request.cap(), next.added());
            return next.cell();
        });
        evictIfOverCapacity();
        return result[0];
    }

    /** The count of the live members, at most {@code cap} (a peek with a smaller cap than the cell was built with). */
    private static TallyOutcome outcome(TallyCell cell, long now, long window, int cap, boolean added) {
        int from = Math.max(cell.firstLive(now, window), cell.size() - cap);
        long count = cell.size() - from;
        List<String> members = new ArrayList<>();
        for (int i = from; i < cell.size(); i++) {
            if (cell.member(i) != null) members.add(cell.member(i));
        }
        return new TallyOutcome(count, added, count == 0 ? instant(now) : instant(cell.seen(from)), members);
    }

    @Override
    public void forget(String key) {
        ensureOpen();
        // Journaled as a removal, under the key's lock like an eviction, so a restart holds what memory held.
        tallies.computeIfPresent(key, (k, current) -> {
            changes.evicted(StateRecords.TALLY, k);
            return null;
        });
    }

    // ---- records and lists ----------------------------------------------------------------------

    @Override
    public Map<String, String> putFields(String key, Map<String, String> fields) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(fields, "fields");
        ensureOpen();
        Map<String, String> result = records.compute(key, (k, current) -> {
            java.util.TreeMap<String, String> next = current == null ? new java.util.TreeMap<>() : new java.util.TreeMap<>(current);
            fields.forEach((name, value) -> {
                if (value == null || value.isEmpty()) next.remove(name);
                else next.put(name, value);
            });
            Map<String, String> stored = java.util.Collections.unmodifiableMap(next);
            if (stored.equals(current == null ? Map.of() : current)) return current;
            changes.fields(k, stored); // whole record; empty: removed
            return next.isEmpty() ? null : stored;
        });
        flush(); // an operator's setting is acknowledged only once it survives a crash
        return result == null ? Map.of() : result;
    }

    @Override
    public Map<String, String> fields(String key) {
        Map<String, String> record = records.get(key);
        return record == null ? Map.of() : record;
    }

    @Override
    public void push(String key, String entry, int cap, Instant at, Duration keepFor) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(entry, "entry");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(keepFor, "keepFor");
        if (cap <= 0 || cap > StateRecords.MAX_ELEMENTS) {
            throw new IllegalArgumentException("cap must be 1.." + StateRecords.MAX_ELEMENTS + ", was " + cap);
        }
        if (keepFor.isNegative() || keepFor.isZero()) throw new IllegalArgumentException("keepFor must be positive, was " + keepFor);
        ensureOpen();
        long now = epochNanos(at);
        long expiry = sat(now, nanos(keepFor));
        lists.compute(key, (k, current) -> {
            // A list past its expiry that the sweep has not reached yet is gone already: start afresh.
            List<String> kept = current == null || current.expiresAtNanos() <= now ? List.of() : current.entries();
            List<String> next = new ArrayList<>(Math.min(cap, kept.size() + 1));
            next.add(entry);
            next.addAll(kept.subList(0, Math.min(kept.size(), cap - 1)));
            // A push whose time lags another's (a log line read late) never shortens the list's life.
            long expiresAt = kept.isEmpty() ? expiry : Math.max(expiry, current.expiresAtNanos());
            ListCell stored = new ListCell(List.copyOf(next), expiresAt);
            changes.list(k, stored.entries(), expiresAt);
            return stored;
        });
        evictIfOverCapacity();
    }

    @Override
    public List<String> recent(String key, Instant at) {
        ListCell cell = lists.get(key);
        return cell == null || cell.expiresAtNanos() <= epochNanos(at) ? List.of() : cell.entries();
    }

    // ---- restrictions ---------------------------------------------------------------------------

    @Override
    public void impose(Restriction restriction) {
        Objects.requireNonNull(restriction, "restriction");
        ensureOpen();
        restrictionLock.lock();
        try {
            List<Restriction> current = restrictions;
            List<Restriction> next = new ArrayList<>(current.size() + 1);
            boolean replaced = false;
            for (Restriction r : current) {
                if (r.id().equals(restriction.id())) {
                    if (r.equals(restriction)) return;
                    next.add(restriction);
                    replaced = true;
                } else {
                    next.add(r);
                }
            }
            if (!replaced) next.add(restriction);
            changes.restriction(restriction);
            restrictions = List.copyOf(next);
        } finally {
            restrictionLock.unlock();
        }
        flush();
    }

    @Override
    public Optional<Restriction> lift(String id, Instant at, String by) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(at, "at");
        ensureOpen();
        restrictionLock.lock();
        try {
            List<Restriction> current = restrictions;
            for (int i = 0; i < current.size(); i++) {
                Restriction r = current.get(i);
                if (!r.id().equals(id)) continue;
                if (r.liftedAt() != null || !at.isBefore(r.expiresAt())) return Optional.empty();
                Restriction lifted = r.lifted(at, by);
                List<Restriction> next = new ArrayList<>(current);
                next.set(i, lifted);
                changes.restriction(lifted);
                restrictions = List.copyOf(next);
                flush();
                return Optional.of(lifted);
            }
            return Optional.empty();
        } finally {
            restrictionLock.unlock();
        }
    }

    @Override
    public void flush() {
        if (batches != null) batches.flush();
    }

    /**
     * The memory effects happen as the calls are made; the journal records the work's calls make on this thread
     * are appended at its end as one record (see {@link JournalBatches} for why units run one at a time).
     */
    @Override
    public <T> T atomically(java.util.function.Supplier<T> work) {
        Objects.requireNonNull(work, "work");
        ensureOpen();
        return batches == null ? work.get() : batches.atomically(work);
    }

    @Override
    public List<Restriction> restrictions() {
        return restrictions;
    }

    /** Drops restrictions that ended more than the retention before {@code now}. */
    private int purgeRestrictions(Instant now) {
        Instant endedBefore = now.minus(options.restrictionRetention());
        if (restrictions.stream().noneMatch(r -> endOf(r).isBefore(endedBefore))) return 0;
        restrictionLock.lock();
        try {
            List<Restriction> next = new ArrayList<>();
            int purged = 0;
            for (Restriction r : restrictions) {
                if (endOf(r).isBefore(endedBefore)) {
                    changes.restrictionRemoved(r.id());
                    purged++;
                } else {
                    next.add(r);
                }
            }
            if (purged > 0) restrictions = List.copyOf(next);
            return purged;
        } finally {
            restrictionLock.unlock();
        }
    }

    private static Instant endOf(Restriction r) {
        return r.liftedAt() != null && r.liftedAt().isBefore(r.expiresAt()) ? r.liftedAt() : r.expiresAt();
    }

    // ---- bounds: expiry and capacity ------------------------------------------------------------

    /**
     * Removes every entry dead at the clock's current time and purges long-ended restrictions. The
     * maintenance thread calls it each sweep interval; tests call it after moving their clock.
     *
     * @return how many keys were removed
     */
    public long sweepExpired() {
        Instant at = clock.instant();
        long now = epochNanos(at);
        long removed = sweep(rates, now) + triplets.removeExpired(now) + sweep(clients, now) + sweep(tallies, now) + sweep(lists, now);
        purgeRestrictions(at);
        return removed;
    }

    private static <V extends Expiring> long sweep(ConcurrentHashMap<String, V> map, long now) {
        long removed = 0;
        for (Map.Entry<String, V> entry : map.entrySet()) {
            // remove(key, value) fails when a request replaced the entry meanwhile: it lives on.
            if (entry.getValue().expiresAtNanos() <= now && map.remove(entry.getKey(), entry.getValue())) removed++;
        }
        return removed;
    }

    /** Entries removed because the store held more keys than its capacity. */
    public long evictions() {
        return evictions.sum();
    }

    /** Bytes of records in the current journal (0 without a directory): where its next record goes. */
    long journalBytes() {
        return data == null ? 0 : data.journalBytes();
    }

    private long keyCount() {
        return rates.mappingCount() + triplets.size() + clients.mappingCount() + tallies.mappingCount()
                + lists.mappingCount();
    }

    /**
     * Amortised: the request that pushed the count over the cap evicts back down to it. One thread
     * evicts at a time; others go on (the cap may be exceeded by a few keys meanwhile).
     */
    private void evictIfOverCapacity() {
        evictIfOverCapacity(changes);
    }

    /** @param journal where the evictions are journaled: the store's changes, or nowhere while a journal is replayed */
    private void evictIfOverCapacity(StateRecords.Sink journal) {
        if (keyCount() <= options.capacity() || !evictionLock.tryLock()) return;
        try {
            while (keyCount() > options.capacity()) {
                if (!evictOneNearestToExpiry(journal)) break;
            }
        } finally {
            evictionLock.unlock();
        }
    }

    private boolean evictOneNearestToExpiry(StateRecords.Sink journal) {
        EvictionCandidates best = null;
        for (EvictionCandidates sampler : List.of(rateSampler, tripletSampler, clientSampler, tallySampler, listSampler)) {
            if (sampler.sample(EVICTION_SAMPLES_PER_MAP) && (best == null || sampler.candidateExpiry() < best.candidateExpiry())) {
                best = sampler;
            }
        }
        if (best == null) return false;
        if (best.evictCandidate(journal)) evictions.increment();
        return true;
    }

    /**
     * Walks one map with an iterator that persists across evictions, so successive samples move
     * through the table (hash order is as good as random) instead of rescanning its start.
     * Guarded by {@link #evictionLock}.
     */
    private static final class EvictionSampler<V extends Expiring> implements EvictionCandidates {
        private final ConcurrentHashMap<String, V> map;
        private final byte keyType;
        private Iterator<Map.Entry<String, V>> cursor;
        private String candidateKey;
        private V candidateValue;

        EvictionSampler(ConcurrentHashMap<String, V> map, byte keyType) {
            this.map = map;
            this.keyType = keyType;
        }

        @Override
        public boolean sample(int count) {
            candidateKey = null;
            candidateValue = null;
            if (map.isEmpty()) return false; // without making an iterator for it each time
            boolean restarted = false;
            for (int seen = 0; seen < count; ) {
                if (cursor == null || !cursor.hasNext()) {
                    if (restarted) break;
                    cursor = map.entrySet().iterator();
                    restarted = true;
                    if (!cursor.hasNext()) break;
                }
                Map.Entry<String, V> entry = cursor.next();
                seen++;
                if (candidateValue == null || entry.getValue().expiresAtNanos() < candidateValue.expiresAtNanos()) {
                    candidateKey = entry.getKey();
                    candidateValue = entry.getValue();
                }
            }
            return candidateValue != null;
        }

        @Override
        public long candidateExpiry() {
            return candidateValue.expiresAtNanos();
        }

        /**
         * Removes the candidate if it is still the key's value, and journals the removal under the
         * key's lock, so a concurrent update of the key is journaled either before it (and
         * evicted with it) or after it (and kept): a restart then holds what memory held.
         */
        @Override
        public boolean evictCandidate(StateRecords.Sink changes) {
            boolean[] evicted = new boolean[1];
            map.computeIfPresent(candidateKey, (key, current) -> {
                if (current != candidateValue) return current;
                changes.evicted(keyType, key);
                evicted[0] = true;
                return null;
            });
            return evicted[0];
        }
    }

    // ---- persistence ----------------------------------------------------------------------------

    /**
     * Compacts the journal into a new snapshot now. The maintenance thread does this each snapshot
     * interval or when the journal grows past its size; a store without a directory does nothing.
     */
    public void checkpoint() {
        if (data == null) return;
        batches.exclusive(this::writeSnapshot); // never in the middle of an atomic unit: all of it or none
    }

    private void writeSnapshot() {
        try {
            Instant at = clock.instant();
            long now = epochNanos(at);
            data.checkpoint(snapshot -> {
                rates.forEach((key, cell) -> {
                    if (cell.expiresAtNanos() > now) snapshot.rate(key, cell.windows(), cell.tats());
                });
                triplets.forEachAlive(now, snapshot::triplet);
                clients.forEach((key, state) -> {
                    if (state.expiresAtNanos() > now) snapshot.client(key, state);
                });
                tallies.forEach((key, cell) -> {
                    if (cell.expiresAtNanos() > now) snapshot.tally(key, cell);
                });
                records.forEach(snapshot::fields);
                lists.forEach((key, cell) -> {
                    if (cell.expiresAtNanos() > now) snapshot.list(key, cell.entries(), cell.expiresAtNanos());
                });
                for (Restriction r : restrictions) snapshot.restriction(r);
            }, at);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a state snapshot", e);
        }
    }

    private ScheduledExecutorService startMaintenance() {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "sekisho-state-maintenance");
            thread.setDaemon(true);
            return thread;
        });
        long tickMillis = Math.max(1, Math.min(options.fsyncInterval().toMillis(), options.sweepInterval().toMillis()));
        executor.scheduleWithFixedDelay(() -> maintain(System.nanoTime()), tickMillis, tickMillis, TimeUnit.MILLISECONDS);
        return executor;
    }

    /**
     * One tick of maintenance at {@code tick} ({@link System#nanoTime()}'s scale): force, snapshot when due, sweep.
     * Package-private so tests can run ticks at moved times.
     */
    void maintain(long tick) {
        // A scheduled task that throws is never run again: each step reports and the next tick tries again.
        if (data != null) {
            try {
                data.force();
                forceFailures = recovered(forceFailures, "forcing the state journal to disk");
            } catch (Exception e) {
                forceFailures = failed(forceFailures, "forcing the state journal to disk", e);
            }
            boolean due = tick - lastCheckpointNanoTime >= options.snapshotInterval().toNanos();
            boolean wanted = data.journalBytes() >= options.snapshotJournalBytes() || (due && data.journalHasChanges()) || data.needsSnapshot();
            // A snapshot that failed (a full disk) is tried again after a growing pause, not on every tick: each try
            // writes the whole state.
            if (wanted && tick - nextCheckpointAttemptNanoTime >= 0) {
                try {
                    checkpoint();
                    lastCheckpointNanoTime = tick;
                    checkpointFailures = recovered(checkpointFailures, "writing a state snapshot");
                } catch (Exception e) {
                    checkpointFailures = failed(checkpointFailures, "writing a state snapshot", e);
                    nextCheckpointAttemptNanoTime = tick + SNAPSHOT_RETRY.after(checkpointFailures).toNanos();
                }
            }
        }
        if (tick - lastSweepNanoTime >= options.sweepInterval().toNanos()) {
            try {
                sweepExpired();
            } catch (Exception e) {
                if (!closed) log.error("state store sweep failed; will retry", e);
            }
            lastSweepNanoTime = tick;
        }
    }

    /** Logs the first failure of a step in a row, then every {@link #FAILURE_LOG_EVERY}th: a broken disk fails each tick. */
    private long failed(long failuresInARow, String step, Exception e) {
        long failures = failuresInARow + 1;
        if (!closed && (failures == 1 || failures % FAILURE_LOG_EVERY == 0)) {
            log.error("state store maintenance: {} failed ({} times in a row); will retry", step, failures, e);
        }
        return failures;
    }

    private long recovered(long failuresInARow, String step) {
        if (failuresInARow > 0) log.info("state store maintenance: {} works again after {} failures", step, failuresInARow);
        return 0;
    }

    @Override
    public Stats stats() {
        return new Stats(keyCount(), options.capacity());
    }

    /** Stops maintenance, writes a final snapshot (so the next start replays nothing), releases the directory. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (maintenance != null) {
            maintenance.shutdown();
            try {
                if (!maintenance.awaitTermination(30, TimeUnit.SECONDS)) log.warn("state store maintenance did not stop in 30s");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (data == null) return;
        try {
            // A journal that dropped records (a disk that failed for long) has changes only a snapshot can keep.
            if (data.journalHasChanges() || data.needsSnapshot()) checkpoint();
        } catch (RuntimeException e) {
            if (data.needsSnapshot()) {
                log.error("final state snapshot failed while the journal lacks changes it could not write: "
                        + "the next start loses those changes", e);
            } else {
                log.warn("final state snapshot failed; the journal still holds every change", e);
            }
        } finally {
            try {
                data.close();
            } catch (IOException e) {
                log.error("closing the state journal failed", e);
            }
        }
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("state store is closed");
    }

    /** Feeds recovered records straight into the maps (nothing is journaled again). Used while opening only. */
    private final class Restorer implements StateRecords.Sink {
        /** Recovered windows are shared, like the configuration's are, instead of one copy per key. */
        private final Map<RateWindow, RateWindow> windows = new HashMap<>();
        private final Map<String, Restriction> recoveredRestrictions = new LinkedHashMap<>();
        /** The expiry of a list recovered from an old record that carried none. */
        private final long legacyListExpiry;

        Restorer(long legacyListExpiry) {
            this.legacyListExpiry = legacyListExpiry;
        }

        @Override
        public void rate(String key, RateWindow[] recovered, long[] tats) {
            for (int i = 0; i < recovered.length; i++) recovered[i] = windows.computeIfAbsent(recovered[i], w -> w);
            rates.put(key, new RateCell(recovered, tats));
        }

        @Override
        public void triplet(String key, TripletState state) {
            triplets.put(key, state);
            // The journal does not hold the evictions of triplets that never passed (TripletTable's sampler): replayed,
            // they come back, as many as were evicted since the snapshot, which under a flood is millions. Evicting as
            // they come keeps the capacity while replaying, with the policy that evicted them (nothing to journal: the
            // journal being replayed is kept, and a second replay evicts again).
            evictIfOverCapacity(NO_JOURNAL);
        }

        @Override
        public void client(String key, ClientState state) {
            clients.put(key, state);
        }

        @Override
        public void tally(String key, TallyCell cell) {
            tallies.put(key, cell);
        }

        @Override
        public void restriction(Restriction restriction) {
            recoveredRestrictions.put(restriction.id(), restriction);
        }

        @Override
        public void fields(String key, Map<String, String> fields) {
            if (fields.isEmpty()) records.remove(key);
            else records.put(key, fields);
        }

        @Override
        public void list(String key, List<String> entries, long expiresAtNanos) {
            if (entries.isEmpty()) lists.remove(key);
            else lists.put(key, new ListCell(entries, expiresAtNanos == StateRecords.UNKNOWN_EXPIRY ? legacyListExpiry : expiresAtNanos));
        }

        @Override
        public void restrictionRemoved(String id) {
            recoveredRestrictions.remove(id);
        }

        @Override
        public void evicted(byte keyType, String key) {
            switch (keyType) {
                case StateRecords.RATE -> rates.remove(key);
                case StateRecords.TRIPLET -> triplets.remove(key);
                case StateRecords.TALLY -> tallies.remove(key);
                case StateRecords.EXPIRING_LIST -> lists.remove(key);
                default -> clients.remove(key);
            }
        }
    }

    // ---- time -----------------------------------------------------------------------------------

    /** Epoch nanoseconds; a long holds them until the year 2262. */
    private static long epochNanos(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    }

    private static long nanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private static Instant instant(long epochNanos) {
        return Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L));
    }

    /** Saturating {@code t + d} for d >= 0: a "forever" setting must not wrap into the past. */
    private static long sat(long t, long d) {
        long sum = t + d;
        return sum < t ? Long.MAX_VALUE : sum;
    }
}
