package dev.sekisho.checks;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Recipients that rate limits let through at RCPT in mail transactions that have not ended yet, in memory.
 *
 * <p>A rate limit charges recipients at END-OF-MESSAGE, from the {@code recipient_count} that Postfix accepted, so that
 * a transaction abandoned before its data (RSET, QUIT, a lost connection) and a recipient Postfix refused after
 * Sekisho's answer cost nothing. Until then RCPT must know how many recipients of the same transaction it has let
 * through already: a limit of 100 refuses the 101st RCPT of one message, not only the next message. That running
 * count is what this holds, per transaction (Postfix's {@code instance} attribute), limit and key.
 *
 * <p>Memory is bounded. A transaction is forgotten when it ends, when it has been open longer than {@code maxAge}
 * (abandoned), or when more than {@code capacity} are open (the oldest go first). Forgetting loses only the running
 * count: RCPT then lets a few more recipients through, and END-OF-MESSAGE still charges what Postfix accepted.
 * One instance is shared by the engines of successive configurations, so a reload in the middle of a transaction
 * keeps its count. Thread-safe: transactions are spread over stripes, each guarded by its own lock.
 */
public final class TransactionRecipients {
    private static final int STRIPES = 16;

    private final Stripe[] stripes = new Stripe[STRIPES];
    private final long maxAgeMillis;
    private final LongAdder abandoned = new LongAdder();
    /** Limits that have seen an END-OF-MESSAGE, and limits already warned of never seeing one. */
    private final Set<String> endedLimits = ConcurrentHashMap.newKeySet();
    private final Set<String> warnedLimits = ConcurrentHashMap.newKeySet();
    private final Consumer<String> warnings;

    /**
     * @param capacity transactions held at most (at least {@value #STRIPES})
     * @param maxAge   a transaction open longer than this is taken as abandoned
     * @param warnings told once per limit when a transaction is abandoned with recipients under a limit that has never
     *                 seen an END-OF-MESSAGE: Postfix's end-of-data restrictions most likely do not ask Sekisho, so the
     *                 limit never counts anything
     */
    public TransactionRecipients(int capacity, Duration maxAge, Consumer<String> warnings) {
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
        List<String> neverEnded = List.of();
        synchronized (stripe) {
            Open open = stripe.open.get(transaction);
            if (open == null) {
                if (n <= 0) return;
                neverEnded = forgetOld(stripe, now - maxAgeMillis);
                open = new Open(now);
                stripe.open.put(transaction, open);
            }
            open.add(limit, key, n);
        }
        for (String unended : neverEnded) {
            if (warnedLimits.add(unended)) {
                warnings.accept("rate limit " + unended + " counts recipients at END-OF-MESSAGE, but no END-OF-MESSAGE request has "
                        + "come for it since start while transactions were let through at RCPT: add the policy check to Postfix's "
                        + "smtpd_end_of_data_restrictions, or this limit never counts anything");
            }
        }
    }

    /**
     * Forget the stripe's transactions opened before {@code openedBefore}, and the oldest beyond room for one more.
     *
     * @return the limits of forgotten transactions that have never seen an END-OF-MESSAGE and were not warned of yet
     */
    private List<String> forgetOld(Stripe stripe, long openedBefore) {
        List<String> neverEnded = List.of();
        Iterator<Open> oldestFirst = stripe.open.values().iterator();
        while (oldestFirst.hasNext()) {
            Open oldest = oldestFirst.next();
            if (oldest.openedAt >= openedBefore && stripe.open.size() < stripe.capacity) break;
            oldestFirst.remove();
            abandoned.increment();
            for (int i = 0; i < oldest.size; i++) {
                String limit = oldest.limits[i];
                if (!endedLimits.contains(limit) && !warnedLimits.contains(limit) && !neverEnded.contains(limit)) {
                    if (neverEnded.isEmpty()) neverEnded = new ArrayList<>(1);
                    neverEnded.add(limit);
                }
            }
        }
        return neverEnded;
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
        if (!endedLimits.contains(limit)) endedLimits.add(limit);
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
            int kept = 0;
            for (int i = 0; i < size; i++) {
                if (limits[i].equals(limit)) {
                    if (counts[i] > 0) found.put(keys[i], counts[i]);
                    if (remove) continue;
                }
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
            return Map.copyOf(found);
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
