package dev.sekisho.cli;

import dev.sekisho.config.Durations;
import dev.sekisho.dns.CachingResolver;
import dev.sekisho.dns.DnsResolver;
import dev.sekisho.dns.NetworkResolver;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;

/** The DNS options of the spf commands: which resolvers to ask and how long to wait for each lookup. */
final class SpfDnsOptions {
    @Option(names = "--resolver", paramLabel = "HOST[:PORT]",
            description = "Ask this recursive resolver (an IP address; repeat for several, asked in order). Default: the system's (/etc/resolv.conf).")
    List<String> resolvers = new ArrayList<>();

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5s",
            description = "Deadline of each DNS lookup, e.g. 2s or 500ms (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    /** A caching resolver over the chosen servers; IllegalArgumentException or IllegalStateException names a bad option. */
    DnsResolver resolver() {
        Duration deadline = Durations.parse(timeout);
        if (deadline.isZero()) throw new IllegalArgumentException("--timeout must be positive, was " + timeout);
        NetworkResolver.Settings settings = resolvers.isEmpty() ? NetworkResolver.Settings.system() : NetworkResolver.Settings.of(resolvers);
        return new CachingResolver(new NetworkResolver(settings.withTimeout(deadline)), InstantSource.system());
    }
}
