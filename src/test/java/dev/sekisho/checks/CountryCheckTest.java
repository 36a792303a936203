package dev.sekisho.checks;

import dev.sekisho.config.CheckConfig;
import dev.sekisho.config.ListConfig;
import dev.sekisho.engine.Action;
import dev.sekisho.engine.CheckResult;
import dev.sekisho.engine.EvaluationContext;
import dev.sekisho.engine.Transaction;
import dev.sekisho.geo.GeoIp;
import dev.sekisho.testing.MmdbWriter;
import dev.sekisho.testing.MutableClock;
import dev.sekisho.testing.Transactions;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The country check against a generated MaxMind database of documentation ranges. */
class CountryCheckTest {
    private static final String JP = "192.0.2.10";
    private static final String US = "198.51.100.10";
    private static final String CN = "203.0.113.10";
    private static final String DE_V6 = "2001:db8::25";
    /** RFC 1918: in no database. */
    private static final String PRIVATE = "10.1.2.3";

    @TempDir
    Path dir;
    private final MutableClock clock = MutableClock.at("2026-11-22T10:00:00Z");
    private final List<String> notices = new ArrayList<>();
    private Path database;
    private ClientCountry countries;

    @BeforeEach
    void writeDatabase() {
        database = new MmdbWriter("GeoLite2-Country")
                .network("192.0.2.0/24", MmdbWriter.country("JP"))
                .network("198.51.100.0/24", MmdbWriter.country("US"))
                .network("203.0.113.0/24", MmdbWriter.country("CN"))
                .network("2001:db8::/32", MmdbWriter.country("DE"))
                .write(dir.resolve("country.mmdb"));
        countries = new ClientCountry(GeoIp.open(new GeoIp.Databases(Optional.of(database), Optional.empty(), Duration.ofSeconds(60)),
                clock, notices::add), notices::add);
    }

    private static CheckConfig.Country config(Set<String> allow, Set<String> deny, List<String> allowNetworks, List<String> denyNetworks,
                                              CheckConfig.UnknownCountry unknown, Action action, ListConfig exempt) {
        return new CheckConfig.Country("home-only", allow, deny, networks(allowNetworks), networks(denyNetworks), unknown, action, exempt);
    }

    private static List<IPAddress> networks(List<String> texts) {
        return texts.stream().map(t -> new IPAddressString(t).getAddress().toPrefixBlock()).toList();
    }

    private CountryCheck allowJapan(CheckConfig.UnknownCountry unknown) {
        return new CountryCheck(config(Set.of("JP"), Set.of(), List.of(), List.of(), unknown, Action.reject(554, "5.7.1", ""), ListConfig.EMPTY),
                countries);
    }

    private CheckResult ask(CountryCheck check, Transaction tx) {
        return check.evaluate(tx, new EvaluationContext(clock.instant(), clock.instant().plusSeconds(2), false));
    }

    private CheckResult ask(CountryCheck check, String client) {
        return ask(check, Transactions.rcpt(client).login("alice@example.jp").build());
    }

    @Test
    void aClientFromAnAllowedCountryPassesAndOneFromElsewhereIsRejectedNamingTheCountryAndTheRule() {
        CountryCheck check = allowJapan(CheckConfig.UnknownCountry.PASS);
        CheckResult home = ask(check, JP);
        assertThat(home.decisive()).isFalse();
        assertThat(home.explanation().toLogString())
                .isEqualTo("check=home-only rule=\"allow-countries JP\" key=country=JP client=192.0.2.10 detail=\"country JP is allowed\"");

        CheckResult abroad = ask(check, US);
        assertThat(abroad.decisive()).isTrue();
        assertThat(abroad.action()).isEqualTo(Action.reject(554, "5.7.1", "Access from country US is not allowed"));
        assertThat(abroad.explanation().rule()).isEqualTo("allow-countries JP");
        assertThat(abroad.explanation().key()).isEqualTo("country=US client=198.51.100.10");
        assertThat(abroad.explanation().detail()).isEqualTo("country US is not an allowed country");

        assertThat(ask(check, DE_V6).explanation().key()).as("IPv6 clients are looked up too").isEqualTo("country=DE client=2001:db8::25");
        assertThat(ask(check, DE_V6).decisive()).isTrue();
    }

