package dev.sekisho.audit.overlap;

import dev.sekisho.spf.NetworkSet;
import java.util.List;
import java.util.Optional;

/**
 * One customer domain compared with every provider.
 *
 * @param customer  the customer domain, as listed
 * @param networks  the networks the customer's SPF authorises (pass), including 0.0.0.0/0 and ::/0 for +all
 * @param providers one comparison per provider, in the order the providers were given
 * @param notes     what limits the comparison: terms that cannot be expanded (exists, ptr, macros), broken parts of the record
 * @param error     why the customer could not be checked (not a domain name, a temporary DNS failure at its record); empty when it was
 */
public record CustomerOverlap(String customer, NetworkSet networks, List<ProviderOverlap> providers, List<String> notes, Optional<String> error) {

    /** The part of the customer's networks that one provider's SPF also authorises. */
    public record ProviderOverlap(String provider, OverlapVerdict verdict, NetworkSet overlap) {
    }

    public CustomerOverlap {
        providers = List.copyOf(providers);
        notes = List.copyOf(notes);
    }

    static CustomerOverlap notChecked(String customer, String error) {
        return new CustomerOverlap(customer, NetworkSet.empty(), List.of(), List.of(), Optional.of(error));
    }

    /** The worst verdict over the providers (FULL before PARTIAL before NONE); empty when the customer was not checked. */
    public Optional<OverlapVerdict> verdict() {
        return providers.stream().map(ProviderOverlap::verdict).reduce(OverlapVerdict::worse);
    }
}
