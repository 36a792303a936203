package dev.sekisho.cli;

import dev.sekisho.config.Durations;
import dev.sekisho.config.SekishoConfig;
import dev.sekisho.dmarc.PublicSuffixList;
import dev.sekisho.geo.GeoDatabaseException;
import dev.sekisho.geo.GeoIp;
import dev.sekisho.reports.enrichment.EnrichmentPart;
import dev.sekisho.reports.enrichment.ReverseDnsLookup;
import dev.sekisho.reports.enrichment.SourceEnricher;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/** The enrichment options of {@code dmarc import} (a picocli mixin), and the enricher they make. */
final class EnrichOptions {
    @Option(names = "--enrich", paramLabel = "PARTS", defaultValue = "dns,geo",
            description = "What to look up about each source address after the reports are stored: dns (forward-confirmed reverse "
                    + "DNS and the base domain of a confirmed name), geo (country and AS from the geoip databases), comma-separated "
                    + "(default ${DEFAULT-VALUE}). An address looked up within --enrich-max-age is not looked up again.")
    String parts;

    @Option(names = "--no-enrich", description = "Look nothing up (the same as --enrich none).")
    boolean off;

    @Option(names = "--enrich-max-age", paramLabel = "DURATION", defaultValue = "7d",
            description = "How long a result is kept before it is looked up again (default ${DEFAULT-VALUE}); an unknown reverse DNS "
                    + "result (a temporary failure) is asked again at every import.")
    String maxAge;

    @Option(names = "--enrich-budget", paramLabel = "DURATION", defaultValue = "2m",
            description = "How long enrichment may start new lookups (default ${DEFAULT-VALUE}); addresses left over are looked up by "
                    + "the next import.")
    String budget;

    @Option(names = "--enrich-concurrency", paramLabel = "N", defaultValue = "32",
            description = "Addresses looked up at once (default ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--geoip-country", paramLabel = "FILE",
            description = "A MaxMind-format country or city database (.mmdb). Default: geoip.country-database of --config.")
    Path countryDatabase;

    @Option(names = "--geoip-asn", paramLabel = "FILE",
            description = "A MaxMind-format ASN database (.mmdb). Default: geoip.asn-database of --config.")
    Path asnDatabase;

    @Mixin
    DnsOptions dns = new DnsOptions();

    /** An enricher ready to run, with what it could not do said in {@code notes}. */
    record Prepared(SourceEnricher enricher, SourceEnricher.Settings settings, List<String> notes) {
        Set<EnrichmentPart> usable() {
            return enricher.usable(settings.parts());
        }

        String partWords() {
            return settings.parts().stream().sorted().map(EnrichmentPart::word).collect(Collectors.joining(","));
        }
    }

    /** The parts asked for. */
    Set<EnrichmentPart> wanted() {
        return off ? EnumSet.noneOf(EnrichmentPart.class) : EnrichmentPart.parse(parts);
    }

    /**
     * Builds the enricher. A bad option or an unreadable database is an IllegalArgumentException naming it; a part that
     * cannot run (no resolver, no database) is left out with a note.
     */
    Prepared prepare(InstantSource clock) {
        Set<EnrichmentPart> wanted = wanted();
        Duration age = duration("--enrich-max-age", maxAge);
        Duration time = duration("--enrich-budget", budget);
        if (concurrency < 1) throw new IllegalArgumentException("--enrich-concurrency must be at least 1, was " + concurrency);
        List<String> notes = new CopyOnWriteArrayList<>();

        Optional<ReverseDnsLookup> reverseDns = Optional.empty();
        if (wanted.contains(EnrichmentPart.DNS)) {
            try {
                reverseDns = Optional.of(new ReverseDnsLookup(dns.resolver()));
            } catch (IllegalStateException noResolver) {
                notes.add("reverse DNS: off: " + noResolver.getMessage() + " (give --resolver)");
            }
        }

        GeoIp geo = GeoIp.open(GeoIp.Databases.none(), clock, notes::add);
        if (wanted.contains(EnrichmentPart.GEO)) {
            GeoIp.Databases databases = databases();
            try {
                geo = GeoIp.open(databases, clock, notes::add);
            } catch (GeoDatabaseException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
            if (!geo.hasDatabase()) {
                notes.add("GeoIP: no database configured (--geoip-country and --geoip-asn, or geoip in --config): country and ASN unknown");
            }
        }
        SourceEnricher enricher = new SourceEnricher(reverseDns, geo, PublicSuffixList.bundled(), clock);
        return new Prepared(enricher, new SourceEnricher.Settings(wanted, age, time, concurrency), notes);
    }

    private GeoIp.Databases databases() {
        SekishoConfig.GeoipConfig fromFile = dns.configFile().map(SekishoConfig::geoip).orElse(null);
        Optional<Path> country = countryDatabase != null ? Optional.of(countryDatabase)
                : fromFile != null ? fromFile.countryDatabase() : Optional.empty();
        Optional<Path> asn = asnDatabase != null ? Optional.of(asnDatabase) : fromFile != null ? fromFile.asnDatabase() : Optional.empty();
        Duration check = fromFile != null ? fromFile.reloadCheck() : GeoIp.Databases.DEFAULT_RELOAD_CHECK;
        return new GeoIp.Databases(country, asn, check);
    }

    private static Duration duration(String option, String text) {
        Duration d;
        try {
            d = Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
        }
        if (d.isNegative()) throw new IllegalArgumentException(option + " must not be negative, was " + text);
        return d;
    }
}
