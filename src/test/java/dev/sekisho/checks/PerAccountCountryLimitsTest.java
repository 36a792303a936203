package dev.sekisho.checks;

import dev.sekisho.config.CheckConfig;
import dev.sekisho.config.ConfigLoader;
import dev.sekisho.config.ListConfig;
import dev.sekisho.engine.Action;
import dev.sekisho.engine.Engine;
import dev.sekisho.engine.ServicePolicy;
import dev.sekisho.engine.Stage;
import dev.sekisho.state.RateWindow;
import dev.sekisho.state.StateStore;
import dev.sekisho.testing.MutableClock;
import dev.sekisho.testing.TestStores;
import dev.sekisho.testing.Transactions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * "Per-account limits, multiplied per country" as docs/country-rules.md configures them: a general per-account limit
 * and a tighter one on the same account that counts only mail from abroad. 192.0.2.0/24 is JP, 198.51.100.0/24 US.
 */
class PerAccountCountryLimitsTest {
    @TempDir
    Path dir;
    private final MutableClock clock = MutableClock.at("2026-11-22T10:00:00Z");
    private final StateStore store = TestStores.inMemory();

    @AfterEach
    void close() {
        store.close();
    }

    private Engine engine() {
        ClientCountry countries = TestCountries.homeAndAbroad(dir, clock);
        ClientNetworks networks = new ClientNetworks(24, 64);
        OpenTransactions transactions = new OpenTransactions(1000, Duration.ofHours(1), warning -> { });
        var everywhere = new CheckConfig.RateLimit("per-account", CheckConfig.RateKey.SASL_USERNAME, CheckConfig.RateUnit.MESSAGES,
                List.of(new RateWindow(5, Duration.ofDays(1))), Action.defer(450, "4.7.1", ""), ListConfig.EMPTY);
        var abroad = new CheckConfig.RateLimit("per-account-abroad", CheckConfig.RateKey.SASL_USERNAME, CheckConfig.RateUnit.MESSAGES,
                List.of(new RateWindow(2, Duration.ofDays(1))), Action.defer(450, "4.7.1", ""), ListConfig.EMPTY,
                new CheckConfig.CountryCondition(Set.of("JP"), true, false));
        return new Engine(Map.of("submission", new ServicePolicy("submission",
                List.of(new RateLimitCheck(everywhere, "submission", networks, store, transactions, countries),
                        new RateLimitCheck(abroad, "submission", networks, store, transactions, countries)),
                Duration.ofSeconds(2), Action.DUNNO)), clock, Engine.Listener.NONE);
    }

    /** RCPT then END-OF-MESSAGE; the refusing check's name, or "sent". */
    private static String send(Engine engine, String client) {
        Transactions tx = Transactions.rcpt(client).service("submission").login("alice@example.jp").from("alice@example.jp");
        var atRcpt = engine.decide(tx.build());
        if (!atRcpt.isDunno()) return atRcpt.decidedBy().check();
        var atEnd = engine.decide(tx.stage(Stage.END_OF_MESSAGE).recipients(1).size(1000).build());
        return atEnd.isDunno() ? "sent" : atEnd.decidedBy().check();
    }

    @Test
    void fromAbroadTheTighterLimitBitesAndEveryMessageCountsAgainstTheGeneralOne() {
        Engine engine = engine();
        assertThat(send(engine, "192.0.2.20")).isEqualTo("sent");
        assertThat(send(engine, "198.51.100.20")).isEqualTo("sent");
        assertThat(send(engine, "198.51.100.21")).isEqualTo("sent");
        assertThat(send(engine, "198.51.100.22")).as("third from abroad").isEqualTo("per-account-abroad");
        assertThat(send(engine, "192.0.2.20")).as("home: 4 of 5").isEqualTo("sent");
        assertThat(send(engine, "192.0.2.20")).as("home: 5 of 5").isEqualTo("sent");
        assertThat(send(engine, "192.0.2.20")).as("the general limit counted the mail from abroad too").isEqualTo("per-account");
    }

    @Test
    void theDefaultSubmissionPolicyKeepsItsPerAccountLimits() {
        var checks = new ConfigLoader().loadDefaults().services().get("submission").checks();
        assertThat(checks).filteredOn(c -> c instanceof CheckConfig.RateLimit).singleElement().satisfies(c -> {
            var limit = (CheckConfig.RateLimit) c;
            assertThat(limit.key()).isEqualTo(CheckConfig.RateKey.SASL_USERNAME);
            assertThat(limit.soft()).isFalse();
            assertThat(limit.windows()).containsExactly(new RateWindow(200, Duration.ofHours(1)), new RateWindow(1000, Duration.ofDays(1)));
        });
    }
}
