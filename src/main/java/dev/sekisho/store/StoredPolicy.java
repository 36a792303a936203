package dev.sekisho.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The DMARC policy a domain published, as the most recent aggregate report about it saw it (policy_published).
 *
 * @param domain  policy_published/domain
 * @param p       p, lower case
 * @param sp      sp, when reported
 * @param pct     pct, when reported (RFC 7489 6.3; RFC 9990 drops it)
 * @param seenAt  the end of that report's period
 * @param reporter who reported it
 */
public record StoredPolicy(String domain, String p, Optional<String> sp, Optional<Integer> pct, Instant seenAt, String reporter) {
    public StoredPolicy {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(p, "p");
        Objects.requireNonNull(sp, "sp");
        Objects.requireNonNull(pct, "pct");
        Objects.requireNonNull(seenAt, "seenAt");
        Objects.requireNonNull(reporter, "reporter");
    }
}
