package dev.sekisho.checks;

import dev.sekisho.config.CheckConfig;
import dev.sekisho.config.ListConfig;
import dev.sekisho.engine.Action;
import dev.sekisho.engine.CheckResult;
import dev.sekisho.engine.EvaluationContext;
import dev.sekisho.engine.Stage;
import dev.sekisho.engine.Transaction;
import dev.sekisho.geo.GeoIp;
import dev.sekisho.state.RateWindow;
import dev.sekisho.state.StateStore;
import dev.sekisho.testing.MutableClock;
import dev.sekisho.testing.TestStores;
import dev.sekisho.testing.Transactions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A rate limit for some countries only: "sending from abroad is limited to N messages a day", keyed on the account. */
class CountryRateLimitTest {
    private static final String HOME = "192.0.2.10";
    private static final String ABROAD = "198.51.100.10";
    private static final String PRIVATE = "10.1.2.3";

    @TempDir
    Path dir;
    private final MutableClock clock = MutableClock.at("2026-11-22T10:00:00Z");
    private final StateStore store = TestStores.inMemory();
    private final OpenTransactions transactions = new OpenTransactions(1000, Duration.ofHours(1), warning -> { });
    private ClientCountry countries;

    @BeforeEach
    void writeDatabase() {
        countries = TestCountries.homeAndAbroad(dir, clock);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static CheckConfig.RateLimit abroad(boolean unknownCounted) {
        return new CheckConfig.RateLimit("abroad", CheckConfig.RateKey.SASL_USERNAME, CheckConfig.RateUnit.MESSAGES,
                List.of(new RateWindow(2, Duration.ofDays(1))), Action.defer(450, "4.7.1", ""), ListConfig.EMPTY,
                new CheckConfig.CountryCondition(Set.of("JP"), true, unknownCounted));
    }

    /** One message as Postfix asks about it: RCPT (checked), then END-OF-MESSAGE (counted once accepted). */
    private CheckResult send(RateLimitCheck check, String client) {
        Transaction rcpt = Transactions.rcpt(client).login("alice@example.jp").build();
        CheckResult atRcpt = ask(check, rcpt);
        if (atRcpt.decisive()) return atRcpt;
        return ask(check, Transactions.rcpt(client).login("Alice@example.jp").stage(Stage.END_OF_MESSAGE).size(1000).recipients(1).build());
    }

    private CheckResult ask(RateLimitCheck check, Transaction tx) {
        CheckResult result = check.evaluate(tx, new EvaluationContext(clock.instant(), clock.instant().plusSeconds(2), false));
        if (result.decisive()) return result;
        return result.charge().commit().orElse(result);
    }

    @Test
    void messagesFromAbroadAreLimitedPerAccountAndThoseFromHomeAreNotCounted() {
        RateLimitCheck check = new RateLimitCheck(abroad(false), "submission", new ClientNetworks(24, 64), store, transactions, countries);
        for (int i = 0; i < 5; i++) {
            CheckResult home = send(check, HOME);
            assertThat(home.decisive()).isFalse();
            assertThat(home.explanation().rule()).isEqualTo("countries not-in JP");
            assertThat(home.explanation().detail()).isEqualTo("country JP is listed: not counted");
        }
        assertThat(send(check, ABROAD).decisive()).isFalse();
        CheckResult second = send(check, ABROAD);
        assertThat(second.decisive()).isFalse();
        assertThat(second.explanation().key()).isEqualTo("sasl-username=alice@example.jp country=US");
        CheckResult third = send(check, ABROAD);
        assertThat(third.decisive()).as("the third message from abroad in a day").isTrue();
        assertThat(third.action().code()).isEqualTo(450);
        assertThat(third.action().argument()).isEqualTo("Rate limit abroad (2/1d messages) exceeded for alice@example.jp, try again in 43200s");
        assertThat(third.explanation().key()).isEqualTo("sasl-username=alice@example.jp country=US");
        assertThat(third.explanation().values()).containsEntry("1d", "2/2");
        assertThat(send(check, HOME).decisive()).as("at home the account still sends").isFalse();

        clock.advance(Duration.ofHours(12));
        assertThat(send(check, ABROAD).decisive()).as("GCRA: one message's worth is back after half a day").isFalse();
        assertThat(send(check, ABROAD).decisive()).isTrue();
    }

    @Test
    void aClientOfUnknownCountryIsCountedOnlyWhenConfigured() {
        RateLimitCheck notCounted = new RateLimitCheck(abroad(false), "submission", new ClientNetworks(24, 64), store, transactions, countries);
        for (int i = 0; i < 4; i++) {
            CheckResult r = send(notCounted, PRIVATE);
            assertThat(r.decisive()).isFalse();
            assertThat(r.explanation().detail()).isEqualTo("country unknown (not in the database): not counted");
        }
        RateLimitCheck counted = new RateLimitCheck(abroad(true), "submission", new ClientNetworks(24, 64), store, transactions, countries);
        assertThat(send(counted, PRIVATE).decisive()).isFalse();
        assertThat(send(counted, PRIVATE).explanation().key()).isEqualTo("sasl-username=alice@example.jp country=unknown");
        assertThat(send(counted, PRIVATE).decisive()).isTrue();
    }

    @Test
    void aLimitForListedCountriesCountsOnlyThose() {
        var usOnly = new CheckConfig.RateLimit("us", CheckConfig.RateKey.SASL_USERNAME, CheckConfig.RateUnit.MESSAGES,
                List.of(new RateWindow(1, Duration.ofDays(1))), Action.defer(450, "4.7.1", ""), ListConfig.EMPTY,
                new CheckConfig.CountryCondition(Set.of("US"), false, false));
        RateLimitCheck check = new RateLimitCheck(usOnly, "submission", new ClientNetworks(24, 64), store, transactions, countries);
        assertThat(send(check, ABROAD).decisive()).isFalse();
        assertThat(send(check, ABROAD).decisive()).isTrue();
        assertThat(send(check, HOME).explanation().detail()).isEqualTo("country JP is not listed: not counted");
    }

    @Test
    void withoutACountryDatabaseTheLimitCountsNobodyAndSaysWhy() {
        ClientCountry none = new ClientCountry(GeoIp.open(GeoIp.Databases.none(), clock, m -> { }), m -> { });
        RateLimitCheck check = new RateLimitCheck(abroad(true), "submission", new ClientNetworks(24, 64), store, transactions, none);
        for (int i = 0; i < 4; i++) {
            CheckResult r = send(check, ABROAD);
            assertThat(r.decisive()).isFalse();
            assertThat(r.explanation().detail()).isEqualTo(ClientCountry.RULES_OFF + "; not counted");
        }
    }

    @Test
    void aCountryConditionNeedsACountrySource() {
        assertThatThrownBy(() -> new RateLimitCheck(abroad(false), "submission", new ClientNetworks(24, 64), store, transactions, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("abroad");
    }
}
