package dev.sekisho.dmarc;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The DMARCbis DNS tree walk (RFC 9989 4.10): _dmarc at a domain, then up towards the root, at
 * most eight queries, stopping at a record with psd=y or psd=n.
 *
 * <p>Tests drive it with an in-memory {@link TxtLookup}; the path through the real resolver is
 * covered once the resolver is wired to the seam, against the in-process DNS server.
 */
public final class TreeWalk {
    /** RFC 9989 4.10: names of more than eight labels do not cause more than eight queries. */
    public static final int MAX_QUERIES = 8;

    private final TxtLookup lookup;

    public TreeWalk(TxtLookup lookup) {
        this.lookup = Objects.requireNonNull(lookup, "lookup");
    }

    /** A DMARC record found during the walk, at {@code domain}. */
    public record Found(String domain, DmarcRecord record) {
    }

    public sealed interface Result {
        /** The domain the walk was for. */
        String start();

        /** The _dmarc names queried, in order. */
        List<String> queried();

        /** The walk ran to its end; {@code records} in query order, longest name first. */
        record Completed(String start, List<Found> records, List<String> queried) implements Result {
            public Completed {
                records = List.copyOf(records);
                queried = List.copyOf(queried);
            }

            /** RFC 9989 4.10.2: the organisational domain selected from the records found. */
            public String organizationalDomain() {
                // RFC 9989 4.10.2: select from the domains with valid records, longest to shortest:
                for (Found f : records) {
                    // 1. a record with psd=n: this is the organisational domain;
                    if (f.record().psd() == PsdFlag.NO) return f.domain();
                    // 2. a record with psd=y, other than at the start: the domain one label below it;
                    if (f.record().psd() == PsdFlag.YES && !f.domain().equals(start)) {
                        return DomainName.lastLabels(start, DomainName.labelCount(f.domain()) + 1);
                    }
                }
                // 3. otherwise the record at the name with the fewest labels;
                if (!records.isEmpty()) return records.getLast().domain();
                // and if there is none, the initial target is the organisational domain.
                return start;
            }
        }

        /** A query failed before the walk could stop: nothing may be concluded. */
        record TemporaryFailure(String start, String name, String reason, List<String> queried) implements Result {
            public TemporaryFailure {
                queried = List.copyOf(queried);
            }
        }
    }

    /**
     * The whole walk, starting at {@code domain} itself (RFC 9989 4.10.2: for identifier alignment).
     *
     * @throws IllegalArgumentException naming the value when {@code domain} is not a domain name
     */
    public Result walk(String domain) {
        String start = DomainName.normalize(domain);
        return run(start, targets(start));
    }

    /** The walk without its first query, for policy discovery after the author domain had no record (RFC 9989 4.10.1). */
    Result walkAbove(String start) {
        List<String> targets = targets(start);
        return run(start, targets.subList(1, targets.size()));
    }

    /** RFC 9989 4.10 steps 1, 3, 4 and 7: the names to query, in order. */
    static List<String> targets(String start) {
        List<String> targets = new ArrayList<>(MAX_QUERIES);
        targets.add(start);
        int x = DomainName.labelCount(start);
        // Step 4: if x < 8 remove the left-most label; if x >= 8, remove labels until 7 remain.
        String next = x < MAX_QUERIES ? DomainName.parent(start).orElse(null) : DomainName.lastLabels(start, MAX_QUERIES - 1);
        while (next != null) {
            targets.add(next);
            // Step 7: remove the left-most label from the previous target, until no labels remain.
            next = DomainName.parent(next).orElse(null);
        }
        return targets;
    }

    private Result run(String start, List<String> targets) {
        List<String> queried = new ArrayList<>();
        List<Found> found = new ArrayList<>();
        for (String target : targets) {
            Optional<String> name = DomainName.under("_dmarc", target);
            if (name.isEmpty()) continue; // too long to exist, so there is nothing to ask
            queried.add(name.get());
            DmarcDiscovery.Fetch fetch = DmarcDiscovery.classify(target, name.get(), lookup.txt(name.get()));
            if (fetch instanceof DmarcDiscovery.Fetch.TemporaryFailure f) {
                // A record at this name could change the outcome, so the walk cannot conclude.
                return new Result.TemporaryFailure(start, f.name(), f.reason(), queried);
            }
            if (fetch instanceof DmarcDiscovery.Fetch.Found f) {
                found.add(new Found(target, f.record()));
                // Steps 2 and 6: a single record with psd=y or psd=n stops the walk.
                if (f.record().psd() != PsdFlag.UNSPECIFIED) break;
            }
            // NXDOMAIN, no TXT, no DMARC record, several DMARC records (all discarded): go on up.
        }
        return new Result.Completed(start, found, queried);
    }
}
