package dev.sekisho.audit.site;

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
 *
 * <p>Seed 003 (2.5) delays mail only from sites whose problem lasts. A site broken only by silence (a
 * name server or MX that did not answer, {@link SiteVerdict#brokenBySilenceOnly()}) is therefore
 * first reported UNDETERMINED, with its reasons, and kept so until {@code confirmAfter} has passed
 * since the silence was first seen; the inspection after that calls it broken if it is still silent.
 * Any other verdict forgets the sighting. Time comes from the injected clock. Concurrent calls for one
 * name share one inspection.
 */
public final class SiteJudge {

    public record CachePolicy(Duration wellRunTtl, Duration brokenTtl, Duration confirmAfter, int maxEntries) {
        public static final CachePolicy DEFAULT = new CachePolicy(Duration.ofHours(6), Duration.ofHours(1), Duration.ofMinutes(30), 100_000);

        public CachePolicy {
            Objects.requireNonNull(wellRunTtl, "wellRunTtl");
            Objects.requireNonNull(brokenTtl, "brokenTtl");
            Objects.requireNonNull(confirmAfter, "confirmAfter");
            if (wellRunTtl.isNegative() || brokenTtl.isNegative() || confirmAfter.isNegative()) {
                throw new IllegalArgumentException("durations must not be negative, were " + wellRunTtl + ", " + brokenTtl + " and " + confirmAfter);
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
    /** When each name was first seen broken by silence alone, while it still is. */
    private final Map<String, Instant> silenceSince = new ConcurrentHashMap<>();

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
            SiteVerdict verdict = confirmed(key, inspector.inspect(key));
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

    /** The verdict, or, for silence not yet seen to last {@code confirmAfter}, the same held back as undetermined. */
    private SiteVerdict confirmed(String key, SiteVerdict verdict) {
        if (!verdict.brokenBySilenceOnly()) {
            if (verdict.judgement() != SiteVerdict.Judgement.UNDETERMINED) silenceSince.remove(key);
            return verdict;
        }
        if (silenceSince.size() >= policy.maxEntries()) silenceSince.clear(); // bounded; at worst a site is confirmed later
        Instant now = clock.instant();
        Instant since = silenceSince.computeIfAbsent(key, k -> now);
        Instant confirmAt = since.plus(policy.confirmAfter());
        if (!now.isBefore(confirmAt)) return verdict;
        return verdict.unconfirmed("not answering since " + since + ": counted as broken if still so at " + confirmAt);
    }

    private void remember(String key, SiteVerdict verdict) {
        Duration ttl = switch (verdict.judgement()) {
            case WELL_RUN -> policy.wellRunTtl();
            case BROKEN -> policy.brokenTtl();
            // held back until the silence may be confirmed; any other undetermined verdict (our resolver failed) is not kept
            case UNDETERMINED -> silenceSince.containsKey(key) && !verdict.reasons().isEmpty()
                    ? Duration.between(clock.instant(), silenceSince.get(key).plus(policy.confirmAfter())) : Duration.ZERO;
        };
        if (ttl.isNegative()) ttl = Duration.ZERO;
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
        return SiteInspector.asciiName(domainOrHost);
    }
}
