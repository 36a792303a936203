package dev.sekisho.notify;

import dev.sekisho.backoff.Backoff;
import dev.sekisho.config.NotifyConfig;
import dev.sekisho.engine.Restriction;
import dev.sekisho.state.StateStore;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Hands each new restriction to every {@link Destination} that wants it, off the engine's
 * threads: {@link #accept} only queues (constant time, never blocks on a receiver), and one
 * sender thread delivers, retrying temporary failures with a doubling delay.
 *
 * <p>The queue is bounded: past {@code capacity} waiting deliveries (first attempts and
 * retries alike), the oldest are dropped, counted and logged. What waits is also kept in a
 * {@link NotificationOutbox} in the state store, so that the next start sends what a restart or a
 * crash left (docs/notifications.md).
 *
 * <p>Time comes from the injected clock. {@link #runDue()} makes every attempt that is due now;
 * the sender thread calls it in a loop, tests call it after moving their clock.
 */
public final class Notifier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);
    private static final Duration DROP_LOG_INTERVAL = Duration.ofMinutes(1);
    private static final Duration MAX_IDLE_WAIT = Duration.ofSeconds(30);
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

    /**
     * How many attempts a delivery gets, and how they are spaced: the wait after failed attempt {@code n} is
     * {@code delays.after(n)} (first, 2×first, 4×first ... up to the max).
     */
    public record RetryPolicy(int maxAttempts, Backoff delays) {
        public RetryPolicy {
            if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
            Objects.requireNonNull(delays, "delays");
        }
    }

    /** Counts since start, for metrics and tests. */
    public record Stats(long queued, long delivered, long failed, long dropped, long retried, int waiting) {
    }

    /** One delivery waiting for its next attempt. */
    private record Pending(long seq, Restriction restriction, Destination destination, int attempt, Instant dueAt) {
    }

    private final List<Destination> destinations;
    private final RetryPolicy retry;
    private final int capacity;
    private final InstantSource clock;
    private final NotificationOutbox outbox;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** By sequence number: the first entry is the oldest, the one dropped first. */
    private final TreeMap<Long, Pending> waiting = new TreeMap<>();
    /**
     * "RESTRICTION-ID DESTINATION-KEY" of every delivery waiting or being attempted: a delivery is queued once, even
     * when the outbox resumed by {@link #start()} and a new impose name the same one.
     */
    private final Set<String> queuedPairs = new HashSet<>();
    private long nextSeq;
    private long queued, delivered, failed, dropped, retried;
    private long droppedSinceLog;
    private Instant lastDropLog = Instant.MIN;
    private Thread sender;
    private volatile boolean closed;

    /** A notifier whose waiting deliveries live in memory only. */
    public Notifier(List<Destination> destinations, RetryPolicy retry, int capacity, InstantSource clock) {
        this(destinations, retry, capacity, clock, NotificationOutbox.none());
    }

    Notifier(List<Destination> destinations, RetryPolicy retry, int capacity, InstantSource clock, NotificationOutbox outbox) {
        this.outbox = Objects.requireNonNull(outbox, "outbox");
        this.destinations = List.copyOf(destinations);
        this.retry = Objects.requireNonNull(retry, "retry");
        if (capacity < 1) throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        this.capacity = capacity;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * The notifier the configuration asks for, not yet started: one webhook destination per
     * {@code notify.webhooks} entry, and mail to users and to support when {@code notify.mail} is set.
     * What waits is kept in {@code outboxStore} (the state store itself, not a notifying wrapper of it), and
     * {@link #start()} resumes what the last run left there.
     *
     * @throws dev.sekisho.config.ConfigException when an operator template is malformed
     */
    public static Notifier fromConfig(NotifyConfig config, InstantSource clock, StateStore outboxStore) {
        if (!config.enabled()) return none(clock);
        String node = config.node().isEmpty() ? localHostName() : config.node();
        List<Destination> destinations = new ArrayList<>();
        for (NotifyConfig.Webhook w : config.webhooks()) {
            destinations.add(new WebhookDestination(w.url(), w.secret(), w.subjects(), w.timeout(), node));
        }
        NotifyConfig.Mail mail = config.mail();
        if (mail != null) {
            MailTemplates templates = MailTemplates.load(mail.templatesDir(), mail.timeZone());
            SmtpRelay relay = new SmtpRelay(mail.relay(), mail.from(), node);
            destinations.add(new MailDestination(MailTemplates.Audience.USER, mail, templates, relay, node));
            destinations.add(new MailDestination(MailTemplates.Audience.SUPPORT, mail, templates, relay, node));
        }
        return new Notifier(destinations, new RetryPolicy(config.maxAttempts(), Backoff.doubling(config.firstRetry(), config.maxRetryDelay())),
                config.queueCapacity(), clock, NotificationOutbox.in(outboxStore));
    }

    /** The kernel's host name, without asking DNS; "sekisho" when it cannot be read. */
    static String localHostName() {
        try {
            String name = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/hostname")).strip();
            if (name.matches("[A-Za-z0-9._-]+")) return name;
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux, or no /proc: fall through
        }
        return "sekisho";
    }

    /** A notifier that sends nothing (no {@code notify:} section). */
    public static Notifier none(InstantSource clock) {
        return new Notifier(List.of(), new RetryPolicy(1, Backoff.doubling(Duration.ofSeconds(1), Duration.ofSeconds(1))), 1, clock);
    }

    public boolean sendsAnything() {
        return !destinations.isEmpty();
    }

    /**
     * Queue one delivery per interested destination; returns at once. After {@link #close()} the deliveries are
     * only kept in the outbox, for the next start. The same as {@link #note} then {@link #send}.
     */
    public void accept(Restriction restriction) {
        note(restriction);
        send(restriction);
    }

    /**
     * First half of {@link #accept}: note the deliveries in the outbox. Called inside the store's unit that imposes
     * the restriction, so the note is kept with it, all or none.
     */
    public void note(Restriction restriction) {
        List<Destination> wanted = wanted(restriction);
        if (wanted.isEmpty()) return;
        Instant queuedAt = clock.instant();
        keep(() -> outbox.add(restriction, wanted.stream().map(Destination::key).toList(), queuedAt), restriction);
    }

    /** Second half of {@link #accept}: queue the deliveries for the sender, once the restriction is durable. */
    public void send(Restriction restriction) {
        List<Destination> wanted = wanted(restriction);
        if (wanted.isEmpty() || closed) return;
        List<Pending> dropped;
        lock.lock();
        try {
            Instant now = clock.instant();
            for (Destination d : wanted) queue(restriction, d, now);
            dropped = dropOldestBeyondCapacity(now);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        forget(dropped);
    }

    /** Queues a first attempt unless the same delivery waits already. Under {@link #lock}. */
    private boolean queue(Restriction restriction, Destination d, Instant now) {
        if (!queuedPairs.add(pair(restriction, d))) return false;
        long seq = nextSeq++;
        waiting.put(seq, new Pending(seq, restriction, d, 1, now));
        queued++;
        return true;
    }

    private static String pair(Restriction r, Destination d) {
        return r.id() + " " + d.key();
    }

    /** Ends deliveries in the outbox; outside {@link #lock}, since an outbox write may wait for a store's unit. */
    private void forget(List<Pending> ended) {
        for (Pending p : ended) keep(() -> outbox.remove(p.restriction(), p.destination().key()), p.restriction());
    }

    private List<Destination> wanted(Restriction restriction) {
        List<Destination> wanted = new ArrayList<>();
        for (Destination d : destinations) {
            try {
                if (d.wants(restriction)) wanted.add(d);
            } catch (RuntimeException e) {
                LOG.warn("notification: cannot tell whether {} wants restriction {}: {}", d.getClass().getSimpleName(), restriction.id(), e.toString());
            }
        }
        return wanted;
    }

    /** Under {@link #lock}; returns what was dropped, for the caller to {@link #forget} once the lock is released. */
    private List<Pending> dropOldestBeyondCapacity(Instant now) {
        List<Pending> droppedNow = new ArrayList<>();
        while (waiting.size() > capacity) {
            Pending oldest = waiting.pollFirstEntry().getValue();
            queuedPairs.remove(pair(oldest.restriction(), oldest.destination()));
            droppedNow.add(oldest);
            dropped++;
            droppedSinceLog++;
            LOG.debug("notification dropped (queue full): restriction {} to {}", oldest.restriction().id(), oldest.destination().describe(oldest.restriction()));
        }
        // One warning a minute at most: a flood of restrictions must not become a flood of log lines.
        if (droppedSinceLog > 0 && !now.isBefore(lastDropLog.plus(DROP_LOG_INTERVAL))) {
            LOG.warn("notification queue full ({} waiting): dropped the {} oldest notifications ({} dropped since start)",
                    capacity, droppedSinceLog, dropped);
            droppedSinceLog = 0;
            lastDropLog = now;
        }
        return droppedNow;
    }

    /** Make every attempt due at the clock's current time; returns how many were made. */
    public int runDue() {
        int attempts = 0;
        boolean onSender = Thread.currentThread() == sender;
        while (!(closed && onSender)) { // a closing notifier's thread stops between attempts
            Pending next = takeDue();
            if (next == null) break;
            attempts++;
            attempt(next);
        }
        return attempts;
    }

    private Pending takeDue() {
        lock.lock();
        try {
            Instant now = clock.instant();
            for (Map.Entry<Long, Pending> e : waiting.entrySet()) {
                if (!e.getValue().dueAt().isAfter(now)) {
                    waiting.remove(e.getKey());
                    return e.getValue();
                }
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    private void attempt(Pending p) {
        Restriction r = p.restriction();
        String to = p.destination().describe(r);
        DeliveryOutcome outcome;
        try {
            outcome = p.destination().deliver(r, clock.instant());
        } catch (RuntimeException e) {
            // A bug in a destination must not kill the sender thread; treat it as temporary.
            outcome = new DeliveryOutcome.Retry("unexpected " + e);
        }
        List<Pending> ended = new ArrayList<>();
        lock.lock();
        try {
            switch (outcome) {
                case DeliveryOutcome.Delivered d -> {
                    ended.add(done(p));
                    delivered++;
                    LOG.info("notification delivered: restriction {} ({}) to {} on attempt {}{}", r.id(), r.subject(), to, p.attempt(),
                            d.detail().isEmpty() ? "" : ": " + d.detail());
                }
                case DeliveryOutcome.GiveUp g -> {
                    ended.add(done(p));
                    failed++;
                    LOG.error("notification failed: restriction {} ({}) to {}: {} (permanent, attempt {}, not retried)",
                            r.id(), r.subject(), to, g.why(), p.attempt());
                }
                case DeliveryOutcome.Retry t when p.attempt() >= retry.maxAttempts() -> {
                    ended.add(done(p));
                    failed++;
                    LOG.error("notification failed: restriction {} ({}) to {}: {} (gave up after {} attempts)",
                            r.id(), r.subject(), to, t.why(), p.attempt());
                }
                case DeliveryOutcome.Retry t -> {
                    retried++;
                    Duration delay = retry.delays().after(p.attempt());
                    if (t.notBefore() != null && t.notBefore().compareTo(delay) > 0) {
                        delay = t.notBefore().compareTo(retry.delays().max()) > 0 ? retry.delays().max() : t.notBefore();
                    }
                    Instant due = clock.instant().plus(delay);
                    LOG.warn("notification attempt {} of {} failed: restriction {} to {}: {}; next attempt at {}",
                            p.attempt(), retry.maxAttempts(), r.id(), to, t.why(), due);
                    waiting.put(p.seq(), new Pending(p.seq(), r, p.destination(), p.attempt() + 1, due));
                    ended.addAll(dropOldestBeyondCapacity(clock.instant()));
                }
            }
        } finally {
            lock.unlock();
        }
        forget(ended);
    }

    /** The delivery ended: no longer waiting. Under {@link #lock}; the caller {@link #forget}s it afterwards. */
    private Pending done(Pending p) {
        queuedPairs.remove(pair(p.restriction(), p.destination()));
        return p;
    }

    /** An outbox write that fails (a full or closed store) costs the durability of one delivery, never the delivery. */
    private static void keep(Runnable write, Restriction r) {
        try {
            write.run();
        } catch (RuntimeException e) {
            LOG.warn("notification outbox: cannot keep the state of restriction {}'s notification: {}", r.id(), e.toString());
        }
    }

    /**
     * Queue what the last run left in the outbox (due at once, first attempt), then start the sender thread (a daemon:
     * a stuck receiver never holds the JVM up). A delivery whose destination is no longer configured is dropped from
     * the outbox and logged. A delivery queued already (a restriction imposed before the start) is not queued twice.
     */
    public synchronized Notifier start() {
        if (sender != null || destinations.isEmpty()) return this;
        resume();
        sender = Thread.ofPlatform().name("sekisho-notify").daemon(true).unstarted(this::sendLoop);
        sender.start();
        return this;
    }

    /** Queues what the last run left in the outbox; returns how many deliveries. {@link #start()} calls it. */
    int resume() {
        List<NotificationOutbox.Waiting> left;
        try {
            left = outbox.waiting();
        } catch (RuntimeException e) {
            LOG.warn("notification outbox: cannot read what the last run left: {}", e.toString());
            return 0;
        }
        int resumed = 0;
        List<NotificationOutbox.Waiting> gone = new ArrayList<>();
        List<Pending> dropped;
        lock.lock();
        try {
            Instant now = clock.instant();
            for (NotificationOutbox.Waiting w : left) {
                Optional<Destination> destination = destinations.stream().filter(d -> d.key().equals(w.destinationKey())).findFirst();
                if (destination.isEmpty()) {
                    LOG.warn("notification of restriction {} to {} left by the last run is dropped: that destination is no longer configured",
                            w.restriction().id(), w.destinationKey());
                    gone.add(w);
                    continue;
                }
                if (queue(w.restriction(), destination.get(), now)) resumed++;
            }
            dropped = dropOldestBeyondCapacity(now);
        } finally {
            lock.unlock();
        }
        for (NotificationOutbox.Waiting w : gone) keep(() -> outbox.remove(w.restriction(), w.destinationKey()), w.restriction());
        forget(dropped);
        if (resumed > 0) LOG.info("notification: {} deliveries left by the last run are queued again", resumed);
        return resumed;
    }

    private void sendLoop() {
        while (!closed) {
            try {
                runDue();
                awaitWork();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("notification sender: unexpected {}", e.toString(), e);
            }
        }
    }

    /** Sleep until the earliest retry is due or something new arrives (at most MAX_IDLE_WAIT, in case the clock jumps). */
    private void awaitWork() throws InterruptedException {
        lock.lock();
        try {
            if (closed) return;
            Instant now = clock.instant();
            Duration wait = MAX_IDLE_WAIT;
            for (Pending p : waiting.values()) {
                Duration until = Duration.between(now, p.dueAt());
                if (until.compareTo(wait) < 0) wait = until;
            }
            if (!wait.isNegative() && !wait.isZero()) changed.await(wait.toNanos(), TimeUnit.NANOSECONDS);
        } finally {
            lock.unlock();
        }
    }

    public Stats stats() {
        lock.lock();
        try {
            return new Stats(queued, delivered, failed, dropped, retried, waiting.size());
        } finally {
            lock.unlock();
        }
    }

    /** Counters and a gauge under {@code sekisho_notifications_*}. */
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("sekisho.notifications", this, n -> n.stats().delivered()).tag("result", "delivered")
                .description("Notification deliveries by result").register(registry);
        FunctionCounter.builder("sekisho.notifications", this, n -> n.stats().failed()).tag("result", "failed")
                .description("Notification deliveries by result").register(registry);
        FunctionCounter.builder("sekisho.notifications", this, n -> n.stats().dropped()).tag("result", "dropped")
                .description("Notification deliveries by result").register(registry);
        FunctionCounter.builder("sekisho.notifications.retries", this, n -> n.stats().retried())
                .description("Notification attempts that failed temporarily and were rescheduled").register(registry);
        Gauge.builder("sekisho.notifications.waiting", this, n -> n.stats().waiting())
                .description("Notification deliveries waiting for their next attempt").register(registry);
    }

    /**
     * Stop: the attempt in progress gets a few seconds to finish; what still waits stays in the
     * outbox for the next start (or, without one, is lost and logged). Close it before the store.
     */
    @Override
    public void close() {
        Thread running;
        synchronized (this) {
            if (closed) return;
            closed = true;
            running = sender;
        }
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (running != null) {
            try {
                running.join(CLOSE_GRACE.toMillis());
                if (running.isAlive()) running.interrupt();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Destination d : destinations) {
            try {
                d.close();
            } catch (RuntimeException e) {
                LOG.warn("closing {}: {}", d.getClass().getSimpleName(), e.toString());
            }
        }
        Stats s = stats();
        if (s.waiting() > 0 && outbox.keeps()) {
            LOG.info("notifier stopped with {} deliveries still waiting; the next start sends them", s.waiting());
        } else if (s.waiting() > 0) {
            LOG.warn("notifier stopped with {} deliveries still waiting; they are not sent", s.waiting());
        }
    }
}
