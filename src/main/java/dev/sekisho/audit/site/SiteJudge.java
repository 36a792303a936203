package dev.sekisho.audit.site;

import dev.sekisho.dns.DnsNames;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The engine's view of sender site health: a cached verdict per sender domain and per sending host
 * name (the client's verified reverse name or HELO; {@link SiteInspector} finds the zone a host name
 * is in), so a later check can delay mail from broken sites without inspecting them on every message.
 *
 * <p>Cache rules: a well-run verdict is kept {@code wellRunTtl}; a broken one the shorter
 * {@code brokenTtl}, so a site that mends its ways is let through again soon; an undetermined verdict
 * (our resolver failed, temporary by nature) is never cached, so it is never read later as "broken".
 * Time comes from the injected clock. Concurrent calls for one name share one inspection.
 */
public final class SiteJudge {

    public record CachePolicy(Duration wellRunTtl, Duration brokenTtl, int maxEntries) {
        public static final CachePolicy DEFAULT = new CachePolicy(Duration.ofHours(6), Duration.ofHours(1), 100_000);

        public CachePolicy {
            Objects.requireNonNull(wellRunTtl, "wellRunTtl");
            Objects.requireNonNull(brokenTtl, "brokenTtl");
            if (wellRunTtl.isNegative() || brokenTtl.isNegative()) {
                throw new IllegalArgumentException("TTLs must not be negative, were " + wellRunTtl + " and " + brokenTtl);
            }
            if (brokenTtl.compareTo(wellRunTtl) > 0) {
                throw new IllegalArgumentException("a broken verdict is kept no longer than a well-run one: brokenTtl " + brokenTtl
                        + " > wellRunTtl " + wellRunTtl);
            }
            if (maxEntries < 1) throw new IllegalArgumentException("maxEntries must be at least 1, was " + maxEntries);
        }
    }

    private record Entry(SiteVerdict verdict, Instant expires) {
    }

    private final SiteInspector inspector;
    private final InstantSource clock;
    private final CachePolicy policy;
    private final Map<String, Entry> cache = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<SiteVerdict>> inFlight = new ConcurrentHashMap<>();

    public SiteJudge(SiteInspector inspector, InstantSource clock, CachePolicy policy) {
        this.inspector = Objects.requireNonNull(inspector, "inspector");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /** The verdict on a sender domain or sending host name: from the cache while fresh, else a new inspection (blocking, bounded by the inspector's deadlines). */
    public SiteVerdict judge(String domainOrHost) {
        String key = key(domainOrHost);
        Optional<SiteVerdict> fresh = cached(key);
        if (fresh.isPresent()) return fresh.get();
        CompletableFuture<SiteVerdict> mine = new CompletableFuture<>();
        CompletableFuture<SiteVerdict> running = inFlight.putIfAbsent(key, mine);
        if (running != null) return running.join();
        try {
            SiteVerdict verdict = inspector.inspect(key);
            remember(key, verdict);
            mine.complete(verdict);
            return verdict;
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(key, mine);
        }
    }

    /** The cached verdict if it is still fresh; never inspects, never blocks (for the hot path). */
    public Optional<SiteVerdict> cached(String domainOrHost) {
        String key = key(domainOrHost);
        Entry entry = cache.get(key);
        if (entry == null) return Optional.empty();
        if (!clock.instant().isBefore(entry.expires())) {
            cache.remove(key, entry);
            return Optional.empty();
        }
        return Optional.of(entry.verdict());
    }

    /** Verdicts held now (fresh or not yet swept). */
    public int size() {
        return cache.size();
    }

    private void remember(String key, SiteVerdict verdict) {
        Duration ttl = switch (verdict.judgement()) {
            case WELL_RUN -> policy.wellRunTtl();
            case BROKEN -> policy.brokenTtl();
            case UNDETERMINED -> Duration.ZERO; // a temporary failure is not a judgement: ask again next time
        };
        if (ttl.isZero()) return;
        if (cache.size() >= policy.maxEntries()) sweep();
        if (cache.size() >= policy.maxEntries()) return; // still full of fresh verdicts: judge without remembering
        cache.put(key, new Entry(verdict, clock.instant().plus(ttl)));
    }

    private void sweep() {
        Instant now = clock.instant();
        cache.entrySet().removeIf(e -> !now.isBefore(e.getValue().expires()));
    }

    private static String key(String domainOrHost) {
        return DnsNames.canonical(domainOrHost.trim());
    }
}
