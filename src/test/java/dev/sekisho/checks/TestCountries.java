package dev.sekisho.checks;

import dev.sekisho.geo.GeoIp;
import dev.sekisho.testing.MmdbWriter;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;

/** The country lookups the check tests share: 192.0.2.0/24 is at home (JP), 198.51.100.0/24 abroad (US). */
final class TestCountries {
    private TestCountries() {
    }

    /** Writes the database into {@code dir} and looks clients up in it; notices are dropped. */
    static ClientCountry homeAndAbroad(Path dir, InstantSource clock) {
        Path database = new MmdbWriter("GeoLite2-Country")
                .network("192.0.2.0/24", MmdbWriter.country("JP"))
                .network("198.51.100.0/24", MmdbWriter.country("US"))
                .write(dir.resolve("country.mmdb"));
        return new ClientCountry(GeoIp.open(new GeoIp.Databases(Optional.of(database), Optional.empty(), Duration.ofSeconds(60)),
                clock, m -> { }), m -> { });
    }
}
