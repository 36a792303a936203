package dev.sekisho.spf;

import dev.sekisho.engine.AddressText;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * What a domain's SPF record authorises, read statically: every ip4/ip6/a/mx network reachable through
 * include and redirect, with the result a client in it would get, and what could not be expanded
 * without a real connection (exists, ptr, macros other than %{d} and %{o}).
 *
 * @param domain      the domain expanded
 * @param record      its SPF record, when it has exactly one
 * @param networks    every network found, in evaluation order, with the result it gives
 * @param unexpanded  terms whose effect depends on the connection
 * @param lookups     the DNS-costing terms evaluating every term would need (RFC 7208 4.6.4 allows 10)
 * @param voidLookups lookups that found nothing (RFC 7208 4.6.4 allows 2)
 * @param problems    loops, limits exceeded, missing or broken records, DNS failures
 * @param temporaryFailures the problems that are DNS server failures or timeouts: what the
 *                    expansion says may change when asked again, so a caller must not read it
 *                    as the domain's policy
 * @param all         the qualifier of the "all" that ends the evaluation, when there is one
 * @param passing     the addresses that get pass, with first-match order applied: an address an
 *                    earlier mechanism matches (a "-ip4" before a wider "ip4", a failing term
 *                    inside an included record) is not authorised by a later one; what cannot be
 *                    expanded statically (exists, ptr, macros) is left out, see {@code unexpanded}
 */
public record SpfExpansion(String domain, Optional<String> record, List<Network> networks, List<Unexpanded> unexpanded,
                           int lookups, int voidLookups, List<String> problems, List<String> temporaryFailures,
                           Optional<SpfRecord.Qualifier> all, NetworkSet passing) {

    public SpfExpansion {
        networks = List.copyOf(networks);
        unexpanded = List.copyOf(unexpanded);
        problems = List.copyOf(problems);
        temporaryFailures = List.copyOf(temporaryFailures);
        if (!problems.containsAll(temporaryFailures)) throw new IllegalArgumentException("every temporary failure is also a problem");
    }

    /**
     * A network and the result a client inside it gets from this term; {@code via} lists the domains
     * followed (include, redirect) from the expanded domain to the record with the term.
     */
    public record Network(InetAddress address, int prefix, SpfResult result, String domain, String term, List<String> via) {
        public Network {
            via = List.copyOf(via);
        }

        /** As written in SPF and routing: 192.0.2.0/24, 2001:db8::/32. */
        public String cidr() {
            return SpfExpansion.cidr(address, prefix);
        }
    }

    /** {@code address/prefix}, the address in RFC 5952 form for IPv6 (2001:db8::/32, not 2001:db8:0:0:0:0:0:0/32). */
    static String cidr(InetAddress address, int prefix) {
        return AddressText.of(address) + "/" + prefix;
    }

    /** A term that cannot be resolved into networks ahead of a connection, and why. */
    public record Unexpanded(String domain, String term, String reason) {
    }

    /** The networks listed with a pass result, in evaluation order; {@link #passing()} is what actually passes. */
    public List<Network> authorised() {
        return networks.stream().filter(n -> n.result() == SpfResult.PASS).toList();
    }

    /** True when the record needs more DNS lookups or void lookups than receivers allow, or has a loop or error. */
    public boolean hasProblems() {
        return !problems.isEmpty();
    }
}
