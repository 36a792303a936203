package dev.sekisho.cli;

import dev.sekisho.dns.CachingResolver;
import dev.sekisho.dns.DnsResolver;
import dev.sekisho.dns.NetworkResolver;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.InstantSource;

/** The options every audit shares: resolvers, lookup deadline, how many domains at once, and the output format. */
final class AuditOptions {
    @Mixin
    DnsOptions dns = new DnsOptions();

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "32",
            description = "Domains checked at once (default: ${DEFAULT-VALUE}); each asks one DNS question at a time, so this also bounds the queries in flight.")
    int concurrency;

    @Option(names = "--json", description = "Print one JSON object instead of a table.")
    boolean json;

    @Option(names = "--csv", description = "Print CSV (RFC 4180, with a header line) instead of a table.")
    boolean csv;

    /** Checks the options that picocli cannot; IllegalArgumentException names the bad one. */
    void validate() {
        if (json && csv) throw new IllegalArgumentException("--json and --csv exclude each other");
        if (concurrency < 1) throw new IllegalArgumentException("--concurrency must be at least 1, was " + concurrency);
    }

    /** One caching resolver for the whole run, shared by every domain. */
    DnsResolver resolver() {
        // Each domain in progress has at most one lookup on the wire; the bound keeps that true if that ever changes.
        NetworkResolver.Settings settings = dns.settings().withMaxInFlight(Math.max(concurrency, 1) * 2);
        return new CachingResolver(new NetworkResolver(settings), InstantSource.system());
    }
}
