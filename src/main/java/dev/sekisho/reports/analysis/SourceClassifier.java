package dev.sekisho.reports.analysis;

import dev.sekisho.store.RecordGroup;
import inet.ipaddr.AddressStringException;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;

import java.util.List;
import java.util.Set;

/** Classifies record groups as authorised, forwarded or spoofing ({@link SourceClass}). */
public final class SourceClassifier {
    /** RFC 7489 appendix C PolicyOverrideType values that say the receiver saw the mail arrive through a relay. */
    private static final Set<String> FORWARDING_REASONS = Set.of("forwarded", "trusted_forwarder", "mailing_list");

    private final List<IPAddress> knownForwarders;

    private SourceClassifier(List<IPAddress> knownForwarders) {
        this.knownForwarders = List.copyOf(knownForwarders);
    }

    /** A classifier without known forwarders. */
    public static SourceClassifier standard() {
        return new SourceClassifier(List.of());
    }

    /**
     * A classifier that also treats these addresses or networks (e.g. "192.0.2.0/24", "2001:db8::/32") as forwarders.
     *
     * @throws IllegalArgumentException naming the entry that is not an address or network
     */
    public static SourceClassifier withKnownForwarders(List<String> networks) {
        return new SourceClassifier(networks.stream().map(SourceClassifier::network).toList());
    }

    private static IPAddress network(String text) {
        try {
            return new IPAddressString(text.strip()).toAddress().toPrefixBlock();
        } catch (AddressStringException e) {
            throw new IllegalArgumentException("not an IP address or network: '" + text + "'");
        }
    }

    public SourceClass classify(RecordGroup group) {
        if (isKnownForwarder(group.sourceIp())) return SourceClass.FORWARDED;
        for (String reason : group.reasons().split(",")) {
            if (FORWARDING_REASONS.contains(reason.strip())) return SourceClass.FORWARDED;
        }
        // The signature survived the relay while the relay's address is in no SPF record checked.
        if (group.dkimAligned() && !group.spfPass()) return SourceClass.FORWARDED;
        if (group.dmarcPass()) return SourceClass.AUTHORISED;
        return SourceClass.SPOOFING;
    }

    private boolean isKnownForwarder(String ip) {
        if (knownForwarders.isEmpty()) return false;
        IPAddress address = new IPAddressString(ip).getAddress();
        if (address == null) return false;
        for (IPAddress network : knownForwarders) {
            if (network.contains(address)) return true;
        }
        return false;
    }
}
