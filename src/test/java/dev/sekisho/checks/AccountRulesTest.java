package dev.sekisho.checks;

import dev.sekisho.account.AccountBook;
import dev.sekisho.config.AccountsConfig;
import dev.sekisho.config.CheckConfig;
import dev.sekisho.engine.Action;
import dev.sekisho.engine.CheckResult;
import dev.sekisho.engine.CheckUnavailableException;
import dev.sekisho.engine.EvaluationContext;
import dev.sekisho.engine.LoginAttempt;
import dev.sekisho.engine.LoginDecision;
import dev.sekisho.engine.Explanation;
import dev.sekisho.engine.Restriction;
import dev.sekisho.geo.GeoIp;
import dev.sekisho.engine.Stage;
import dev.sekisho.state.StateStore;
import dev.sekisho.state.TallyRequest;
import dev.sekisho.state.memory.MemoryStateStore;
import dev.sekisho.testing.MmdbWriter;
import dev.sekisho.testing.MutableClock;
import dev.sekisho.testing.Transactions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * "Refuse use from abroad" and "several countries" over a generated country database (192.0.2.0/24 JP,
 * 198.51.100.0/24 US, 203.0.113.0/24 CN; 10.0.0.0/8 is in no database) and a moved clock.
 */
class AccountRulesTest {
    private static final String ALICE = "alice@example.jp";

    @TempDir
    Path dir;
    private final MutableClock clock = MutableClock.at("2026-11-22T10:00:00Z");
    private final List<String> notices = new ArrayList<>();
    private final MemoryStateStore store = MemoryStateStore.inMemory(MemoryStateStore.Options.defaults().withMaintenanceThread(false), clock);
    private final AccountBook book = new AccountBook(store, 20, Duration.ofDays(90));
    private ClientCountry countries;

    @BeforeEach
    void writeDatabase() {
        Path database = new MmdbWriter("GeoLite2-Country")
                .network("192.0.2.0/24", MmdbWriter.country("JP"))
                .network("198.51.100.0/24", MmdbWriter.country("US"))
                .network("203.0.113.0/24", MmdbWriter.country("CN"))
                .write(dir.resolve("country.mmdb"));
        countries = new ClientCountry(GeoIp.open(new GeoIp.Databases(Optional.of(database), Optional.empty(), Duration.ofSeconds(60)),
                clock, notices::add), notices::add);
    }

    private static AccountsConfig config(AccountsConfig.UnknownCountry unknown, String... home) {
        return new AccountsConfig(Set.of(home), unknown, new AccountsConfig.SeveralCountries(2, Duration.ofHours(1), Duration.ofDays(1)), 20, Duration.ofDays(90));
    }

    private AbroadRule rule(AccountsConfig config) {
        return new AbroadRule("account-abroad", config, book, countries);
    }

    private static InetAddress ip(String text) throws Exception {
        return InetAddress.getByName(text);
    }

    @Test
    void theSwitchRefusesOnlyAbroadAndOnlyWhileOn() throws Exception {
        AbroadRule rule = rule(config(AccountsConfig.UnknownCountry.ALLOW, "JP"));
        assertThat(rule.judge(ALICE, ip("198.51.100.7"), clock.instant()).refused()).as("switch off").isFalse();
        book.refuseAbroad(ALICE, true, "cli:desk", clock.instant());

        AbroadRule.Judgement abroad = rule.judge(ALICE, ip("198.51.100.7"), clock.instant());
        assertThat(abroad.refused()).isTrue();
        assertThat(abroad.explanation().toLogString()).isEqualTo("check=account-abroad rule=\"refuse-abroad home JP\" "
                + "key=country=US account=alice@example.jp client=198.51.100.7 detail=\"country US is abroad and the account refuses use "
                + "from abroad (set by cli:desk at 2026-11-22T10:00:00Z)\"");
        assertThat(rule.judge(ALICE, ip("192.0.2.7"), clock.instant()).refused()).isFalse();
        assertThat(rule.judge("ALICE@example.jp", ip("203.0.113.7"), clock.instant()).refused()).as("the same account in capitals").isTrue();

        book.refuseAbroad(ALICE, false, "cli:desk", clock.instant());
        assertThat(rule.judge(ALICE, ip("198.51.100.7"), clock.instant()).refused()).isFalse();
        assertThat(book.settings(ALICE).refuseAbroad()).isFalse();
    }

