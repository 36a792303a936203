package dev.sekisho.geo;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Country and autonomous system of an address from MaxMind-format databases: a country database (GeoLite2/GeoIP2
 * Country or City, or any database with the same layout) and an optional separate ASN database (GeoLite2/GeoIP2 ASN).
 * A country comes from {@code country.iso_code}, else {@code registered_country.iso_code} (an address of an
 * anycast or satellite network may have only the country it is registered in). The AS comes from the ASN database's
 * {@code autonomous_system_number} and {@code autonomous_system_organization}; without an ASN database, from the country
 * database when its records have them (combined databases such as GeoIP2 ISP or Enterprise). Thread safe.
 */
public final class GeoIp {
    private static final Logger LOG = LoggerFactory.getLogger(GeoIp.class);

    /**
     * Which files to read.
     *
     * @param country     the country (or city) database; empty for none
     * @param asn         the ASN database; empty for none
     * @param reloadCheck how often, at most, the files are checked for a change
     */
    public record Databases(Optional<Path> country, Optional<Path> asn, Duration reloadCheck) {
        public static final Duration DEFAULT_RELOAD_CHECK = Duration.ofSeconds(60);

        public Databases {
            Objects.requireNonNull(country, "country");
            Objects.requireNonNull(asn, "asn");
            Objects.requireNonNull(reloadCheck, "reloadCheck");
            if (reloadCheck.isNegative() || reloadCheck.isZero()) throw new IllegalArgumentException("reloadCheck must be positive, was " + reloadCheck);
        }

        public static Databases none() {
            return new Databases(Optional.empty(), Optional.empty(), DEFAULT_RELOAD_CHECK);
        }
    }

    private final Optional<MaxMindFile> country;
    private final Optional<MaxMindFile> asn;
    private final Consumer<String> notices;
    private final AtomicBoolean noCountrySaid = new AtomicBoolean();
    private final AtomicBoolean noAsnSaid = new AtomicBoolean();

    private GeoIp(Optional<MaxMindFile> country, Optional<MaxMindFile> asn, Consumer<String> notices) {
        this.country = country;
        this.asn = asn;
        this.notices = notices;
    }

    /**
     * Opens the configured databases; problems found later (a changed file that cannot be read, a database without the
     * part asked for) go to {@code notices}, each once.
     *
     * @throws GeoDatabaseException naming the file when a configured database is missing or unreadable
     */
    public static GeoIp open(Databases databases, InstantSource clock, Consumer<String> notices) {
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(notices, "notices");
        Optional<MaxMindFile> country = databases.country().map(p -> MaxMindFile.open(p, "country", databases.reloadCheck(), clock, notices));
        Optional<MaxMindFile> asn = databases.asn().map(p -> MaxMindFile.open(p, "ASN", databases.reloadCheck(), clock, notices));
        return new GeoIp(country, asn, notices);
    }

    /** As {@link #open(Databases, InstantSource, Consumer)}, with notices logged as warnings. */
    public static GeoIp open(Databases databases, InstantSource clock) {
        return open(databases, clock, LOG::warn);
    }

    /**
     * Whether a file can be opened as a MaxMind database (for configuration checks): empty when it can, else a sentence
     * saying why not, naming the file. Reads only the metadata.
     */
    public static Optional<String> problem(Path file) {
        return MaxMindFile.problem(file);
    }

    /** True when at least one database is open. */
    public boolean hasDatabase() {
        return country.isPresent() || asn.isPresent();
    }

    /** The files in use, for messages: "country GeoLite2-Country (/var/lib/GeoIP/GeoLite2-Country.mmdb), ASN none". */
    public String describe() {
        return "country " + country.map(f -> f.databaseType() + " (" + f.path() + ")").orElse("none")
                + ", ASN " + asn.map(f -> f.databaseType() + " (" + f.path() + ")").orElse("none");
    }

    /** What the databases say about the address; never throws for what a database holds or lacks. */
    public GeoAnswer lookup(InetAddress address) {
        return lookup(address, true);
    }

    /**
     * The country only, for rules that need nothing else (the policy server's country checks): the ASN database is not
     * read and its absence is not reported; the answer's AS part says NO_DATABASE.
     */
    public GeoAnswer country(InetAddress address) {
        return lookup(address, false);
    }