    @Test
    void aDeniedCountryGetsTheConfiguredActionAndOthersPass() {
        Action defer = Action.defer(450, "4.7.1", "Try again later");
        CountryCheck check = new CountryCheck(config(Set.of(), Set.of("CN", "RU"), List.of(), List.of(), CheckConfig.UnknownCountry.PASS,
                defer, ListConfig.EMPTY), countries);
        CheckResult denied = ask(check, CN);
        assertThat(denied.decisive()).isTrue();
        assertThat(denied.action()).as("an action with its own text keeps it").isEqualTo(defer);
        assertThat(denied.explanation().rule()).isEqualTo("deny-countries CN RU");
        assertThat(ask(check, US).decisive()).isFalse();
        assertThat(ask(check, US).explanation().detail()).isEqualTo("country US is not denied");
        assertThat(ask(check, JP).decisive()).isFalse();
    }

    @Test
    void networksAreJudgedBeforeCountries() {
        CountryCheck check = new CountryCheck(config(Set.of("JP"), Set.of(), List.of("198.51.100.0/28"), List.of("192.0.2.8/29"),
                CheckConfig.UnknownCountry.PASS, Action.reject(554, "5.7.1", ""), ListConfig.EMPTY), countries);
        CheckResult allowedAbroad = ask(check, US);
        assertThat(allowedAbroad.decisive()).as("an allowed network passes whatever its country").isFalse();
        assertThat(allowedAbroad.explanation().rule()).isEqualTo("allow-networks 198.51.100.0/28");
        CheckResult deniedAtHome = ask(check, JP);
        assertThat(deniedAtHome.decisive()).as("a denied network is refused whatever its country").isTrue();
        assertThat(deniedAtHome.explanation().rule()).isEqualTo("deny-networks 192.0.2.8/29");
        assertThat(deniedAtHome.action().argument()).isEqualTo("Access denied (home-only)");
        assertThat(ask(check, "192.0.2.20").decisive()).as("outside the denied network, JP is allowed").isFalse();
        assertThat(ask(check, "198.51.100.20").decisive()).as("outside the allowed network, US is not").isTrue();
    }

    @Test
    void networkRulesWorkWithoutACountryDatabase() {
        List<String> said = new ArrayList<>();
        ClientCountry none = new ClientCountry(GeoIp.open(GeoIp.Databases.none(), clock, m -> { }), said::add);
        CountryCheck check = new CountryCheck(config(Set.of(), Set.of(), List.of(), List.of("203.0.113.0/24"), CheckConfig.UnknownCountry.PASS,
                Action.reject(554, "5.7.1", ""), ListConfig.EMPTY), none);
        assertThat(ask(check, CN).decisive()).isTrue();
        CheckResult other = ask(check, US);
        assertThat(other.decisive()).isFalse();
        assertThat(other.explanation().detail()).isEqualTo("no network rule matched");
        assertThat(said).as("no country was needed, so nothing to say").isEmpty();
    }

    @Test
    void anUnknownCountryFollowsTheUnknownChoice() {
        CheckResult passed = ask(allowJapan(CheckConfig.UnknownCountry.PASS), PRIVATE);
        assertThat(passed.decisive()).isFalse();
        assertThat(passed.explanation().rule()).isEqualTo("unknown: pass");
        assertThat(passed.explanation().detail()).isEqualTo("country unknown (not in the database)");

        CheckResult denied = ask(allowJapan(CheckConfig.UnknownCountry.DENY), PRIVATE);
        assertThat(denied.decisive()).isTrue();
        assertThat(denied.explanation().rule()).isEqualTo("unknown: deny");
        assertThat(denied.action().argument()).isEqualTo("Access denied (home-only)");
    }

