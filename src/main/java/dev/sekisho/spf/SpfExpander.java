package dev.sekisho.spf;

import dev.sekisho.dns.DnsNames;
import dev.sekisho.dns.DnsOutcome;
import dev.sekisho.dns.DnsRecord;
import dev.sekisho.dns.DnsResolver;
import dev.sekisho.dns.RecordType;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Expands a domain's SPF record into the networks it authorises (see {@link SpfExpansion}). Every
 * term is followed, as if no earlier term matched, so the lookup count is what the record needs in the
 * worst case. The walk is bounded ({@link #MAX_LOOKUPS} terms, {@link #MAX_DEPTH} levels) so a hostile
 * record cannot make it run away; past the RFC 7208 limits it goes on only to show what is there.
 */
public final class SpfExpander {
    public static final int MAX_LOOKUPS = 100;
    public static final int MAX_DEPTH = 12;
    private static final int RFC_LOOKUPS = 10;
    private static final int RFC_VOID_LOOKUPS = 2;
    private static final int RFC_MX_NAMES = 10;

    private final DnsResolver resolver;

    public SpfExpander(DnsResolver resolver) {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
    }

    public SpfExpansion expand(String domain) {
        Walk walk = new Walk(DnsNames.withoutFinalDot(domain.trim()));
        Optional<Evaluated> top = walk.domain(walk.top, 0, Optional::of, new ArrayDeque<>(), true);
        Optional<String> topRecord = top.map(Evaluated::text);
        if (walk.lookups > RFC_LOOKUPS) {
            walk.problems.add(0, "needs " + walk.lookups + " DNS lookups, more than " + RFC_LOOKUPS + " (RFC 7208 4.6.4): receivers return permerror");
        }
        if (walk.voidLookups > RFC_VOID_LOOKUPS) {
            walk.problems.add(0, walk.voidLookups + " void lookups, more than " + RFC_VOID_LOOKUPS + " (RFC 7208 4.6.4): receivers return permerror");
        }
        return new SpfExpansion(walk.top, topRecord, walk.networks, walk.unexpanded, walk.lookups, walk.voidLookups, walk.problems,
                walk.temporaryFailures, Optional.ofNullable(walk.all), top.map(Evaluated::pass).orElse(NetworkSet.empty()));
    }

    /** A record's text and the addresses for which it evaluates to pass (first match wins, RFC 7208 4.6.2). */
    private record Evaluated(String text, NetworkSet pass) {
    }

    /** The state of one expansion. {@code effect} maps a qualifier in the current record to the result at the top, or empty when it cannot match there. */
    private final class Walk {
        final String top;
        final List<SpfExpansion.Network> networks = new ArrayList<>();
        final List<SpfExpansion.Unexpanded> unexpanded = new ArrayList<>();
        final List<String> problems = new ArrayList<>();
        final List<String> temporaryFailures = new ArrayList<>();

        /** A DNS server failure or timeout: a problem, and one that may go away when asked again. */
        void temporaryFailure(String text) {
            problems.add(text);
            temporaryFailures.add(text);
        }
        /** Domains whose TXT lookup failed: already reported, so not also reported as having no record. */
        final java.util.Set<String> unreadable = new java.util.HashSet<>();
        int lookups;
        int voidLookups;
        SpfRecord.Qualifier all;
        boolean stopped;

        Walk(String top) {
            this.top = top;
        }

        /** Expands the record at {@code domain}; returns its text. {@code main} is true along the top domain's redirect chain. */
        Optional<Evaluated> domain(String domain, int depth, Function<SpfRecord.Qualifier, Optional<SpfRecord.Qualifier>> effect,
                                   Deque<String> via, boolean main) {
            Optional<String> bad = DnsNames.problem(domain);
            if (bad.isPresent()) {
                problems.add("'" + domain + "' is not a domain name: " + bad.get());
                return Optional.empty();
            }
            String key = DnsNames.canonical(domain);
            if (via.stream().map(DnsNames::canonical).anyMatch(key::equals)) {
                problems.add("loop: " + String.join(" -> ", via) + " -> " + domain);
                return Optional.empty();
            }
            if (depth > MAX_DEPTH) {
                problems.add("include/redirect nesting deeper than " + MAX_DEPTH + " at " + domain);
                return Optional.empty();
            }
            SpfRecord record = record(domain);
            if (record == null) return Optional.empty();
            via.addLast(domain);
            // RFC 7208 4.6.2: the first mechanism that matches decides, so an address a mechanism
            // matches is settled there; later mechanisms can only decide the addresses left.
            NetworkSet settled = NetworkSet.empty();
            NetworkSet pass = NetworkSet.empty();
            boolean ended = false; // RFC 7208 5.1: "all" always matches; nothing after it is reached
            try {
                for (SpfRecord.Mechanism m : record.mechanisms()) {
                    if (stopped) break;
                    NetworkSet matches = mechanism(m, domain, depth, effect, via);
                    if (ended) continue;
                    if (m.kind() == SpfRecord.Kind.ALL) {
                        matches = NetworkSet.everything();
                        ended = true;
                    }
                    if (m.qualifier() == SpfRecord.Qualifier.PASS) pass = pass.union(matches.minus(settled));
                    settled = settled.union(matches);
                }
                Optional<SpfRecord.Mechanism> endsWithAll = record.mechanisms().stream().filter(m -> m.kind() == SpfRecord.Kind.ALL).findFirst();
                if (main && endsWithAll.isPresent()) all = endsWithAll.get().qualifier();
                // RFC 7208 6.1: redirect is used only when no mechanism matches, so an "all" makes it dead.
                if (record.redirect().isPresent() && endsWithAll.isEmpty() && !stopped) {
                    count(domain);
                    String spec = record.redirect().get();
                    String target = staticTarget(spec, domain, "redirect=" + spec);
                    if (target != null) {
                        Optional<Evaluated> redirected = domain(target, depth + 1, effect, via, main);
                        if (redirected.isEmpty() && !unreadable.contains(DnsNames.canonical(target)) && record(target, true) == null) {
                            problems.add("redirect=" + target + " from " + domain + " finds no SPF record: receivers return permerror");
                        }
                        // RFC 7208 6.1: the target's result stands for every address no mechanism here matched.
                        if (redirected.isPresent()) pass = pass.union(redirected.get().pass().minus(settled));
                    }
                }
            } finally {
                via.removeLast();
            }
            return Optional.of(new Evaluated(record.text(), pass));
        }

        /**
         * Lists the mechanism's networks and returns the addresses it matches: its networks, the
         * included record's pass set for include, nothing for what cannot be known statically.
         */
        private NetworkSet mechanism(SpfRecord.Mechanism m, String domain, int depth, Function<SpfRecord.Qualifier, Optional<SpfRecord.Qualifier>> effect,
                                     Deque<String> via) {
            if (m.kind().countsAsLookup()) count(domain);
            Optional<SpfResult> result = effect.apply(m.qualifier()).map(SpfRecord.Qualifier::result);
            List<String> matched = new ArrayList<>();
            switch (m.kind()) {
                case ALL -> {
                }
                case IP4, IP6 -> {
                    int prefix = m.kind() == SpfRecord.Kind.IP4 ? m.ip4Prefix() : m.ip6Prefix();
                    matched.add(cidr(m.network().orElseThrow(), prefix));
                    result.ifPresent(r -> add(m.network().orElseThrow(), prefix, r, domain, m, via));
                }
                case A -> {
                    String target = m.domainSpec().isEmpty() ? domain : staticTarget(m.domainSpec().get(), domain, m.text());
                    if (target != null) addresses(target, domain, m, result, via, true, matched);
                }
                case MX -> {
                    String target = m.domainSpec().isEmpty() ? domain : staticTarget(m.domainSpec().get(), domain, m.text());
                    if (target == null) break;
                    DnsOutcome mx = resolver.lookup(target, RecordType.MX);
                    switch (mx) {
                        case DnsOutcome.Answer answer -> {
                            List<DnsRecord.Mx> hosts = answer.records(DnsRecord.Mx.class);
                            if (hosts.size() > RFC_MX_NAMES) {
                                problems.add(m.text() + " in " + domain + ": " + hosts.size() + " MX hosts, more than " + RFC_MX_NAMES
                                        + " (RFC 7208 4.6.4): receivers return permerror");
                            }
                            for (DnsRecord.Mx host : hosts) {
                                if (!host.exchange().isEmpty() && DnsNames.problem(host.exchange()).isEmpty()) {
                                    addresses(host.exchange(), domain, m, result, via, false, matched);
                                }
                            }
                        }
                        case DnsOutcome.NoData n -> voidLookups++;
                        case DnsOutcome.NoSuchDomain n -> voidLookups++;
                        default -> temporaryFailure("MX lookup of " + target + " failed (" + SpfEvaluator.describe(mx) + ")");
                    }
                }
                case PTR -> unexpanded.add(new SpfExpansion.Unexpanded(domain, m.text(), "ptr depends on the client's reverse DNS"));
                case EXISTS -> unexpanded.add(new SpfExpansion.Unexpanded(domain, m.text(), "exists depends on the connection (macros) or on a DNS answer at check time"));
                case INCLUDE -> {
                    String target = staticTarget(m.domainSpec().orElseThrow(), domain, m.text());
                    if (target == null) break;
                    // RFC 7208 5.2: the include matches when the included record passes; its other results do not match.
                    SpfRecord.Qualifier outer = m.qualifier();
                    Function<SpfRecord.Qualifier, Optional<SpfRecord.Qualifier>> inner = q -> q == SpfRecord.Qualifier.PASS
                            ? effect.apply(outer) : Optional.empty();
                    Optional<Evaluated> included = domain(target, depth + 1, inner, via, false);
                    if (included.isEmpty() && !unreadable.contains(DnsNames.canonical(target)) && record(target, true) == null) {
                        problems.add(m.text() + " in " + domain + " finds no SPF record at " + target + ": receivers return permerror");
                    }
                    if (included.isPresent()) return included.get().pass();
                }
            }
            return matched.isEmpty() ? NetworkSet.empty() : NetworkSet.ofCidrs(matched);
        }

        private static String cidr(InetAddress address, int prefix) {
            return SpfExpansion.cidr(masked(address, prefix), prefix);
        }

        private void addresses(String host, String domain, SpfRecord.Mechanism m, Optional<SpfResult> result, Deque<String> via, boolean countVoid,
                               List<String> matched) {
            boolean found = false;
            boolean failed = false;
            for (RecordType type : List.of(RecordType.A, RecordType.AAAA)) {
                DnsOutcome outcome = resolver.lookup(host, type);
                switch (outcome) {
                    case DnsOutcome.Answer answer -> {
                        found = true;
                        int prefix = type == RecordType.A ? m.ip4Prefix() : m.ip6Prefix();
                        answer.records(DnsRecord.Address.class).forEach(a -> matched.add(cidr(a.address(), prefix)));
                        result.ifPresent(r -> answer.records(DnsRecord.Address.class).forEach(a -> add(a.address(), prefix, r, domain, m, via)));
                    }
                    case DnsOutcome.NoData n -> {
                    }
                    case DnsOutcome.NoSuchDomain n -> {
                    }
                    default -> {
                        failed = true;
                        temporaryFailure(type + " lookup of " + host + " failed (" + SpfEvaluator.describe(outcome) + ")");
                    }
                }
            }
            // A client makes one query, A or AAAA; a name with neither is a void lookup for every client.
            if (countVoid && !found && !failed) voidLookups++;
        }

        private void add(InetAddress address, int prefix, SpfResult result, String domain, SpfRecord.Mechanism m, Deque<String> via) {
            networks.add(new SpfExpansion.Network(masked(address, prefix), prefix, result, domain, m.text(), List.copyOf(via)));
        }

        private void count(String domain) {
            lookups++;
            if (lookups >= MAX_LOOKUPS && !stopped) {
                stopped = true;
                problems.add("stopped expanding after " + MAX_LOOKUPS + " DNS-costing terms (at " + domain + ")");
            }
        }

        /** The domain-spec with %{d} and %{o} filled in; null (and listed as unexpanded) when it needs anything else. */
        private String staticTarget(String spec, String domain, String term) {
            List<MacroString.Macro> macros = MacroString.macros(spec);
            if (macros.stream().anyMatch(x -> x.letter() != 'd' && x.letter() != 'o')) {
                unexpanded.add(new SpfExpansion.Unexpanded(domain, term, "macro depends on the connection"));
                return null;
            }
            String name = DnsNames.withoutFinalDot(MacroString.expand(spec, false, x -> x.letter() == 'd' ? domain : top));
            if (DnsNames.problem(name).isPresent()) {
                problems.add(term + " in " + domain + ": '" + name + "' is not a domain name");
                return null;
            }
            return name;
        }

        private SpfRecord record(String domain) {
            return record(domain, false);
        }

        /** The domain's single SPF record, parsed; null when there is none or it is broken (reported once unless {@code quiet}). */
        private SpfRecord record(String domain, boolean quiet) {
            DnsOutcome txt = resolver.lookup(domain, RecordType.TXT);
            List<String> spf = switch (txt) {
                case DnsOutcome.Answer answer -> answer.records(DnsRecord.Txt.class).stream().map(DnsRecord.Txt::text)
                        .filter(SpfRecord::isSpfRecord).toList();
                case DnsOutcome.NoData n -> List.of();
                case DnsOutcome.NoSuchDomain n -> {
                    // A stale customer list names domains that are gone: say so, not just "no SPF record".
                    if (!quiet && domain.equals(top)) problems.add(domain + " does not exist (NXDOMAIN)");
                    yield null;
                }
                default -> {
                    if (!quiet) temporaryFailure("TXT lookup of " + domain + " failed (" + SpfEvaluator.describe(txt) + "): receivers return temperror");
                    unreadable.add(DnsNames.canonical(domain));
                    yield null;
                }
            };
            if (spf == null) return null;
            if (spf.size() > 1) {
                if (!quiet) problems.add(domain + " publishes " + spf.size() + " SPF records (RFC 7208 4.5): receivers return permerror");
                return null;
            }
            if (spf.isEmpty()) {
                if (!quiet && domain.equals(top)) problems.add(domain + " publishes no SPF record");
                return null;
            }
            try {
                return SpfRecord.parse(spf.getFirst());
            } catch (SpfSyntaxException e) {
                if (!quiet) problems.add("syntax error in the record of " + domain + ": " + e.getMessage() + " (receivers return permerror)");
                return null;
            }
        }
    }

    static InetAddress masked(InetAddress address, int prefix) {
        byte[] bytes = address.getAddress();
        for (int bit = prefix; bit < bytes.length * 8; bit++) bytes[bit / 8] &= (byte) ~(0x80 >> (bit % 8));
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
