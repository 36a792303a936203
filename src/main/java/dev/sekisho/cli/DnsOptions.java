package dev.sekisho.cli;

import dev.sekisho.config.ConfigException;
import dev.sekisho.config.ConfigLoader;
import dev.sekisho.config.Durations;
import dev.sekisho.config.SekishoConfig;
import dev.sekisho.dns.CachingResolver;
import dev.sekisho.dns.DnsResolver;
import dev.sekisho.dns.NetworkResolver;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The DNS options of the spf and audit commands (a picocli mixin): which resolvers to ask and how
 * long to wait for each lookup. The {@code dns} section of a configuration file sets both;
 * options given here override it.
 */
final class DnsOptions {
    @Option(names = "--resolver", paramLabel = "HOST[:PORT]",
            description = "Ask this recursive resolver (an IP address; repeat for several, asked in order). "
                    + "Default: dns.resolvers of --config, else the system's (/etc/resolv.conf).")
    List<String> resolvers = new ArrayList<>();

    @Option(names = "--timeout", paramLabel = "DURATION",
            description = "Deadline of each DNS lookup, e.g. 2s or 500ms. Default: dns.timeout of --config, else 5s.")
    String timeout;

    @Option(names = "--config", paramLabel = "FILE", description = "Read the dns section (and, for dmarc import, the geoip section) of this configuration file.")
    Path config;

    private SekishoConfig loaded; // --config, read once however many sections are asked for

    /** The --config file, loaded and validated once; empty without --config. */
    Optional<SekishoConfig> configFile() {
        if (config == null) return Optional.empty();
        if (loaded == null) {
            try {
                loaded = new ConfigLoader().load(config);
            } catch (ConfigException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }
        return Optional.of(loaded);
    }

    /** A caching resolver over the chosen servers; IllegalArgumentException or IllegalStateException names a bad option. */
    DnsResolver resolver() {
        return new CachingResolver(new NetworkResolver(settings()), InstantSource.system());
    }

    /** The chosen servers, deadline and bound on lookups in flight. */
    NetworkResolver.Settings settings() {
        SekishoConfig.DnsConfig fromFile = configFile().map(SekishoConfig::dns).orElse(null);
        Duration deadline = timeout != null ? Durations.parse(timeout)
                : fromFile != null ? fromFile.timeout() : NetworkResolver.Settings.DEFAULT_TIMEOUT;
        if (deadline.isZero() || deadline.isNegative()) throw new IllegalArgumentException("--timeout must be positive, was " + timeout);
        NetworkResolver.Settings settings;
        if (!resolvers.isEmpty()) {
            settings = NetworkResolver.Settings.of(resolvers);
        } else if (fromFile != null && !fromFile.resolvers().isEmpty()) {
            settings = new NetworkResolver.Settings(fromFile.resolvers(), NetworkResolver.Settings.DEFAULT_TIMEOUT,
                    NetworkResolver.Settings.DEFAULT_MAX_IN_FLIGHT, NetworkResolver.Settings.DEFAULT_MAX_CNAME_HOPS);
        } else {
            settings = NetworkResolver.Settings.system();
        }
        if (fromFile != null) settings = settings.withMaxInFlight(fromFile.maxInFlight());
        return settings.withTimeout(deadline);
    }
}