    private GeoAnswer lookup(InetAddress address, boolean withAs) {
        Objects.requireNonNull(address, "address");
        if (!hasDatabase()) {
            if (noCountrySaid.compareAndSet(false, true)) {
                notices.accept("GeoIP: no database configured (geoip.country-database, geoip.asn-database): country and ASN are unknown");
            }
            return GeoAnswer.noDatabase();
        }
        GeoAnswer.Status countryStatus;
        Optional<String> countryCode = Optional.empty();
        Optional<Map<String, Object>> countryRecord = Optional.empty();
        if (country.isEmpty()) {
            countryStatus = GeoAnswer.Status.NO_DATABASE;
            if (noCountrySaid.compareAndSet(false, true)) {
                notices.accept("GeoIP: no country database configured (geoip.country-database): countries are unknown");
            }
        } else {
            try {
                countryRecord = country.get().record(address);
                countryCode = countryRecord.flatMap(GeoIp::countryCode);
                countryStatus = countryCode.isPresent() ? GeoAnswer.Status.FOUND : GeoAnswer.Status.NOT_IN_DATABASE;
            } catch (IOException | RuntimeException e) { // a damaged file may fail either way inside the reader
                country.get().reportReadError(e);
                countryStatus = GeoAnswer.Status.DATABASE_ERROR;
            }
        }

        if (!withAs) return new GeoAnswer(countryStatus, countryCode, GeoAnswer.Status.NO_DATABASE, Optional.empty(), Optional.empty());

        GeoAnswer.Status asStatus;
        Optional<Long> number = Optional.empty();
        Optional<String> organization = Optional.empty();
        Optional<Map<String, Object>> asRecord;
        if (asn.isPresent()) {
            try {
                asRecord = asn.get().record(address);
                number = asRecord.flatMap(GeoIp::asNumber);
                asStatus = number.isPresent() ? GeoAnswer.Status.FOUND : GeoAnswer.Status.NOT_IN_DATABASE;
            } catch (IOException | RuntimeException e) { // a damaged file may fail either way inside the reader
                asn.get().reportReadError(e);
                asRecord = Optional.empty();
                asStatus = GeoAnswer.Status.DATABASE_ERROR;
            }
        } else {
            // A combined database (GeoIP2 ISP, Enterprise) answers both from the country file.
            asRecord = countryRecord;
            number = asRecord.flatMap(GeoIp::asNumber);
            asStatus = number.isPresent() ? GeoAnswer.Status.FOUND : GeoAnswer.Status.NO_DATABASE;
            if (number.isEmpty() && noAsnSaid.compareAndSet(false, true)) {
                notices.accept("GeoIP: no ASN database configured (geoip.asn-database): AS numbers are unknown");
            }
        }
        if (number.isPresent()) organization = asRecord.flatMap(GeoIp::asOrganization);
        return new GeoAnswer(countryStatus, countryCode, asStatus, number, organization);
    }

    /** country.iso_code, else registered_country.iso_code (the GeoIP2 Country and City layout). */
    static Optional<String> countryCode(Map<String, Object> record) {
        for (String key : new String[]{"country", "registered_country"}) {
            if (record.get(key) instanceof Map<?, ?> part && part.get("iso_code") instanceof String code && !code.isBlank()) {
                return Optional.of(code.strip().toUpperCase(Locale.ROOT));
            }
        }
        return Optional.empty();
    }

    /** autonomous_system_number at the top (GeoLite2 ASN, GeoIP2 ISP) or under traits (GeoIP2 Enterprise). */
    static Optional<Long> asNumber(Map<String, Object> record) {
        Object value = field(record, "autonomous_system_number");
        if (value instanceof Number n && n.longValue() >= 0) return Optional.of(n.longValue());
        return Optional.empty();
    }

    static Optional<String> asOrganization(Map<String, Object> record) {
        Object value = field(record, "autonomous_system_organization");
        return value instanceof String s && !s.isBlank() ? Optional.of(s.strip()) : Optional.empty();
    }

    private static Object field(Map<String, Object> record, String key) {
        Object value = record.get(key);
        if (value == null && record.get("traits") instanceof Map<?, ?> traits) value = traits.get(key);
        return value;
    }
}
