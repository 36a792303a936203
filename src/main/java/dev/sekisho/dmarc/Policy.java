package dev.sekisho.dmarc;

import java.util.Locale;
import java.util.Optional;

/** A Domain Owner Assessment Policy: the value of p, sp and np (RFC 7489 6.3, RFC 9989 4.7). */
public enum Policy {
    NONE, QUARANTINE, REJECT;

    /** The token as published: "none", "quarantine", "reject". */
    public String token() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** True when this policy asks for less than {@code other} (none &lt; quarantine &lt; reject). */
    public boolean weakerThan(Policy other) {
        return ordinal() < other.ordinal();
    }

    /** RFC 7489 6.4 / RFC 9989 4.8: dmarc-request = "none" / "quarantine" / "reject" (ABNF strings are case-insensitive). */
    static Optional<Policy> parse(String value) {
        for (Policy p : values()) {
            if (p.token().equalsIgnoreCase(value)) return Optional.of(p);
        }
        return Optional.empty();
    }
}
