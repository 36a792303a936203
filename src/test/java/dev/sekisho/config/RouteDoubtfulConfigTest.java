package dev.sekisho.config;

import dev.sekisho.engine.Action;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** route-doubtful and the soft rate limit: read, defaulted, and refused with file, line and key. */
class RouteDoubtfulConfigTest {
    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("sekisho.yaml");
    }

    private List<CheckConfig> checks(String checksYaml) throws Exception {
        Files.writeString(file(), "services:\n  submission:\n    checks:\n" + checksYaml);
        return new ConfigLoader().load(file()).services().get("submission").checks();
    }

    private void refused(String checksYaml, String message) {
        assertThatThrownBy(() -> checks(checksYaml)).isInstanceOf(ConfigException.class).hasMessage(file() + ":" + message);
    }

    @Test
    void routeDoubtfulWithItsDefaults() throws Exception {
        var route = (CheckConfig.RouteDoubtful) checks("      - type: route-doubtful\n").get(0);
        assertThat(route).isEqualTo(new CheckConfig.RouteDoubtful("route-doubtful", "smtp-doubtful:", Duration.ofDays(7),
                java.util.Set.of("JP"), false, true));
    }

    @Test
    void withoutItsOwnHomeCountriesItTakesTheAccountsOnes() throws Exception {
        Files.writeString(file(), """
                accounts:
                  home-countries: [JP, KR]
                services:
                  submission:
                    checks:
                      - type: route-doubtful
                """);
        var route = (CheckConfig.RouteDoubtful) new ConfigLoader().load(file()).services().get("submission").checks().get(0);
        assertThat(route.homeCountries()).containsExactlyInAnyOrder("JP", "KR");
    }

    @Test
    void everyKeyIsRead() throws Exception {
        var route = (CheckConfig.RouteDoubtful) checks("""
                      - type: route-doubtful
                        name: doubtful
                        transport: "smtp-doubtful:[relay.example.jp]:25"
                        restricted-within: 0
                        home-countries: [JP, KR]
                        unknown-country-doubtful: true
                        earlier-doubts: false
                """).get(0);
        assertThat(route).isEqualTo(new CheckConfig.RouteDoubtful("doubtful", "smtp-doubtful:[relay.example.jp]:25", Duration.ZERO,
                java.util.Set.of("JP", "KR"), true, false));
    }

    @Test
    void aRateLimitWithActionDoubtfulIsSoftAndOthersAreNot() throws Exception {
        List<CheckConfig> checks = checks("""
                      - type: rate-limit
                        name: soft
                        key: sasl-username
                        limits: [50/1h]
                        action: Doubtful
                      - type: rate-limit
                        name: hard
                        key: sasl-username
                        limits: [100/1h]
                        action: 450 4.7.1 Slow down
                """);
        assertThat(((CheckConfig.RateLimit) checks.get(0)).soft()).isTrue();
        var hard = (CheckConfig.RateLimit) checks.get(1);
        assertThat(hard.soft()).isFalse();
        assertThat(hard.action()).isEqualTo(Action.defer(450, "4.7.1", "Slow down"));
    }

    @Test
    void badValuesAreRefusedNamingTheKey() {
        refused("""
                      - type: route-doubtful
                        transport: smtp doubtful
                """, "5: services.submission.checks[0].transport: must be a master.cf transport and an optional next hop, "
                + "like smtp-doubtful: or smtp-doubtful:[relay.example.net], was \"smtp doubtful\"");
        refused("""
                      - type: route-doubtful
                        restricted-within: 0
                        home-countries: []
                        earlier-doubts: false
                """, "4: services.submission.checks[0]: route-doubtful has no signal: set restricted-within, home-countries or earlier-doubts");
        refused("""
                      - type: route-doubtful
                        home-countries: [JPN]
                """, "5: services.submission.checks[0].home-countries[0]: a country is an ISO 3166-1 alpha-2 code, two letters A-Z like JP, was \"JPN\"");
        refused("""
                      - type: route-doubtful
                        transport-name: smtp-doubtful
                """, "5: services.submission.checks[0].transport-name: unknown key (known here: "
                + "earlier-doubts, home-countries, name, restricted-within, transport, type, unknown-country-doubtful)");
        refused("""
                      - type: rate-limit
                        key: sasl-username
                        limits: [5/1h]
                        action: doubtfull
                """, "7: services.submission.checks[0].action: unknown action \"doubtfull\" (one of ok, dunno, "
                + "reject, defer, defer_if_permit, defer_if_reject, hold, discard, filter, redirect, bcc, prepend, info, warn, or "
                + "\"4xx/5xx x.y.z text\") (or doubtful)");
    }
}
