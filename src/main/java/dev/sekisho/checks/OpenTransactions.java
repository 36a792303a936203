package dev.sekisho.checks;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * What rate limits know of mail transactions between RCPT and END-OF-MESSAGE, in memory: the recipients each has
 * let through so far, and whether END-OF-MESSAGE requests come at all.
 *
 * <p>A rate limit charges at END-OF-MESSAGE, from the {@code recipient_count} that Postfix accepted, so that a
 * transaction abandoned before its data (RSET, QUIT, a lost connection) and a recipient Postfix refused after
 * Sekisho's answer cost nothing. Until then RCPT must know how many recipients of the same transaction it has let
 * through already: a limit of 100 refuses the 101st RCPT of one message, not only the next message. That running
 * count is what this holds, per transaction (Postfix's {@code instance} attribute), limit and key; a limit is named with
 * its service ("mx/per-client-ip"), so that a transaction asked about under two services keeps a count for each.
 *
 * <p>Memory is bounded. A transaction is forgotten when it ends, when it has been open longer than {@code maxAge}
 * (abandoned), or when more than {@code capacity} are open
 * (the oldest go first). Forgetting loses only the running count: RCPT then lets a few more recipients through, and
 * END-OF-MESSAGE still charges what Postfix accepted. One instance is shared by the engines of successive
 * configurations, so a reload in the middle of a transaction keeps its count. Thread-safe: transactions are spread
 * over stripes, each guarded by its own lock.
 *
 * <p>A limit that never sees END-OF-MESSAGE never counts anything, most likely because Postfix's
 * {@code smtpd_end_of_data_restrictions} do not ask Sekisho. Once a limit has let mail through at RCPT
 * {@value #LET_THROUGH_BEFORE_WARNING} times since start, and still does {@link #QUIET_BEFORE_WARNING} later, without one
 * END-OF-MESSAGE, a warning names it. (A busy server lets hundreds of recipients through in the seconds before the
 * first message's data is in; five minutes after that, some message's END-OF-MESSAGE has come if it is hooked.)
 */
public final class OpenTransactions {
    private static final int STRIPES = 16;
    /** RCPT requests a limit lets through, with no END-OF-MESSAGE for it since start, before a warning may name the limit. */
    static final int LET_THROUGH_BEFORE_WARNING = 100;
    /** How long mail must still be let through after that, with no END-OF-MESSAGE, before it does. */
    static final Duration QUIET_BEFORE_WARNING = Duration.ofMinutes(5);

    private final Stripe[] stripes = new Stripe[STRIPES];
    private final long maxAgeMillis;
    private final LongAdder abandoned = new LongAdder();
    /** Per limit ("service/limit") that has not seen END-OF-MESSAGE since start: how often RCPT let mail through, since when. */
    private final ConcurrentHashMap<String, LetThrough> letThroughWithoutEnd = new ConcurrentHashMap<>();
    /** Limits that have seen an END-OF-MESSAGE, and limits already warned of never seeing one. */
    private final Set<String> endedLimits = ConcurrentHashMap.newKeySet();
    private final Set<String> warnedLimits = ConcurrentHashMap.newKeySet();
    private final Consumer<String> warnings;

    /**
     * @param capacity transactions held at most (at least {@value #STRIPES})
     * @param maxAge   a transaction open longer than this is taken as abandoned
     * @param warnings told once per limit that lets mail through at RCPT but never sees END-OF-MESSAGE
     */
    public OpenTransactions(int capacity, Duration maxAge, Consumer<String> warnings) {
        if (capacity < STRIPES) throw new IllegalArgumentException("capacity must be at least " + STRIPES + ", was " + capacity);
        if (maxAge.isNegative() || maxAge.isZero()) throw new IllegalArgumentException("maxAge must be positive, was " + maxAge);
        for (int i = 0; i < STRIPES; i++) stripes[i] = new Stripe(capacity / STRIPES);
        this.maxAgeMillis = maxAge.toMillis();
        this.warnings = warnings;
    }

    /** Recipients let through so far under {@code limit} and {@code key} in {@code transaction}; 0 for one not held. */
    public long count(String transaction, String limit, String key) {
        if (transaction.isEmpty()) return 0;
        Stripe stripe = stripeOf(transaction);
        synchronized (stripe) {
            Open open = stripe.open.get(transaction);
            return open == null ? 0 : open.count(limit, key);
        }
    }

    /**
     * Add {@code n} recipients (negative to give them back) under {@code limit} and {@code key}, opening the transaction
     * at {@code at} when it is not held. A transaction without an id (a client that sends no {@code instance}) is not
     * held.
     */
    public void add(String transaction, String limit, String key, long n, Instant at) {
        if (transaction.isEmpty()) return;
        long now = at.toEpochMilli();
        Stripe stripe = stripeOf(transaction);
        int forgotten = 0;
        synchronized (stripe) {
            Open open = stripe.open.get(transaction);
            if (open == null) {
                if (n <= 0) return;
                forgotten = stripe.forgetOld(now - maxAgeMillis);
                open = new Open(now);
                stripe.open.put(transaction, open);
            }
            open.add(limit, key, n);
        }
        if (forgotten > 0) abandoned.add(forgotten);
    }

    /**
     * A limit of {@code service} let mail through at RCPT, at {@code at}. Once that has happened
     * {@value #LET_THROUGH_BEFORE_WARNING} times since start, and mail is still let through at least
     * {@link #QUIET_BEFORE_WARNING} after the time it did, with no END-OF-MESSAGE for the limit
     * ({@link #endOfMessageCame}) in between, a warning names it, once.
     */
    public void letThroughAtRcpt(String service, String limit, Instant at) {
        String id = service + "/" + limit;
        if (endedLimits.contains(id) || warnedLimits.contains(id)) return;
        long now = at.toEpochMilli();
        LetThrough seen = letThroughWithoutEnd.computeIfAbsent(id, k -> new LetThrough());
        seen.count.increment();
        long count = seen.count.sum();
        if (count < LET_THROUGH_BEFORE_WARNING) return;
        // From the moment the count is reached, not from the first let-through: one abandoned transaction at midnight and
        // a burst in the morning before its first message's data is in must not add up to five quiet minutes.
        seen.reachedAt.compareAndSet(NOT_YET, now);
        long quietFor = now - seen.reachedAt.get();
        if (quietFor >= QUIET_BEFORE_WARNING.toMillis() && !endedLimits.contains(id) && warnedLimits.add(id)) {
            warnings.accept("rate limit " + limit + " of service " + service + " has let mail through at RCPT " + count
                    + " times since start, and for " + quietFor / 60_000 + " minutes since the " + LET_THROUGH_BEFORE_WARNING
                    + "th, without one END-OF-MESSAGE request: it charges at END-OF-MESSAGE, so until Postfix's "
                    + "smtpd_end_of_data_restrictions ask Sekisho (policy_context=" + service + ") it counts nothing");
        }
    }

    private static final long NOT_YET = Long.MIN_VALUE;

    /** How often a limit has let mail through at RCPT without an END-OF-MESSAGE, and when that reached the threshold. */
    private record LetThrough(LongAdder count, AtomicLong reachedAt) {
        LetThrough() {
            this(new LongAdder(), new AtomicLong(NOT_YET));
        }
    }

    /** An END-OF-MESSAGE request reached a limit of {@code service}: it is hooked, and nothing needs saying. */
    public void endOfMessageCame(String service, String limit) {
        String id = service + "/" + limit;
        if (endedLimits.add(id)) letThroughWithoutEnd.remove(id);
    }

    /** The keys under {@code limit} in {@code transaction} with their recipients, as an immutable map; changes nothing. */
    public Map<String, Long> counts(String transaction, String limit) {
        if (transaction.isEmpty()) return Map.of();
        Stripe stripe = stripeOf(transaction);
        synchronized (stripe) {
            Open open = stripe.open.get(transaction);
            return open == null ? Map.of() : open.counts(limit, false);
        }
    }

    /**
     * The transaction has ended (END-OF-MESSAGE) for {@code limit}: its keys under that limit, with their recipients, as
     * an immutable map; they are forgotten, and so is the transaction once no limit holds anything in it.
     */
    public Map<String, Long> end(String transaction, String limit) {
        if (transaction.isEmpty()) return Map.of();
        Stripe stripe = stripeOf(transaction);
        synchronized (stripe) {
            Open open = stripe.open.get(transaction);
            if (open == null) return Map.of();
            Map<String, Long> counts = open.counts(limit, true);
            if (open.isEmpty()) stripe.open.remove(transaction);
            return counts;
        }
    }

    /**
     * The transaction is over for {@code service} (its END-OF-MESSAGE has been answered there): whatever the service's
     * limits (named "service/limit") still hold of it is forgotten, such as the running count of a limit that an earlier
     * check's refusal kept from seeing the END-OF-MESSAGE. Another service asked about the same transaction keeps its own.
     */
    public void endAll(String transaction, String service) {
        if (transaction.isEmpty()) return;
        String prefix = service + "/";
        Stripe stripe = stripeOf(transaction);
        synchronized (stripe) {
            Open open = stripe.open.get(transaction);
            if (open == null) return;
            open.removeLimits(limit -> limit.startsWith(prefix));
            if (open.isEmpty()) stripe.open.remove(transaction);
        }
    }

    /** Transactions held now. */
    public int open() {
        int n = 0;
        for (Stripe stripe : stripes) {
            synchronized (stripe) {
                n += stripe.open.size();
            }
        }
        return n;
    }

    /** Transactions forgotten without their END-OF-MESSAGE since start. */
    public long abandoned() {
        return abandoned.sum();
    }

    private Stripe stripeOf(String transaction) {
        return stripes[(transaction.hashCode() & 0x7fffffff) % STRIPES];
    }

    /** Transactions in the order they opened, which is also the order of their age. */
    private static final class Stripe {
        final LinkedHashMap<String, Open> open = new LinkedHashMap<>();
        final int capacity;

        Stripe(int capacity) {
            this.capacity = capacity;
        }

        /** Forget transactions opened before {@code openedBefore}, and the oldest beyond room for one more; how many went. */
        int forgetOld(long openedBefore) {
            int forgotten = 0;
            Iterator<Open> oldestFirst = open.values().iterator();
            while (oldestFirst.hasNext()) {
                Open oldest = oldestFirst.next();
                if (oldest.openedAt >= openedBefore && open.size() < capacity) break;
                oldestFirst.remove();
                forgotten++;
            }
            return forgotten;
        }
    }

    /** One open transaction: (limit, key) pairs with their recipients; usually one or two pairs. */
    private static final class Open {
        final long openedAt;
        String[] limits = new String[2];
        String[] keys = new String[2];
        long[] counts = new long[2];
        int size;

        Open(long openedAt) {
            this.openedAt = openedAt;
        }

        long count(String limit, String key) {
            int i = indexOf(limit, key);
            return i < 0 ? 0 : counts[i];
        }

        void add(String limit, String key, long n) {
            int i = indexOf(limit, key);
            if (i < 0) {
                if (n <= 0) return;
                if (size == limits.length) {
                    limits = Arrays.copyOf(limits, size * 2);
                    keys = Arrays.copyOf(keys, size * 2);
                    counts = Arrays.copyOf(counts, size * 2);
                }
                i = size++;
                limits[i] = limit;
                keys[i] = key;
            }
            counts[i] = Math.max(0, counts[i] + n);
        }

        Map<String, Long> counts(String limit, boolean remove) {
            Map<String, Long> found = new LinkedHashMap<>();
            for (int i = 0; i < size; i++) {
                if (limits[i].equals(limit) && counts[i] > 0) found.put(keys[i], counts[i]);
            }
            if (remove) removeLimits(limit::equals);
            return Map.copyOf(found);
        }

        /** Drops the pairs whose limit {@code which} accepts, keeping the others in order. */
        void removeLimits(Predicate<String> which) {
            int kept = 0;
            for (int i = 0; i < size; i++) {
                if (which.test(limits[i])) continue;
                limits[kept] = limits[i];
                keys[kept] = keys[i];
                counts[kept] = counts[i];
                kept++;
            }
            for (int i = kept; i < size; i++) {
                limits[i] = null;
                keys[i] = null;
            }
            size = kept;
        }

        boolean isEmpty() {
            return size == 0;
        }

        private int indexOf(String limit, String key) {
            for (int i = 0; i < size; i++) {
                if (limits[i].equals(limit) && keys[i].equals(key)) return i;
            }
            return -1;
        }
    }
}
