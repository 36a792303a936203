package dev.sekisho.reports.enrichment;

import dev.sekisho.audit.BoundedConcurrency;
import dev.sekisho.dmarc.PublicSuffixList;
import dev.sekisho.geo.GeoIp;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * Enriches the sources of stored aggregate records: asks the store which addresses are due, looks them up on virtual
 * threads (at most {@code concurrency} addresses at once, each DNS lookup bounded by the resolver's deadline), and saves
 * the results in chunks, so a run that is stopped keeps what it did. A run has a time budget: addresses not started
 * when it is spent are left for the next run, so enrichment never holds up the end of an import for long.
 */
public final class SourceEnricher {
    /** Addresses looked up and saved together. */
    static final int CHUNK = 500;

    /**
     * @param parts       what to look up; a part that cannot be looked up (no resolver, no database) is left out by the caller
     * @param maxAge      how long a result is kept before it is looked up again
     * @param budget      how long one run may start new lookups
     * @param concurrency addresses looked up at once
     */
    public record Settings(Set<EnrichmentPart> parts, Duration maxAge, Duration budget, int concurrency) {
        public static final Duration DEFAULT_MAX_AGE = Duration.ofDays(7);
        public static final Duration DEFAULT_BUDGET = Duration.ofMinutes(2);
        public static final int DEFAULT_CONCURRENCY = 32;

        public Settings {
            parts = Set.copyOf(parts);
            Objects.requireNonNull(maxAge, "maxAge");
            Objects.requireNonNull(budget, "budget");
            if (maxAge.isNegative()) throw new IllegalArgumentException("maxAge must not be negative, was " + maxAge);
            if (budget.isNegative()) throw new IllegalArgumentException("budget must not be negative, was " + budget);
            if (concurrency < 1) throw new IllegalArgumentException("concurrency must be at least 1, was " + concurrency);
        }
    }

    private final Optional<ReverseDnsLookup> reverseDns;
    private final GeoIp geo;
    private final PublicSuffixList suffixes;
    private final InstantSource clock;

    /**
     * @param reverseDns the reverse DNS lookup; empty when DNS cannot be asked (the DNS part is then skipped)
     * @param geo        the GeoIP databases; the geo part is skipped when it has none
     * @param suffixes   for the base domain of a confirmed name; its ICANN section is used, so a name under a cloud
     *                   provider's private suffix (compute.amazonaws.com) has the provider's domain as its base
     */
    public SourceEnricher(Optional<ReverseDnsLookup> reverseDns, GeoIp geo, PublicSuffixList suffixes, InstantSource clock) {
        this.reverseDns = Objects.requireNonNull(reverseDns, "reverseDns");
        this.geo = Objects.requireNonNull(geo, "geo");
        this.suffixes = Objects.requireNonNull(suffixes, "suffixes").icannOnly();
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The parts of {@code wanted} this enricher can look up. */
    public Set<EnrichmentPart> usable(Set<EnrichmentPart> wanted) {
        EnumSet<EnrichmentPart> parts = EnumSet.noneOf(EnrichmentPart.class);
        if (wanted.contains(EnrichmentPart.DNS) && reverseDns.isPresent()) parts.add(EnrichmentPart.DNS);
        if (wanted.contains(EnrichmentPart.GEO) && geo.hasDatabase()) parts.add(EnrichmentPart.GEO);
        return parts;
    }

    /**
     * Enriches every due source in the store.
     *
     * @param progress called with the number of addresses done so far
     */
    public EnrichmentTally enrich(EnrichmentStore store, Settings settings, IntConsumer progress) {
        Set<EnrichmentPart> parts = usable(settings.parts());
        if (parts.isEmpty()) return EnrichmentTally.nothing();
        Instant start = clock.instant();
        Instant stopStarting = start.plus(settings.budget());
        List<String> due = store.sourcesDue(parts, start.minus(settings.maxAge()));
        BoundedConcurrency threads = new BoundedConcurrency(settings.concurrency());
        Map<String, Integer> outcomes = new LinkedHashMap<>();
        for (String word : List.of("confirmed", "unconfirmed", "no-ptr", "unknown")) outcomes.put(word, 0);
        int enriched = 0, outOfTime = 0, geoFound = 0, geoMissing = 0;
        for (int from = 0; from < due.size(); from += CHUNK) {
            List<String> chunk = due.subList(from, Math.min(due.size(), from + CHUNK));
            int before = from;
            List<Optional<SourceEnrichment>> results = threads.run(chunk,
                    ip -> clock.instant().isAfter(stopStarting) ? Optional.empty() : Optional.of(enrichOne(ip, parts)),
                    (ip, e) -> Optional.of(failed(ip, parts, e)),
                    done -> progress.accept(before + done));
            List<SourceEnrichment> found = new ArrayList<>();
            for (Optional<SourceEnrichment> result : results) {
                if (result.isEmpty()) {
                    outOfTime++;
                    continue;
                }
                SourceEnrichment e = result.get();
                found.add(e);
                e.dns().ifPresent(d -> outcomes.merge(d.reverseDns().word(), 1, Integer::sum));
                if (e.geo().isPresent()) {
                    if (e.geo().get().answer().found()) geoFound++;
                    else geoMissing++;
                }
            }
            store.save(found);
            enriched += found.size();
        }
        if (!parts.contains(EnrichmentPart.DNS)) outcomes.clear();
        return new EnrichmentTally(due.size(), enriched, outOfTime, outcomes, geoFound, geoMissing);
    }

    /** Looks up the parts for one address now. */
    public SourceEnrichment enrichOne(String ip, Set<EnrichmentPart> parts) {
        InetAddress address = address(ip);
        Optional<SourceEnrichment.Dns> dns = Optional.empty();
        if (parts.contains(EnrichmentPart.DNS) && reverseDns.isPresent()) {
            ReverseDns outcome = reverseDns.get().lookup(address);
            dns = Optional.of(new SourceEnrichment.Dns(outcome, baseDomain(outcome), clock.instant()));
        }
        Optional<SourceEnrichment.Geo> geoPart = Optional.empty();
        if (parts.contains(EnrichmentPart.GEO) && geo.hasDatabase()) {
            geoPart = Optional.of(new SourceEnrichment.Geo(geo.lookup(address), clock.instant()));
        }
        return new SourceEnrichment(ip, dns, geoPart);
    }

    private Optional<String> baseDomain(ReverseDns outcome) {
        if (!(outcome instanceof ReverseDns.Confirmed confirmed)) return Optional.empty();
        try {
            return Optional.of(suffixes.organizationalDomain(confirmed.name()));
        } catch (IllegalArgumentException notADomain) {
            return Optional.empty();
        }
    }

    /** An address whose lookup broke unexpectedly: its DNS part is unknown (asked again next run), its geo part left out. */
    private SourceEnrichment failed(String ip, Set<EnrichmentPart> parts, RuntimeException e) {
        Optional<SourceEnrichment.Dns> dns = parts.contains(EnrichmentPart.DNS)
                ? Optional.of(new SourceEnrichment.Dns(new ReverseDns.Unknown("lookup failed: " + e), Optional.empty(), clock.instant()))
                : Optional.empty();
        return new SourceEnrichment(ip, dns, Optional.empty());
    }

    /** A stored address back to an InetAddress, without DNS. */
    static InetAddress address(String ip) {
        IPAddress parsed = new IPAddressString(ip).getAddress();
        if (parsed == null || parsed.isPrefixed()) throw new IllegalArgumentException("not an IP address: '" + ip + "'");
        return parsed.toInetAddress();
    }
}
