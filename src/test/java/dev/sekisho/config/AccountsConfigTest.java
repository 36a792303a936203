package dev.sekisho.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The accounts section and the account-abroad check: defaults, every key, and refusals with file, line and key. */
class AccountsConfigTest {
    private static final String SERVICES = "services:\n  mx:\n    checks: [restrictions]\n";

    @TempDir
    Path dir;

    private SekishoConfig load(String yaml) throws Exception {
        Path file = Files.writeString(dir.resolve("sekisho.yaml"), yaml.contains("services:") ? yaml : yaml + SERVICES);
        return new ConfigLoader().load(file);
    }

    private void refused(String yaml, String message) {
        assertThatThrownBy(() -> load(yaml)).isInstanceOf(ConfigException.class).hasMessage(dir.resolve("sekisho.yaml") + ":" + message);
    }

    @Test
    void defaultsWithoutTheSection() throws Exception {
        assertThat(load("default-service: mx\n").accounts()).isEqualTo(AccountsConfig.defaults());
        assertThat(new ConfigLoader().loadDefaults().accounts().homeCountries()).containsExactly("JP");
    }

    @Test
    void everyKeyIsRead() throws Exception {
        AccountsConfig a = load("""
                accounts:
                  home-countries: [JP, KR]
                  unknown-country: refuse
                  several-countries: {countries: 3, window: 2h, restrict-for: 12h}
                  history: 50
                  history-retention: 30d
                services:
                  submission:
                    checks:
                      - type: account-abroad
                        action: 450 4.7.1 Not from abroad
                """).accounts();
        assertThat(a.homeCountries()).isEqualTo(Set.of("JP", "KR"));
        assertThat(a.unknownCountry()).isEqualTo(AccountsConfig.UnknownCountry.REFUSE);
        assertThat(a.severalCountries()).isEqualTo(new AccountsConfig.SeveralCountries(3, Duration.ofHours(2), Duration.ofHours(12)));
        assertThat(a.history()).isEqualTo(50);
        assertThat(a.historyRetention()).isEqualTo(Duration.ofDays(30));
    }

    @Test
    void historyRetentionDefaultsToNinetyDaysAndIsBounded() throws Exception {
        assertThat(load("default-service: mx\n").accounts().historyRetention()).isEqualTo(Duration.ofDays(90));
        assertThat(load("accounts:\n  history-retention: 3660d\n").accounts().historyRetention()).isEqualTo(AccountsConfig.MAX_HISTORY_RETENTION);
        refused("accounts:\n  history-retention: 0s\n", "2: accounts.history-retention: must be longer than zero");
        refused("accounts:\n  history-retention: 3661d\n", "2: accounts.history-retention: must be at most 3660d, was 3661d");
        refused("accounts:\n  history-retention: 87841h\n", "2: accounts.history-retention: must be at most 3660d, was 87841h");
    }

    @Test
    void badValuesAreRefusedWithLineAndKey() {
        refused("accounts:\n  home-countries: [JPN]\n", "2: accounts.home-countries[0]: a country is an ISO 3166-1 alpha-2 code, two letters A-Z like JP, was \"JPN\"");
        refused("accounts:\n  unknown-country: maybe\n", "2: accounts.unknown-country: must be allow or refuse, was \"maybe\"");
        refused("accounts:\n  several-countries: {countries: 1}\n", "2: accounts.several-countries.countries: must be 0 (off) or at least 2: one country is every account");
        refused("accounts:\n  histroy: 5\n", "2: accounts.histroy: unknown key (known here: history, history-retention, home-countries, several-countries, unknown-country)");
    }
}