    @Test
    void homeCountriesAreConfigurable() throws Exception {
        AbroadRule rule = rule(config(AccountsConfig.UnknownCountry.ALLOW, "JP", "US"));
        book.refuseAbroad(ALICE, true, "cli:desk", clock.instant());
        assertThat(rule.judge(ALICE, ip("198.51.100.7"), clock.instant()).refused()).isFalse();
        assertThat(rule.judge(ALICE, ip("203.0.113.7"), clock.instant()).refused()).isTrue();
    }

    @Test
    void aTravelLiftEndsAtItsInstant() throws Exception {
        AbroadRule rule = rule(config(AccountsConfig.UnknownCountry.ALLOW, "JP"));
        book.refuseAbroad(ALICE, true, "cli:desk", clock.instant());
        Instant until = clock.instant().plus(Duration.ofDays(7));
        book.travel(ALICE, until, "api:desk", clock.instant());
        AbroadRule.Judgement traveling = rule.judge(ALICE, ip("198.51.100.7"), clock.instant());
        assertThat(traveling.refused()).isFalse();
        assertThat(traveling.explanation().detail()).startsWith("refuses use from abroad, but lifted for travel until 2026-11-29T10:00:00Z");
        assertThat(rule.judge(ALICE, ip("198.51.100.7"), until.minusNanos(1)).refused()).isFalse();
        assertThat(rule.judge(ALICE, ip("198.51.100.7"), until).refused()).isTrue();

        book.travel(ALICE, clock.instant(), "api:desk", clock.instant());
        assertThat(book.settings(ALICE).travelUntil()).as("a lift ending now is no lift").isNull();
    }

    @Test
    void anUnknownCountryFollowsTheConfiguredChoiceAndSaysSo() throws Exception {
        book.refuseAbroad(ALICE, true, "cli:desk", clock.instant());
        AbroadRule.Judgement allowed = rule(config(AccountsConfig.UnknownCountry.ALLOW, "JP")).judge(ALICE, ip("10.1.2.3"), clock.instant());
        assertThat(allowed.refused()).isFalse();
        assertThat(allowed.explanation().detail()).isEqualTo("country unknown (not in the database): allowed (accounts.unknown-country: allow)");
        AbroadRule.Judgement refused = rule(config(AccountsConfig.UnknownCountry.REFUSE, "JP")).judge(ALICE, ip("10.1.2.3"), clock.instant());
        assertThat(refused.refused()).isTrue();
        assertThat(refused.explanation().detail()).startsWith("country unknown (not in the database): refused (accounts.unknown-country: refuse)");
    }

    @Test
    void withoutADatabaseTheSwitchIsOffAndSaysSoOnce() throws Exception {
        List<String> said = new ArrayList<>();
        ClientCountry none = new ClientCountry(GeoIp.open(GeoIp.Databases.none(), clock, m -> { }), said::add);
        AbroadRule rule = new AbroadRule("account-abroad", config(AccountsConfig.UnknownCountry.REFUSE, "JP"), book, none);
        book.refuseAbroad(ALICE, true, "cli:desk", clock.instant());
        for (int i = 0; i < 3; i++) {
            AbroadRule.Judgement j = rule.judge(ALICE, ip("198.51.100.7"), clock.instant());
            assertThat(j.refused()).isFalse();
            assertThat(j.explanation().detail()).isEqualTo(ClientCountry.RULES_OFF);
        }
        assertThat(said).hasSize(1);
    }

    @Test
    void theSubmissionCheckRefusesWithItsActionOrOnlyLogs() throws Exception {
        AccountsConfig config = config(AccountsConfig.UnknownCountry.ALLOW, "JP");
        SeveralCountries several = new SeveralCountries(config.severalCountries(), store, new RestrictionIndex(store));
        book.refuseAbroad(ALICE, true, "cli:desk", clock.instant());
        EvaluationContext ctx = new EvaluationContext(clock.instant(), clock.instant().plusSeconds(1), false);
        var fromUs = Transactions.rcpt("198.51.100.7").service("submission").login(ALICE).build();

        AbroadCheck defer = new AbroadCheck(new CheckConfig.AccountAbroad("abroad", Action.defer(450, "4.7.1", "")), rule(config), several);
        CheckResult deferred = defer.evaluate(fromUs, ctx);
        assertThat(deferred.decisive()).isTrue();
        assertThat(deferred.action()).isEqualTo(Action.defer(450, "4.7.1", AbroadRule.REFUSAL));

        AbroadCheck log = new AbroadCheck(new CheckConfig.AccountAbroad("abroad", null), rule(config), several);
        CheckResult logged = log.evaluate(fromUs, ctx);
        assertThat(logged.decisive()).isFalse();
        assertThat(logged.notable()).isTrue();

        assertThat(defer.evaluate(Transactions.rcpt("198.51.100.7").service("submission").build(), ctx).decisive())
                .as("unauthenticated mail is not this check's business").isFalse();
    }

