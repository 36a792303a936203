package dev.sekisho.audit.overlap;

import dev.sekisho.spf.NetworkSet;
import dev.sekisho.audit.BoundedConcurrency;
import dev.sekisho.dmarc.DmarcDiscovery;
import dev.sekisho.dmarc.DnsTxtLookup;
import dev.sekisho.dmarc.DomainName;
import dev.sekisho.dns.DnsNames;
import dev.sekisho.dns.DnsResolver;
import dev.sekisho.spf.SpfExpander;
import dev.sekisho.spf.SpfExpansion;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntConsumer;

/**
 * The hosting overlap audit (seed 000): on shared hosting, a tenant can send as the provider when the
 * provider's SPF record authorises the shared outbound hosts. For every customer domain this expands its
 * SPF record into networks, intersects them with each provider's, and says whether the customer's
 * sending infrastructure can pass SPF as the provider: fully, partly or not at all.
 *
 * <p>Use one caching resolver for the whole run: customers' records mostly include the provider's, so
 * those lookups are answered once. Each customer's walk asks one question at a time, so the DNS load is
 * at most one query per customer in progress.
 */
public final class SpfOverlapAudit {
    private final DnsResolver resolver;

    public SpfOverlapAudit(DnsResolver resolver) {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
    }

    /** Reads a provider domain: its SPF networks and DMARC policy. */
    public ProviderSpf provider(String domain) {
        Optional<String> name = validName(domain);
        if (name.isEmpty()) {
            SpfExpansion none = new SpfExpansion(domain, Optional.empty(), List.of(), List.of(), 0, 0, List.of(), List.of(), Optional.empty(),
                    NetworkSet.empty());
            return new ProviderSpf(domain, none, NetworkSet.empty(), new ProviderDmarc(Optional.empty(), Optional.empty(), Optional.empty()),
                    Optional.of("not a domain name: \"" + domain + "\""));
        }
        SpfExpansion expansion = new SpfExpander(resolver).expand(name.get());
        Optional<String> error = temporaryFailure(expansion).map(p -> "could not check: " + p);
        if (error.isEmpty() && expansion.record().isEmpty()) {
            error = Optional.of("no usable SPF record: " + String.join("; ", expansion.problems()));
        }
        ProviderDmarc dmarc = ProviderDmarc.of(new DmarcDiscovery(new DnsTxtLookup(resolver)).discover(name.get()));
        return new ProviderSpf(name.get(), expansion, networks(expansion), dmarc, error);
    }

    /** Compares one customer with the providers. Never throws for anything the DNS does. */
    public CustomerOverlap customer(String domain, List<ProviderSpf> providers) {
        Optional<String> name = validName(domain);
        if (name.isEmpty()) return CustomerOverlap.notChecked(domain, "not a domain name: \"" + domain + "\"");
        SpfExpansion expansion = new SpfExpander(resolver).expand(name.get());
        Optional<String> failure = temporaryFailure(expansion);
        // A failed lookup anywhere may hide networks, so the verdict would be a guess: say so instead.
        if (failure.isPresent()) return CustomerOverlap.notChecked(domain, "could not check: " + failure.get());
        List<String> notes = new ArrayList<>();
        if (expansion.record().isEmpty()) {
            notes.add(expansion.problems().isEmpty() ? "no SPF record" : String.join("; ", expansion.problems()) + ": it authorises nothing");
        } else {
            notes.addAll(expansion.problems());
        }
        for (SpfExpansion.Unexpanded u : expansion.unexpanded()) notes.add("not expanded: " + u.term() + " in " + u.domain() + " (" + u.reason() + ")");
        NetworkSet networks = networks(expansion);
        List<CustomerOverlap.ProviderOverlap> overlaps = new ArrayList<>();
        for (ProviderSpf provider : providers) {
            NetworkSet overlap = networks.intersect(provider.networks());
            overlaps.add(new CustomerOverlap.ProviderOverlap(provider.domain(), OverlapVerdict.of(networks, overlap), overlap));
        }
        return new CustomerOverlap(domain, networks, overlaps, notes, Optional.empty());
    }

    /** Every customer, at most {@code concurrency} at a time; results in input order. */
    public List<CustomerOverlap> customers(List<String> domains, List<ProviderSpf> providers, BoundedConcurrency concurrency, IntConsumer progress) {
        return concurrency.run(domains, d -> customer(d, providers), (d, e) -> CustomerOverlap.notChecked(d, "check failed: " + e), progress);
    }

    /** The addresses whose clients pass, first match applied; an +all passes every address not matched before it (RFC 7208 5.1). */
    private static NetworkSet networks(SpfExpansion expansion) {
        return expansion.passing();
    }

    /** The first problem that is a temporary DNS failure. */
    private static Optional<String> temporaryFailure(SpfExpansion expansion) {
        return expansion.temporaryFailures().stream().findFirst();
    }

    private static Optional<String> validName(String domain) {
        return DomainName.tryNormalize(domain.strip()).filter(d -> DnsNames.problem(d).isEmpty() && d.contains("."));
    }
}