    @Test
    void logOnlyNotesARefusalWithoutDeciding() {
        CountryCheck check = new CountryCheck(config(Set.of("JP"), Set.of(), List.of(), List.of(), CheckConfig.UnknownCountry.PASS,
                null, ListConfig.EMPTY), countries);
        CheckResult result = ask(check, US);
        assertThat(result.decisive()).isFalse();
        assertThat(result.notable()).isTrue();
        assertThat(result.explanation().detail()).isEqualTo("country US is not an allowed country");
        assertThat(ask(check, JP).notable()).isFalse();
    }

    @Test
    void exemptAccountsAndNetworksAreNotJudged() {
        ListConfig exempt = new ListConfig(networks(List.of("203.0.113.0/24")), Set.of(), Set.of("traveller@example.jp"), Set.of());
        CountryCheck check = new CountryCheck(config(Set.of("JP"), Set.of(), List.of(), List.of(), CheckConfig.UnknownCountry.PASS,
                Action.reject(554, "5.7.1", ""), exempt), countries);
        CheckResult traveller = ask(check, Transactions.rcpt(US).login("traveller@example.jp").build());
        assertThat(traveller.decisive()).isFalse();
        assertThat(traveller.explanation().detail()).isEqualTo("exempt: account traveller@example.jp");
        assertThat(ask(check, CN).decisive()).isFalse();
        assertThat(ask(check, US).decisive()).as("alice is not exempt").isTrue();
    }

    @Test
    void withoutACountryDatabaseEveryCheckAnswersDunnoAndSaysOnceThatCountryRulesAreOff() {
        List<String> said = new ArrayList<>();
        ClientCountry none = new ClientCountry(GeoIp.open(GeoIp.Databases.none(), clock, m -> { }), said::add);
        CountryCheck strict = new CountryCheck(config(Set.of("JP"), Set.of(), List.of(), List.of(), CheckConfig.UnknownCountry.DENY,
                Action.reject(554, "5.7.1", ""), ListConfig.EMPTY), none);
        for (String client : List.of(US, JP, PRIVATE)) {
            CheckResult result = ask(strict, client);
            assertThat(result.decisive()).as("never a guess, even with unknown: deny").isFalse();
            assertThat(result.explanation().detail()).isEqualTo(ClientCountry.RULES_OFF);
        }
        assertThat(said).containsExactly(ClientCountry.RULES_OFF + "; checks that judge by country answer DUNNO");
    }

    @Test
    void anUpdatedDatabaseIsUsedOnceTheReloadCheckIsDue() throws Exception {
        CountryCheck check = allowJapan(CheckConfig.UnknownCountry.PASS);
        assertThat(ask(check, US).decisive()).isTrue();
        // The operator's geoipupdate now places 198.51.100.0/24 in Japan.
        new MmdbWriter("GeoLite2-Country")
                .network("192.0.2.0/24", MmdbWriter.country("JP"))
                .network("198.51.100.0/24", MmdbWriter.country("JP"))
                .network("2001:db8::/32", MmdbWriter.country("DE"))
                .buildEpoch(1_800_000_000L)
                .write(database);
        Files.setLastModifiedTime(database, FileTime.from(clock.instant().plusSeconds(1)));
        assertThat(ask(check, US).decisive()).as("the copy in use until the check is due").isTrue();
        clock.advance(Duration.ofSeconds(61));
        CheckResult after = ask(check, US);
        assertThat(after.decisive()).isFalse();
        assertThat(after.explanation().key()).isEqualTo("country=JP client=198.51.100.10");
        assertThat(ask(check, CN).explanation().detail()).as("gone from the new data").isEqualTo("country unknown (not in the database)");
        assertThat(notices).as("the new file was read without complaint").noneMatch(n -> n.contains("country"));
    }
}