    @Test
    void severalCountriesWithinTheWindowRestrictOnceAndOutsideItDoNot() throws Exception {
        SeveralCountries several = new SeveralCountries(new AccountsConfig.SeveralCountries(3, Duration.ofHours(1), Duration.ofDays(1)), store, new RestrictionIndex(store));
        Instant t0 = clock.instant();
        assertThat(several.sighted(ALICE, ip("192.0.2.7"), countries.of(ip("192.0.2.7")), "imap", t0)).isEmpty();
        assertThat(several.sighted(ALICE, ip("192.0.2.8"), countries.of(ip("192.0.2.8")), "smtp", t0.plusSeconds(60))).as("same country").isEmpty();
        assertThat(several.sighted(ALICE, ip("10.1.1.1"), countries.of(ip("10.1.1.1")), "imap", t0.plusSeconds(90))).as("unknown: no sighting").isEmpty();
        assertThat(several.sighted(ALICE, ip("198.51.100.7"), countries.of(ip("198.51.100.7")), "imap", t0.plus(Duration.ofMinutes(30)))).isEmpty();
        // The JP sightings are over an hour old by now: two countries in the window, not three.
        assertThat(several.sighted(ALICE, ip("203.0.113.7"), countries.of(ip("203.0.113.7")), "imap", t0.plus(Duration.ofMinutes(62)))).isEmpty();
        Optional<Restriction> r = several.sighted(ALICE, ip("192.0.2.7"), countries.of(ip("192.0.2.7")), "pop3", t0.plus(Duration.ofMinutes(63)));
        assertThat(r).hasValueSatisfying(restriction -> {
            assertThat(restriction.reason()).isEqualTo("used from 3 countries within 1h (US, CN, JP)");
            assertThat(restriction.evidence()).startsWith("countries=US,CN,JP window=1h first=2026-11-22T10:30:00Z last=2026-11-22T11:03:00Z")
                    .contains("US 198.51.100.7 imap; CN 203.0.113.7 imap; JP 192.0.2.7 pop3");
        });
        assertThat(several.sighted(ALICE, ip("198.51.100.8"), countries.of(ip("198.51.100.8")), "imap", t0.plus(Duration.ofMinutes(64))))
                .as("already restricted").isEmpty();
        assertThat(store.restrictions()).hasSize(1);
    }

    @Test
    void loginsRefuseAbroadAfterTheLockoutsAndRecordSuccessesOnly() throws Exception {
        AccountsConfig config = config(AccountsConfig.UnknownCountry.ALLOW, "JP");
        List<String> faults = new ArrayList<>();
        SeveralCountries several = new SeveralCountries(config.severalCountries(), store, new RestrictionIndex(store));
        AccountLogins logins = new AccountLogins(rule(config), several, book, countries, faults::add);
        LoginDecision allow = LoginDecision.allow(Explanation.of("logins", "under every threshold"));
        LoginDecision lockedOut = LoginDecision.reject("blocked", Explanation.of("logins", "account blocked"));
        book.refuseAbroad(ALICE, true, "cli:desk", clock.instant());

        assertThat(logins.decide(allow, ALICE, ip("198.51.100.7"), "imap", clock.instant()).outcome()).isEqualTo(LoginDecision.Outcome.REJECT);
        assertThat(logins.decide(lockedOut, ALICE, ip("198.51.100.7"), "imap", clock.instant())).as("the lockout's refusal stands").isSameAs(lockedOut);
        assertThat(logins.decide(allow, ALICE, ip("192.0.2.7"), "imap", clock.instant())).isSameAs(allow);

        logins.observe(new LoginAttempt(clock.instant(), ALICE, ip("192.0.2.7"), "imap", LoginAttempt.Result.SUCCESS, "", "test"));
        logins.observe(new LoginAttempt(clock.instant(), "guess@example.jp", ip("203.0.113.7"), "imap", LoginAttempt.Result.FAILURE, "", "test"));
        assertThat(book.logins(ALICE, clock.instant())).extracting(l -> l.country() + " " + l.protocol() + " " + l.result())
                .containsExactly("JP imap ok", "US imap refused: abroad");
        assertThat(book.logins("guess@example.jp", clock.instant())).isEmpty();
        assertThat(book.logins(ALICE, clock.instant().plus(Duration.ofDays(90)).minusNanos(1))).hasSize(2);
        assertThat(book.logins(ALICE, clock.instant().plus(Duration.ofDays(90)))).as("kept the retention after the last login").isEmpty();
        assertThat(faults).isEmpty();

        store.close();
        assertThat(logins.decide(allow, ALICE, ip("198.51.100.7"), "imap", clock.instant())).as("state down: the lockout's answer").isSameAs(allow);
        assertThat(faults).singleElement().asString().contains("account settings of alice@example.jp unavailable");
    }

