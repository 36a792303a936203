package dev.sekisho.config;

import dev.sekisho.testing.MmdbWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The geoip section: database files checked at load, named with file, line and key when wrong. */
class GeoipConfigTest {
    private static final String SERVICES = "services:\n  mx:\n    checks: [restrictions]\n";

    @TempDir
    Path dir;

    private SekishoConfig load(String yaml) throws Exception {
        Path file = Files.writeString(dir.resolve("sekisho.yaml"), yaml + SERVICES);
        return new ConfigLoader().load(file);
    }

    @Test
    void withoutTheSectionThereIsNoDatabaseAndTheDefaultCheckInterval() throws Exception {
        SekishoConfig.GeoipConfig geoip = load("").geoip();
        assertThat(geoip.countryDatabase()).isEmpty();
        assertThat(geoip.asnDatabase()).isEmpty();
        assertThat(geoip.reloadCheck()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void relativePathsAreTakenFromTheConfigurationFilesFolder() throws Exception {
        Files.createDirectories(dir.resolve("GeoIP"));
        new MmdbWriter("GeoLite2-Country").network("192.0.2.0/24", MmdbWriter.country("JP")).write(dir.resolve("GeoIP/country.mmdb"));
        Path asn = new MmdbWriter("GeoLite2-ASN").network("192.0.2.0/24", MmdbWriter.asn(64_496, "X")).write(dir.resolve("asn.mmdb"));
        SekishoConfig.GeoipConfig geoip = load("geoip:\n  country-database: GeoIP/country.mmdb\n  asn-database: " + asn
                + "\n  reload-check: 5m\n").geoip();
        assertThat(geoip.countryDatabase()).contains(dir.resolve("GeoIP/country.mmdb").toAbsolutePath());
        assertThat(geoip.asnDatabase()).contains(asn);
        assertThat(geoip.reloadCheck()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void aMissingFileIsNamedWithFileLineAndKey() {
        Path missing = dir.resolve("GeoLite2-ASN.mmdb");
        assertThatThrownBy(() -> load("geoip:\n  asn-database: GeoLite2-ASN.mmdb\n")).isInstanceOf(ConfigException.class)
                .hasMessage(dir.resolve("sekisho.yaml") + ":2: geoip.asn-database: no such file: " + missing);
    }

    @Test
    void aFileThatIsNotAMaxMindDatabaseIsRefused() throws Exception {
        Path text = Files.writeString(dir.resolve("country.mmdb"), "not a database");
        assertThatThrownBy(() -> load("geoip:\n  country-database: " + text + "\n")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(dir.resolve("sekisho.yaml") + ":2: geoip.country-database: " + text + " is not a MaxMind database: ");
    }

    @Test
    void aZeroCheckIntervalAndAnUnknownKeyAreRefused() {
        assertThatThrownBy(() -> load("geoip:\n  reload-check: 0s\n")).isInstanceOf(ConfigException.class)
                .hasMessageEndingWith(":2: geoip.reload-check: must be longer than zero");
        assertThatThrownBy(() -> load("geoip:\n  city-database: x.mmdb\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining(":2: geoip.city-database: unknown key (known here: asn-database, country-database, reload-check)");
    }

    @Test
    void anEmptyValueMeansNone() throws Exception {
        assertThat(load("geoip:\n  country-database:\n").geoip().countryDatabase()).isEqualTo(Optional.empty());
    }
}
