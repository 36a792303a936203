package dev.sekisho.reports.enrichment;

import dev.sekisho.geo.GeoAnswer;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What is known about one report source address. A part is empty when it was never looked up (switched off, or no
 * database).
 *
 * @param ip  the address as the store writes it
 * @param dns reverse DNS, and when
 * @param geo country and AS, and when
 */
public record SourceEnrichment(String ip, Optional<Dns> dns, Optional<Geo> geo) {
    public SourceEnrichment {
        Objects.requireNonNull(ip, "ip");
        Objects.requireNonNull(dns, "dns");
        Objects.requireNonNull(geo, "geo");
    }

    /**
     * @param reverseDns the outcome of forward-confirmed reverse DNS
     * @param baseDomain the organisational domain (Public Suffix List, ICANN section) of a confirmed name; empty otherwise,
     *                   since an unconfirmed name is only a claim
     * @param checkedAt  when it was looked up
     */
    public record Dns(ReverseDns reverseDns, Optional<String> baseDomain, Instant checkedAt) {
        public Dns {
            Objects.requireNonNull(reverseDns, "reverseDns");
            Objects.requireNonNull(baseDomain, "baseDomain");
            Objects.requireNonNull(checkedAt, "checkedAt");
            if (baseDomain.isPresent() && !(reverseDns instanceof ReverseDns.Confirmed)) {
                throw new IllegalArgumentException("a base domain belongs to a confirmed name only, was " + reverseDns);
            }
        }
    }

    /**
     * @param answer    what the databases said
     * @param checkedAt when it was looked up
     */
    public record Geo(GeoAnswer answer, Instant checkedAt) {
        public Geo {
            Objects.requireNonNull(answer, "answer");
            Objects.requireNonNull(checkedAt, "checkedAt");
        }
    }

    /** Nothing known. */
    public static SourceEnrichment none(String ip) {
        return new SourceEnrichment(ip, Optional.empty(), Optional.empty());
    }
}
