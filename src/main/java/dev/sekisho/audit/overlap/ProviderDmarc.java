package dev.sekisho.audit.overlap;

import dev.sekisho.dmarc.DmarcDiscovery;
import dev.sekisho.dmarc.DmarcRecord;
import dev.sekisho.dmarc.Policy;

import java.util.Optional;

/**
 * The provider's DMARC policy, as a receiver would apply it to mail that spoofs the provider's domain
 * (RFC 7489 6.6.3, RFC 9989 4.10.1): p (or sp when the record was found at the organisational domain),
 * sp for subdomains, and pct (RFC 7489 6.3; DMARCbis removed it, receivers of both kinds exist).
 *
 * @param record the record that applies, when one was found
 * @param policy the policy applied to the provider's domain itself
 * @param error  why it could not be read (a temporary DNS failure)
 */
public record ProviderDmarc(Optional<DmarcRecord> record, Optional<Policy> policy, Optional<String> error) {

    static ProviderDmarc of(DmarcDiscovery.Discovery discovery) {
        return switch (discovery) {
            case DmarcDiscovery.Discovery.Found f -> new ProviderDmarc(Optional.of(f.record()), Optional.of(f.applicablePolicy(true)), Optional.empty());
            case DmarcDiscovery.Discovery.None n -> new ProviderDmarc(Optional.empty(), Optional.empty(), Optional.empty());
            case DmarcDiscovery.Discovery.TemporaryFailure f -> new ProviderDmarc(Optional.empty(), Optional.empty(),
                    Optional.of("could not check: " + f.reason()));
        };
    }

    /** "p=reject sp=reject pct=100", "no DMARC record", "could not check: ...". */
    public String summary() {
        if (error.isPresent()) return error.get();
        if (record.isEmpty()) return "no DMARC record";
        DmarcRecord r = record.get();
        return "p=" + policy.orElseThrow().token() + " sp=" + r.subdomainPolicy().token() + " pct=" + r.percent();
    }

    /**
     * What a receiver does with mail that spoofs the provider and fails DMARC: "rejected", "quarantined (50%)",
     * "delivered (p=none)". Mail from a host the provider's SPF authorises passes SPF aligned with the From
     * domain (RFC 7489 3.1.2, 4.2), so it passes DMARC and no policy applies to it: that is the overlap's danger.
     */
    public String failingMail() {
        if (error.isPresent()) return "unknown";
        if (policy.isEmpty()) return "delivered (no DMARC policy)";
        int pct = record.orElseThrow().percent();
        return switch (policy.get()) {
            case NONE -> "delivered (p=none)";
            case QUARANTINE -> "quarantined" + (pct < 100 ? " (" + pct + "%)" : "");
            case REJECT -> "rejected" + (pct < 100 ? " (" + pct + "%, the rest quarantined)" : "");
        };
    }
}
