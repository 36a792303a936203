package dev.sekisho.notify;

import dev.sekisho.engine.Restriction;
import dev.sekisho.state.GreylistOutcome;
import dev.sekisho.state.GreylistRequest;
import dev.sekisho.state.RateOutcome;
import dev.sekisho.state.RateRequest;
import dev.sekisho.state.StateStore;
import dev.sekisho.state.TallyOutcome;
import dev.sekisho.state.TallyRequest;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A {@link StateStore} that forwards everything and, once a restriction with a new id has been
 * stored, tells a listener (the {@link Notifier}). Re-imposing an id the store already holds
 * (extending or correcting a restriction) tells nobody; neither does an impose that failed.
 * Whoever imposes (a check, the admin API, a lockout) needs to know nothing of notification.
 *
 * <p>Every impose runs in an atomic unit ({@link #atomically}, or one of its own): {@code onImposed} hears of a new
 * restriction inside that unit, so that what it records in the store (the notifier's outbox) is kept with the
 * restriction, all or none; {@code onNew} hears of it once the outermost unit is over and the restriction durable.
 *
 * <p>Closing it closes the notifier it was given to own, then the store: the notifier keeps what still waits in
 * the store's outbox, and a restriction imposed meanwhile still reaches that outbox.
 */
public final class NotifyingStateStore implements StateStore {
    private final StateStore delegate;
    private final Consumer<Restriction> onImposed;
    private final Consumer<Restriction> onNew;
    private final AutoCloseable owned;
    /** On a thread running an atomic unit: the new restrictions to tell of once the unit is over. */
    private final ThreadLocal<List<Restriction>> deferred = new ThreadLocal<>();

    public NotifyingStateStore(StateStore delegate, Consumer<Restriction> onNew, AutoCloseable owned) {
        this(delegate, r -> {
        }, onNew, owned);
    }

    /**
     * @param onImposed told of a new restriction inside the unit that imposes it (may write to the store)
     * @param onNew     told of it once that unit is over
     */
    public NotifyingStateStore(StateStore delegate, Consumer<Restriction> onImposed, Consumer<Restriction> onNew, AutoCloseable owned) {
        this.delegate = delegate;
        this.onImposed = onImposed;
        this.onNew = onNew;
        this.owned = owned;
    }

    /** Wrap {@code store} so that {@code notifier} hears of new restrictions; the notifier is closed with the store. */
    public static StateStore wrap(StateStore store, Notifier notifier) {
        return notifier.sendsAnything() ? new NotifyingStateStore(store, notifier::note, notifier::send, notifier) : store;
    }

    @Override
    public RateOutcome rate(RateRequest request) {
        return delegate.rate(request);
    }

    @Override
    public void refund(RateRequest request) {
        delegate.refund(request);
    }

    @Override
    public GreylistOutcome greylist(GreylistRequest request) {
        return delegate.greylist(request);
    }

    @Override
    public TallyOutcome tally(TallyRequest request) {
        return delegate.tally(request);
    }

    @Override
    public void forget(String key) {
        delegate.forget(key);
    }

    @Override
    public Map<String, String> putFields(String key, Map<String, String> fields) {
        return delegate.putFields(key, fields);
    }

    @Override
    public Map<String, String> fields(String key) {
        return delegate.fields(key);
    }

    @Override
    public void push(String key, String entry, int cap, Instant at, Duration keepFor) {
        delegate.push(key, entry, cap, at, keepFor);
    }

    @Override
    public List<String> recent(String key, Instant at) {
        return delegate.recent(key, at);
    }

    @Override
    public void impose(Restriction restriction) {
        if (deferred.get() == null) { // a unit of its own, so that the listener's note is kept with the restriction
            atomically(() -> {
                impose(restriction);
                return null;
            });
            return;
        }
        boolean isNew;
        // Serialised so that two concurrent imposes of one new id notify once. Imposing is rare
        // (a restriction, not a request), so this lock is never on the hot path.
        synchronized (this) {
            isNew = delegate.restrictions().stream().noneMatch(r -> r.id().equals(restriction.id()));
            delegate.impose(restriction); // throws: nobody is told about what was not stored
        }
        if (!isNew || restriction.liftedAt() != null) return;
        onImposed.accept(restriction);
        deferred.get().add(restriction);
    }

    /**
     * Passed through, so the unit's impositions go through {@link #impose} above: {@code onImposed} hears of a new
     * restriction inside the unit, {@code onNew} once, after the outermost unit is over (durable by then), not while
     * it may still be undone by a crash.
     */
    @Override
    public <T> T atomically(Supplier<T> work) {
        if (deferred.get() != null) return delegate.atomically(work); // nested: joins the outer unit and its list
        List<Restriction> imposed = new ArrayList<>();
        try {
            return delegate.atomically(() -> {
                deferred.set(imposed);
                try {
                    return work.get();
                } finally {
                    deferred.remove();
                }
            });
        } finally {
            // A unit that threw still kept what it imposed (see StateStore.atomically): tell of it too.
            for (Restriction r : imposed) onNew.accept(r);
        }
    }

    @Override
    public Optional<Restriction> lift(String id, Instant at, String by) {
        return delegate.lift(id, at, by);
    }

    @Override
    public List<Restriction> restrictions() {
        return delegate.restrictions();
    }

    @Override
    public void flush() {
        delegate.flush();
    }

    @Override
    public Stats stats() {
        return delegate.stats();
    }

    @Override
    public void close() {
        try {
            owned.close();
        } catch (Exception e) {
            org.slf4j.LoggerFactory.getLogger(NotifyingStateStore.class).warn("closing the notifier: {}", e.toString());
        } finally {
            delegate.close();
        }
    }
}
