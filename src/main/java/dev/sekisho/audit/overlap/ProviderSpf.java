package dev.sekisho.audit.overlap;

import dev.sekisho.spf.NetworkSet;
import dev.sekisho.spf.SpfExpansion;

import java.util.List;
import java.util.Optional;

/**
 * A provider domain read once for a whole run: the networks its SPF record authorises (pass) and its DMARC policy.
 *
 * @param domain    the provider domain
 * @param expansion its SPF record expanded
 * @param networks  the networks whose clients pass SPF as the provider
 * @param dmarc     its DMARC policy
 * @param error     why it could not be read (no SPF record, or a temporary DNS failure); empty when it was
 */
public record ProviderSpf(String domain, SpfExpansion expansion, NetworkSet networks, ProviderDmarc dmarc, Optional<String> error) {

    /** The expansion's problems other than the error itself (limits exceeded, broken includes, ...). */
    public List<String> problems() {
        return expansion.problems();
    }
}
