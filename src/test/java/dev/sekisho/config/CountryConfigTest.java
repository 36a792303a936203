package dev.sekisho.config;

import dev.sekisho.engine.Action;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The country check and the rate limit's country condition: read, defaulted, and refused with file, line and key. */
class CountryConfigTest {
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
    void aCountryCheckWithItsDefaults() throws Exception {
        var check = (CheckConfig.Country) checks("""
                      - type: country
                        allow-countries: [JP]
                """).get(0);
        assertThat(check.name()).isEqualTo("country");
        assertThat(check.allowCountries()).containsExactly("JP");
        assertThat(check.denyCountries()).isEmpty();
        assertThat(check.unknown()).isEqualTo(CheckConfig.UnknownCountry.PASS);
        assertThat(check.action()).isEqualTo(Action.reject(554, "5.7.1", ""));
        assertThat(check.exempt().isEmpty()).isTrue();
    }

    @Test
    void everyKeyOfACountryCheckIsRead() throws Exception {
        var check = (CheckConfig.Country) checks("""
                      - type: country
                        name: no-hostile
                        deny-countries: [CN, NO]
                        allow-networks: [198.51.100.0/24]
                        deny-networks: [203.0.113.7, 2001:db8::/32]
                        unknown: deny
                        action: 450 4.7.1 Not from there
                        exempt:
                          accounts: [Traveller@example.jp]
                      - type: country
                        name: watch
                        deny-countries: [RU]
                        action: log
                """).get(0);
        assertThat(check.name()).isEqualTo("no-hostile");
        assertThat(check.denyCountries()).containsExactlyInAnyOrder("CN", "NO");
        assertThat(check.allowNetworks()).hasSize(1).first().hasToString("198.51.100.0/24");
        assertThat(check.denyNetworks()).extracting(Object::toString).containsExactly("203.0.113.7", "2001:db8::/32");
        assertThat(check.unknown()).isEqualTo(CheckConfig.UnknownCountry.DENY);
        assertThat(check.action()).isEqualTo(Action.defer(450, "4.7.1", "Not from there"));
        assertThat(check.exempt().accounts()).containsExactly("traveller@example.jp");
        var watch = (CheckConfig.Country) checks("""
                      - type: country
                        deny-countries: [RU]
                        action: log
                """).get(0);
        assertThat(watch.action()).as("log only").isNull();
    }

    @Test
    void aCountryIsTwoCapitalLettersNamingAnAssignedCountry() {
        refused("""
                      - type: country
                        allow-countries: [JP, JPN]
                """, "5: services.submission.checks[0].allow-countries[1]: a country is an ISO 3166-1 alpha-2 code, two letters A-Z like JP, was \"JPN\"");
        refused("""
                      - type: country
                        deny-countries:
                          - jp
                """, "6: services.submission.checks[0].deny-countries[0]: a country is an ISO 3166-1 alpha-2 code, two letters A-Z like JP, was \"jp\"");
        refused("""
                      - type: country
                        deny-countries: [XX]
                """, "5: services.submission.checks[0].deny-countries[0]: no country has the ISO 3166-1 code XX");
        refused("""
                      - type: country
                        deny-countries: [CN, CN]
                """, "5: services.submission.checks[0].deny-countries: CN is listed twice");
    }

    @Test
    void aCountryCheckThatCannotDecideAnythingOrContradictsItselfIsRefused() {
        refused("""
                      - type: country
                        allow-countries: [JP]
                        deny-countries: [CN]
                """, "6: services.submission.checks[0].deny-countries: give allow-countries (every other country is denied) or deny-countries, not both");
        refused("""
                      - type: country
                        unknown: deny
                """, "4: services.submission.checks[0]: a country check needs allow-countries, deny-countries, allow-networks or deny-networks");
        refused("""
                      - type: country
                        deny-countries: [CN]
                        unknown: guess
                """, "6: services.submission.checks[0].unknown: must be one of pass, deny, was \"guess\"");
        refused("""
                      - type: country
                        deny-networks: [192.0.2.0/33]
                """, "5: services.submission.checks[0].deny-networks[0]: not an IP address or CIDR network: \"192.0.2.0/33\"");
        refused("""
                      - type: country
                        deny-countries: [CN]
                        countries: [CN]
                """, "6: services.submission.checks[0].countries: unknown key (known here: action, allow-countries, allow-networks, "
                + "deny-countries, deny-networks, exempt, name, type, unknown)");
    }

    @Test
    void aRateLimitCanBeForClientsFromSomeCountriesOnly() throws Exception {
        List<CheckConfig> checks = checks("""
                      - type: rate-limit
                        name: abroad
                        key: sasl-username
                        count: messages
                        limits: [100/1d]
                        countries: {not-in: [JP]}
                      - type: rate-limit
                        name: listed
                        key: client-ip
                        limits: [10/1h]
                        countries:
                          in: [CN, RU]
                          unknown-counted: true
                      - type: rate-limit
                        name: everyone
                        key: client-ip
                        limits: [10/1h]
                """);
        assertThat(((CheckConfig.RateLimit) checks.get(0)).countries()).isEqualTo(new CheckConfig.CountryCondition(Set.of("JP"), true, false));
        assertThat(((CheckConfig.RateLimit) checks.get(1)).countries()).isEqualTo(new CheckConfig.CountryCondition(Set.of("CN", "RU"), false, true));
        assertThat(((CheckConfig.RateLimit) checks.get(2)).countries()).isNull();
    }

    @Test
    void aRateLimitsCountryConditionIsRefusedWhenMalformed() {
        String limit = """
                      - type: rate-limit
                        key: sasl-username
                        limits: [100/1d]
                """;
        refused(limit + "        countries: {in: [JP], not-in: [US]}\n",
                "7: services.submission.checks[0].countries: give either in (the limit counts clients from these countries) or not-in "
                        + "(clients from elsewhere, e.g. not-in: [JP] for \"from abroad\")");
        refused(limit + "        countries: {unknown-counted: true}\n",
                "7: services.submission.checks[0].countries: give either in (the limit counts clients from these countries) or not-in "
                        + "(clients from elsewhere, e.g. not-in: [JP] for \"from abroad\")");
        refused(limit + "        countries: {not-in: [Japan]}\n",
                "7: services.submission.checks[0].countries.not-in[0]: a country is an ISO 3166-1 alpha-2 code, two letters A-Z like JP, was \"Japan\"");
        refused(limit + "        countries: {notin: [JP]}\n",
                "7: services.submission.checks[0].countries.notin: unknown key (known here: in, not-in, unknown-counted)");
        refused(limit + "        countries: [JP]\n",
                "7: services.submission.checks[0].countries: must be a mapping of keys, was a list");
    }
}
