package dev.sekisho.store;

import dev.sekisho.dmarc.DomainName;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Which aggregate records a question is about.
 *
 * @param domain the RFC 5322 From domain: records whose header_from is this domain or a subdomain of it;
 *               empty for every domain
 * @param since  only reports whose period ends after this instant; empty for all
 */
public record RecordFilter(Optional<String> domain, Optional<Instant> since) {
    public RecordFilter {
        domain = Objects.requireNonNull(domain, "domain").map(DomainName::normalize);
        Objects.requireNonNull(since, "since");
    }

    public static RecordFilter all() {
        return new RecordFilter(Optional.empty(), Optional.empty());
    }

    public static RecordFilter domain(String domain) {
        return new RecordFilter(Optional.of(domain), Optional.empty());
    }
}