    /** An abroad check for accounts at home in Japan (unknown countries allowed), counting sightings in {@code store}. */
    private AbroadCheck abroadCheckOver(StateStore store) {
        AccountsConfig config = config(AccountsConfig.UnknownCountry.ALLOW, "JP");
        return new AbroadCheck(new CheckConfig.AccountAbroad("abroad", null), rule(config),
                new SeveralCountries(config.severalCountries(), store, new RestrictionIndex(store)));
    }

    @Test
    void aMessageIsOneSightingHoweverOftenPostfixAsksAboutIt() throws Exception {
        List<String> tallied = new ArrayList<>();
        AbroadCheck check = abroadCheckOver(talliesNoted(tallied, 0));
        EvaluationContext ctx = new EvaluationContext(clock.instant(), clock.instant().plusSeconds(1), false);
        var message = Transactions.rcpt("198.51.100.7").service("submission").login(ALICE).message("c9c.5584b989.ab0c0.0");

        for (int i = 1; i <= 5; i++) check.evaluate(message.to("user" + i + "@example.org").build(), ctx);
        check.evaluate(message.stage(Stage.END_OF_MESSAGE).recipients(5).build(), ctx);
        assertThat(tallied).as("five recipients and the end of data: one message").containsExactly("US 198.51.100.7 submission");

        check.evaluate(message.stage(Stage.RCPT).message("c9c.5584b989.ab0c0.1").build(), ctx);
        assertThat(tallied).as("the next message is another sighting").hasSize(2);

        var noId = Transactions.rcpt("198.51.100.7").service("submission").login(ALICE).message("");
        check.evaluate(noId.build(), ctx);
        check.evaluate(noId.build(), ctx);
        assertThat(tallied).as("without a message id every request is its own").hasSize(4);

        check.evaluate(message.message("c9c.5584b989.ab0c0.2").build(), new EvaluationContext(clock.instant(), clock.instant().plusSeconds(1), true));
        assertThat(tallied).as("a dry run is no sighting").hasSize(4);
    }

    @Test
    void aSightingTheStoreFailedToKeepIsCountedAtTheMessagesNextRequest() throws Exception {
        List<String> tallied = new ArrayList<>();
        AbroadCheck check = abroadCheckOver(talliesNoted(tallied, 1));
        EvaluationContext ctx = new EvaluationContext(clock.instant(), clock.instant().plusSeconds(1), false);
        var message = Transactions.rcpt("198.51.100.7").service("submission").login(ALICE).message("c9c.5584b989.ab0c0.7");

        assertThatThrownBy(() -> check.evaluate(message.to("user1@example.org").build(), ctx))
                .isInstanceOf(CheckUnavailableException.class).hasMessageContaining("state store unreachable");
        check.evaluate(message.to("user2@example.org").build(), ctx);
        check.evaluate(message.to("user3@example.org").build(), ctx);
        assertThat(tallied).as("the second recipient counts what the first could not; the third adds nothing")
                .containsExactly("US 198.51.100.7 submission");
    }

    /** The test's store, noting each tally's member in {@code tallied}; the first {@code failures} tallies fail instead. */
    private StateStore talliesNoted(List<String> tallied, int failures) {
        int[] failuresLeft = {failures};
        return (StateStore) Proxy.newProxyInstance(StateStore.class.getClassLoader(), new Class<?>[]{StateStore.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("tally")) {
                        if (failuresLeft[0]-- > 0) throw new IllegalStateException("state store unreachable");
                        tallied.add(((TallyRequest) args[0]).member());
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
