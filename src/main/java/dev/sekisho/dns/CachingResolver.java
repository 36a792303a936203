package dev.sekisho.dns;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps answers for their TTL and negative answers (no data, no such domain) for their negative TTL
 * (RFC 2308 5), measured on an injected clock. Temporary failures are never cached: the next lookup
 * asks again. Concurrent lookups of the same name and type share one query. A cached outcome is
 * returned with the TTL that remains, so a cached "no data" is the same {@link DnsOutcome.NoData} the
 * network gave, only younger.
 */
public final class CachingResolver implements DnsResolver {
    public static final Duration DEFAULT_MAX_TTL = Duration.ofDays(1);
    public static final int DEFAULT_MAX_ENTRIES = 100_000;

    private record Key(String name, RecordType type) {
    }

    private record Entry(DnsOutcome outcome, Instant stored, Instant expires) {
    }

    private final DnsResolver network;
    private final InstantSource clock;
    private final Duration maxTtl;
    private final int maxEntries;
    private final Map<Key, Entry> entries = new ConcurrentHashMap<>();
    private final Map<Key, CompletableFuture<DnsOutcome>> pending = new ConcurrentHashMap<>();

    public CachingResolver(DnsResolver network, InstantSource clock) {
        this(network, clock, DEFAULT_MAX_TTL, DEFAULT_MAX_ENTRIES);
    }

    /** {@code maxTtl} caps how long anything is kept whatever its TTL says; {@code maxEntries} bounds the memory. */
    public CachingResolver(DnsResolver network, InstantSource clock, Duration maxTtl, int maxEntries) {
        this.network = Objects.requireNonNull(network, "network");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (maxTtl.isNegative()) throw new IllegalArgumentException("maxTtl must not be negative, was " + maxTtl);
        if (maxEntries < 1) throw new IllegalArgumentException("maxEntries must be at least 1, was " + maxEntries);
        this.maxTtl = maxTtl;
        this.maxEntries = maxEntries;
    }

    @Override
    public DnsOutcome lookup(String name, RecordType type) {
        DnsNames.problem(name).ifPresent(p -> {
            throw new IllegalArgumentException("not a domain name: " + p);
        });
        String asked = DnsNames.withoutFinalDot(name);
        Key key = new Key(asked.toLowerCase(Locale.ROOT), type);
        Instant now = clock.instant();
        Entry entry = entries.get(key);
        if (entry != null) {
            if (now.isBefore(entry.expires())) return aged(entry, now, asked);
            entries.remove(key, entry);
        }
        CompletableFuture<DnsOutcome> mine = new CompletableFuture<>();
        CompletableFuture<DnsOutcome> running = pending.putIfAbsent(key, mine);
        if (running != null) return renamed(running.join(), asked);
        try {
            DnsOutcome outcome = network.lookup(asked, type);
            store(key, outcome, clock.instant());
            mine.complete(outcome);
            return outcome;
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            pending.remove(key, mine);
        }
    }

    /** How many outcomes are kept now (expired ones included until they are next asked for or evicted). */
    public int size() {
        return entries.size();
    }

    private void store(Key key, DnsOutcome outcome, Instant now) {
        Duration ttl = switch (outcome) {
            case DnsOutcome.Answer a -> a.ttl();
            case DnsOutcome.NoData n -> n.negativeTtl();
            case DnsOutcome.NoSuchDomain n -> n.negativeTtl();
            case DnsOutcome.ServerFailure f -> Duration.ZERO;
            case DnsOutcome.Timeout t -> Duration.ZERO;
        };
        if (ttl.compareTo(maxTtl) > 0) ttl = maxTtl;
        if (ttl.isZero() || ttl.isNegative()) return;
        if (entries.size() >= maxEntries) evict(now);
        entries.put(key, new Entry(outcome, now, now.plus(ttl)));
    }

    /** Drops expired entries, and if that is not enough, arbitrary ones: a cache miss costs a query, not correctness. */
    private void evict(Instant now) {
        entries.values().removeIf(e -> !now.isBefore(e.expires()));
        Iterator<Key> keys = entries.keySet().iterator();
        int toDrop = entries.size() - maxEntries + Math.max(1, maxEntries / 10);
        while (toDrop-- > 0 && keys.hasNext()) {
            keys.next();
            keys.remove();
        }
    }

    private static DnsOutcome aged(Entry entry, Instant now, String asked) {
        Duration age = Duration.between(entry.stored(), now);
        DnsOutcome outcome = switch (entry.outcome()) {
            case DnsOutcome.Answer a -> new DnsOutcome.Answer(a.name(), a.type(), a.records(), a.ttl().minus(age), a.canonicalName(),
                    a.cnameChain());
            case DnsOutcome.NoData n -> new DnsOutcome.NoData(n.name(), n.type(), n.negativeTtl().minus(age));
            case DnsOutcome.NoSuchDomain n -> new DnsOutcome.NoSuchDomain(n.name(), n.type(), n.negativeTtl().minus(age));
            case DnsOutcome other -> other;
        };
        return renamed(outcome, asked);
    }

    /** The outcome as the caller spelled the name (the cache key ignores case, RFC 4343). */
    private static DnsOutcome renamed(DnsOutcome outcome, String asked) {
        if (outcome.name().equals(asked)) return outcome;
        return switch (outcome) {
            case DnsOutcome.Answer a -> new DnsOutcome.Answer(asked, a.type(), a.records(), a.ttl(), a.canonicalName(), a.cnameChain());
            case DnsOutcome.NoData n -> new DnsOutcome.NoData(asked, n.type(), n.negativeTtl());
            case DnsOutcome.NoSuchDomain n -> new DnsOutcome.NoSuchDomain(asked, n.type(), n.negativeTtl());
            case DnsOutcome.ServerFailure f -> new DnsOutcome.ServerFailure(asked, f.type(), f.reason());
            case DnsOutcome.Timeout t -> new DnsOutcome.Timeout(asked, t.type(), t.waited());
        };
    }
}
