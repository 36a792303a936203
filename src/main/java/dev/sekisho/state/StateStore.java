package dev.sekisho.state;

import dev.sekisho.engine.Restriction;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What real-time checks count and remember: rate windows, greylist triplets, sliding-window tallies
 * (failure counters, distinct sets, offence counts), restrictions.
 *
 * <p>Every operation that decides is one atomic call (a Redis implementation does each in one Lua
 * round trip); there is no get-then-set for callers to race on. Time always comes from the
 * caller, never from the store's own clock, so that a fleet agrees and tests can move it.
 *
 * <p>Implementations: {@code memory} (embedded, persisted to a data directory). All pass
 * {@code StateStoreContract}.
 */
public interface StateStore extends AutoCloseable {

    /**
     * Generic cell rate algorithm over every window of one limit for one key, atomically: the
     * request is charged in all windows if every window allows it, and in none otherwise.
     * With {@code request.dryRun()} nothing is charged.
     */
    RateOutcome rate(RateRequest request);

    /** Undo a charge made by {@link #rate} with the same request (the mail was refused later). */
    void refund(RateRequest request);

    /** Look up, create or advance a greylist triplet, atomically. */
    GreylistOutcome greylist(GreylistRequest request);

    /**
     * Add to a sliding-window tally and count it, atomically: members not seen for the window are
     * dropped first, then the member (or event) is added, then the least recently seen are dropped
     * down to the cap. With {@code request.dryRun()} nothing changes. (In Redis: one sorted set
     * per key scored by time, an event given a unique member; trimmed, added, counted and listed
     * in one script.)
     */
    TallyOutcome tally(TallyRequest request);

    /** Drop a tally at once (a successful login clears the account's failures); nothing when there is none. */
    void forget(String key);

    /**
     * Change some fields of a small record kept under {@code key} (per-account settings), atomically, and return
     * the whole record as it is afterwards. A field given an empty value is removed; a record left without
     * fields is removed. Records never expire and are not evicted: they hold what an operator set. (In Redis:
     * HSET and HDEL then HGETALL of one hash in one script.)
     */
    Map<String, String> putFields(String key, Map<String, String> fields);

    /** The fields of the record under {@code key}, as an immutable map; empty when there is none. */
    Map<String, String> fields(String key);

    /**
     * Put {@code entry} at the head of a bounded list (recent logins of an account), dropping the oldest entries
     * beyond {@code cap}, atomically. The whole list expires {@code keepFor} after {@code at}: each push moves the
     * expiry of the list later to that of its newest entry (never earlier: a push whose time lags keeps the later
     * expiry), and a list that had expired by {@code at} starts afresh. Lists count toward the store's capacity and
     * are evicted like the other expiring keys. (In Redis: LPUSH, LTRIM 0 cap-1 and PEXPIREAT at+keepFor GT in one
     * MULTI.)
     *
     * @param keepFor positive
     */
    void push(String key, String entry, int cap, Instant at, Duration keepFor);

    /**
     * The entries of the list under {@code key} as they stand at {@code at}, newest first, as an immutable list;
     * empty when there is none or it had expired by then.
     */
    List<String> recent(String key, Instant at);

    /** Store a new restriction, or replace one with the same id. */
    void impose(Restriction restriction);

    /** Lift a restriction early; empty when there is no restriction with that id or it already ended. */
    Optional<Restriction> lift(String id, Instant at, String by);

    /**
     * All restrictions the store still holds (active, and ended ones until they are purged), as an
     * immutable list. The same list instance is returned until something changes, so callers may
     * cache what they derive from it by identity.
     */
    List<Restriction> restrictions();

    /**
     * Make every change so far, by any thread, survive a crash of this process. Callers flush once before they
     * acknowledge (the policy server once per batch of requests, before it sends their answers), so that the changes
     * of many requests share one write; a change nobody flushed is made durable within the store's own interval (a
     * second by default). {@link #impose}, {@link #lift} and {@link #putFields} flush by themselves. Inside
     * {@link #atomically} the flush happens when the unit ends, after the unit's changes.
     *
     * @throws java.io.UncheckedIOException when the changes cannot be written; they stay pending for the next flush
     */
    void flush();

    /**
     * Runs {@code work} so that the durable effects of the store calls it makes (on this thread) are kept together:
     * after a crash, a restart holds all of them or none. A log tail counts a line and saves its position after it in
     * one unit, so that the line is counted exactly once, also across a crash. Calls inside work see each other's
     * effects at once, as outside; so do other threads (a unit isolates nothing, it only makes the changes durable
     * together). A call nested inside another's work joins the outer unit. When work throws, the effects of the calls
     * it made stay (in memory and durably) and the exception is passed on. Keep work short and free of I/O: units may
     * run one at a time.
     *
     * <p>For the promise to hold, the keys a unit writes should be written only inside units: a write outside one
     * can order itself between a unit's change and the unit's end (see the implementation's notes).
     *
     * @return what work returned
     */
    <T> T atomically(Supplier<T> work);

    /** Counts for health and metrics. */
    Stats stats();

    /** Persist what is pending and release resources. */
    @Override
    void close();

    /** @param keys counters, triplets, tallies and lists held (not records of fields); @param capacity the configured cap */
    record Stats(long keys, long capacity) {
    }
}
