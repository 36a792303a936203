package dev.sekisho.audit.overlap;

import dev.sekisho.spf.NetworkSet;
import java.util.Locale;

/** Can a customer's sending infrastructure pass SPF as the provider? */
public enum OverlapVerdict {
    /** Every network the customer's SPF authorises is also authorised by the provider's: all of its hosts can spoof the provider. */
    FULL,
    /** Some of the customer's networks are inside the provider's. */
    PARTIAL,
    /** None are. */
    NONE;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The verdict for a customer's networks and the part of them the provider also authorises. */
    static OverlapVerdict of(NetworkSet customer, NetworkSet overlap) {
        if (overlap.isEmpty()) return NONE;
        boolean all = overlap.ipv4Count().equals(customer.ipv4Count()) && overlap.ipv6Count().equals(customer.ipv6Count());
        return all ? FULL : PARTIAL;
    }

    /** The worse of two verdicts (FULL is the worst). */
    OverlapVerdict worse(OverlapVerdict other) {
        return ordinal() <= other.ordinal() ? this : other;
    }
}
