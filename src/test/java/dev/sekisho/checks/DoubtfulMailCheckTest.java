package dev.sekisho.checks;

import dev.sekisho.config.CheckConfig;
import dev.sekisho.config.ListConfig;
import dev.sekisho.engine.Action;
import dev.sekisho.engine.Check;
import dev.sekisho.engine.Engine;
import dev.sekisho.engine.Restriction;
import dev.sekisho.engine.ServicePolicy;
import dev.sekisho.engine.Stage;
import dev.sekisho.engine.Subject;
import dev.sekisho.engine.Verdict;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Doubtful mail is routed through a second transport: each signal alone makes it doubtful, clean mail is not
 * routed, later refusals win, and the soft limit that raises a doubt is counted once. Runs through the engine, since
 * the doubts of earlier checks reach the routing check through it. 192.0.2.0/24 is "home" (JP), 198.51.100.0/24
 * "abroad" (US), 203.0.113.0/24 is not in the database.
 */
class DoubtfulMailCheckTest {
    private static final String HOME = "192.0.2.10";
    private static final String ABROAD = "198.51.100.10";
    private static final String UNLISTED = "203.0.113.10";
    private static final String ALICE = "alice@example.jp";
    private static final Action FILTER = Action.of(Action.Kind.FILTER, "smtp-doubtful:");

    @TempDir
    Path dir;
    private final MutableClock clock = MutableClock.at("2026-11-22T10:00:00Z");
    private final StateStore store = TestStores.inMemory();
    private int messages;
    private ClientCountry countries;

    @BeforeEach
    void writeDatabase() {
        countries = TestCountries.homeAndAbroad(dir, clock);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static CheckConfig.RouteDoubtful route(Duration restrictedWithin, Set<String> home, boolean unknown) {
        return new CheckConfig.RouteDoubtful("doubtful", "smtp-doubtful:", restrictedWithin, home, unknown, true);
    }

    private DoubtfulMailCheck check(CheckConfig.RouteDoubtful config) {
        return new DoubtfulMailCheck(config, store, countries);
    }

    private Engine engine(Check... checks) {
        return new Engine(Map.of("submission", new ServicePolicy("submission", List.of(checks), Duration.ofSeconds(2), Action.DUNNO)),
                clock, Engine.Listener.NONE);
    }

    private static Transactions rcpt(String client) {
        return Transactions.rcpt(client).service("submission").login(ALICE).from(ALICE).to("bob@example.org");
    }

    private static Transactions endOfMessage(String client) {
        return rcpt(client).stage(Stage.END_OF_MESSAGE).recipients(1).size(2048);
    }

    @Test
    void cleanMailFromHomeTakesTheNormalTransport() {
        Verdict v = engine(check(route(Duration.ofDays(7), Set.of("JP"), false))).decide(rcpt(HOME).build());
        assertThat(v.action()).isEqualTo(Action.DUNNO);
        assertThat(v.trail()).singleElement().satisfies(e -> assertThat(e.detail()).isEqualTo("no doubt"));
    }

    @Test
    void mailFromAbroadIsRoutedAndTheExplanationNamesTheCountry() {
        Verdict v = engine(check(route(Duration.ofDays(7), Set.of("JP"), false))).decide(rcpt(ABROAD).build());
        assertThat(v.action()).isEqualTo(FILTER);
        assertThat(v.decidedBy().toLogString()).isEqualTo("check=doubtful rule=\"FILTER smtp-doubtful:\" key=sasl-username=alice@example.jp"
                + " signals=1 detail=\"doubtful, sent through smtp-doubtful: (from abroad: country US is not a home country (JP))\"");
    }

    @Test
    void anUnknownCountryIsDoubtfulOnlyWhenConfigured() {
        assertThat(engine(check(route(Duration.ZERO, Set.of("JP"), false))).decide(rcpt(UNLISTED).build()).action()).isEqualTo(Action.DUNNO);
        assertThat(engine(check(route(Duration.ZERO, Set.of("JP"), true))).decide(rcpt(UNLISTED).build()).action()).isEqualTo(FILTER);
    }

    @Test
    void withoutACountryDatabaseTheCountrySignalIsOffAndSaysSo() {
        ClientCountry none = new ClientCountry(GeoIp.open(new GeoIp.Databases(Optional.empty(), Optional.empty(), Duration.ofSeconds(60)),
                clock, m -> { }), m -> { });
        Verdict v = engine(new DoubtfulMailCheck(route(Duration.ZERO, Set.of("JP"), true), store, none)).decide(rcpt(ABROAD).build());
        assertThat(v.action()).isEqualTo(Action.DUNNO);
        assertThat(v.trail()).singleElement().satisfies(e -> assertThat(e.detail()).contains(ClientCountry.RULES_OFF));
    }

    @Test
    void anAccountIsDoubtfulWhileRestrictedAndForTheWindowAfterTheRestrictionEndsOrIsLifted() {
        Engine engine = engine(check(route(Duration.ofDays(7), Set.of(), false)));
        Subject alice = new Subject(Subject.Kind.ACCOUNT, ALICE);
        store.impose(new Restriction("r1", alice, "password guessing", "rule:logins", "", clock.instant(), clock.instant().plus(Duration.ofHours(1)), null, ""));
        assertThat(engine.decide(rcpt(HOME).build()).decidedBy().detail()).contains("account restricted until 2026-11-22T11:00:00Z (ref r1)");

        clock.advance(Duration.ofHours(2)); // it ended by itself at 11:00
        Verdict ended = engine.decide(rcpt(HOME).build());
        assertThat(ended.action()).isEqualTo(FILTER);
        assertThat(ended.decidedBy().detail()).contains("account restriction r1 ended at 2026-11-22T11:00:00Z, within 7d");
        assertThat(engine.decide(rcpt(HOME).login("bob@example.jp").from("bob@example.jp").build()).action())
                .as("another account").isEqualTo(Action.DUNNO);

        clock.advance(Duration.ofDays(7)); // 7d 1h after it ended
        assertThat(engine.decide(rcpt(HOME).build()).action()).isEqualTo(Action.DUNNO);

        store.impose(new Restriction("r2", alice, "support", "cli:support", "", clock.instant(), clock.instant().plus(Duration.ofDays(1)), null, ""));
        clock.advance(Duration.ofMinutes(10));
        store.lift("r2", clock.instant(), "cli:support");
        clock.advance(Duration.ofDays(6));
        assertThat(engine.decide(rcpt(HOME).build()).decidedBy().detail()).contains("account restriction r2 lifted at 2026-11-29T12:10:00Z, within 7d");
        clock.advance(Duration.ofDays(2));
        assertThat(engine.decide(rcpt(HOME).build()).action()).isEqualTo(Action.DUNNO);
    }

    @Test
    void aLogOnlySenderMismatchMarksTheMailDoubtfulAndAnEnforcingOneRefusesIt() {
        var logOnly = new SenderLoginMismatchCheck(new CheckConfig.SenderLoginMismatch("mismatch", CheckConfig.MismatchMatch.DOMAIN,
                Map.of(), "", null));
        DoubtfulMailCheck router = check(route(Duration.ZERO, Set.of(), false));
        Verdict doubtful = engine(logOnly, router).decide(rcpt(HOME).from("ceo@bank.example").build());
        assertThat(doubtful.action()).isEqualTo(FILTER);
        assertThat(doubtful.decidedBy().detail()).contains("mismatch: sender is not owned by the authenticated account");
        assertThat(engine(logOnly, router).decide(rcpt(HOME).build()).action()).as("own sender").isEqualTo(Action.DUNNO);

        var enforcing = new SenderLoginMismatchCheck(new CheckConfig.SenderLoginMismatch("mismatch", CheckConfig.MismatchMatch.DOMAIN,
                Map.of(), "", Action.reject(553, "5.7.1", "not yours")));
        assertThat(engine(enforcing, router).decide(rcpt(HOME).from("ceo@bank.example").build()).action().kind()).isEqualTo(Action.Kind.REJECT);
    }

    @Test
    void earlierDoubtsAreIgnoredWhenTheSignalIsOff() {
        var logOnly = new SenderLoginMismatchCheck(new CheckConfig.SenderLoginMismatch("mismatch", CheckConfig.MismatchMatch.DOMAIN,
                Map.of(), "", null));
        var off = new CheckConfig.RouteDoubtful("doubtful", "smtp-doubtful:", Duration.ofDays(7), Set.of("JP"), false, false);
        assertThat(engine(logOnly, check(off)).decide(rcpt(HOME).from("ceo@bank.example").build()).action()).isEqualTo(Action.DUNNO);
    }

    private static RateLimitCheck limit(String name, CheckConfig.RateUnit unit, long perHour, boolean soft, StateStore store) {
        return new RateLimitCheck(new CheckConfig.RateLimit(name, CheckConfig.RateKey.SASL_USERNAME, unit,
                List.of(new RateWindow(perHour, Duration.ofHours(1))), Action.defer(450, "4.7.1", ""), ListConfig.EMPTY, null, soft),
                "submission", new ClientNetworks(24, 64), store, new OpenTransactions(1000, Duration.ofHours(1), warning -> { }), null);
    }

    /** One message to one recipient: RCPT's answer; END-OF-MESSAGE follows, as Postfix asks it, when RCPT accepts. */
    private Action send(Engine engine, String client, String recipient) {
        String id = "M" + (++messages);
        Action atRcpt = engine.decide(rcpt(client).to(recipient).message(id).build()).action();
        if (atRcpt.accepts()) engine.decide(endOfMessage(client).message(id).build());
        return atRcpt;
    }

    @Test
    void overASoftLimitTheMailIsRoutedNotRefusedAndTheLimitIsCountedOnce() {
        RateLimitCheck soft = limit("soft", CheckConfig.RateUnit.RECIPIENTS, 3, true, store);
        Engine engine = engine(soft, check(route(Duration.ZERO, Set.of(), false)));
        List<Action> answers = new ArrayList<>();
        for (int i = 0; i < 5; i++) answers.add(send(engine, HOME, "r" + i + "@example.org"));
        // Counted once per accepted recipient: had the routing charged the soft limit again, the 2nd would be doubtful.
        assertThat(answers).containsExactly(Action.DUNNO, Action.DUNNO, Action.DUNNO, FILTER, FILTER);
        Verdict over = engine.decide(rcpt(HOME).to("r5@example.org").message("over").build());
        assertThat(over.decidedBy().detail()).contains("soft: over the soft limit (3/1h recipients): mail is doubtful");
        assertThat(over.notes()).extracting(e -> e.check()).containsExactly("soft", "doubtful");

        clock.advance(Duration.ofMinutes(20)); // one recipient's worth of the hour drains (GCRA)
        assertThat(send(engine, HOME, "r6@example.org")).isEqualTo(Action.DUNNO);
        assertThat(send(engine, HOME, "r7@example.org")).isEqualTo(FILTER);
    }

    @Test
    void aSoftMessageLimitIsJudgedAtRcptAndCountedAtEndOfMessage() {
        RateLimitCheck soft = limit("soft-messages", CheckConfig.RateUnit.MESSAGES, 2, true, store);
        Engine engine = engine(soft, check(route(Duration.ZERO, Set.of(), false)));
        for (int i = 0; i < 2; i++) {
            assertThat(engine.decide(rcpt(HOME).build()).action()).isEqualTo(Action.DUNNO);
            assertThat(engine.decide(endOfMessage(HOME).build()).action()).as("no FILTER at END-OF-MESSAGE").isEqualTo(Action.DUNNO);
        }
        assertThat(engine.decide(rcpt(HOME).build()).action()).isEqualTo(FILTER);
        assertThat(engine.decide(endOfMessage(HOME).build()).action()).as("a soft limit never refuses").isEqualTo(Action.DUNNO);
    }

    @Test
    void aLaterRefusalWinsOverTheRouteAndARefusedRecipientCostsTheSoftLimitNothing() {
        RateLimitCheck soft = limit("soft", CheckConfig.RateUnit.RECIPIENTS, 1, true, store);
        RateLimitCheck hard = limit("hard", CheckConfig.RateUnit.RECIPIENTS, 2, false, store);
        Engine engine = engine(soft, check(route(Duration.ZERO, Set.of("JP"), false)), hard);
        assertThat(engine.decide(rcpt(ABROAD).build()).action()).as("abroad: routed").isEqualTo(FILTER);
        assertThat(engine.decide(rcpt(ABROAD).build()).action()).as("soft over, hard has room").isEqualTo(FILTER);
        Verdict refused = engine.decide(rcpt(ABROAD).build());
        assertThat(refused.action().kind()).isEqualTo(Action.Kind.DEFER);
        assertThat(refused.decidedBy().check()).isEqualTo("hard");
    }

    @Test
    void anAllowListAfterTheRouteDoesNotUndoIt() {
        Check allowAll = new Check() {
            @Override
            public String name() {
                return "allow-list";
            }

            @Override
            public dev.sekisho.engine.CheckResult evaluate(dev.sekisho.engine.Transaction tx, dev.sekisho.engine.EvaluationContext context) {
                return dev.sekisho.engine.CheckResult.decide(Action.DUNNO, dev.sekisho.engine.Explanation.of("allow-list", "listed"));
            }
        };
        assertThat(engine(check(route(Duration.ZERO, Set.of("JP"), false)), allowAll).decide(rcpt(ABROAD).build()).action()).isEqualTo(FILTER);
    }

    @Test
    void aLaterCheckThatCannotAnswerFailsOpenWithoutUndoingTheRoute() {
        Check broken = new Check() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public dev.sekisho.engine.CheckResult evaluate(dev.sekisho.engine.Transaction tx, dev.sekisho.engine.EvaluationContext context) {
                throw new dev.sekisho.engine.CheckUnavailableException("store down");
            }
        };
        Verdict v = engine(check(route(Duration.ZERO, Set.of("JP"), false)), broken).decide(rcpt(ABROAD).build());
        assertThat(v.fault()).isTrue();
        assertThat(v.action()).isEqualTo(FILTER);
        assertThat(engine(check(route(Duration.ZERO, Set.of("JP"), false)), broken).decide(rcpt(HOME).build()).action()).isEqualTo(Action.DUNNO);
    }

    @Test
    void onlyRcptIsRouted() {
        Engine engine = engine(check(route(Duration.ZERO, Set.of("JP"), false)));
        for (Stage stage : List.of(Stage.MAIL, Stage.END_OF_MESSAGE)) {
            assertThat(engine.decide(rcpt(ABROAD).stage(stage).build()).action()).as(stage.label()).isEqualTo(Action.DUNNO);
        }
    }
}
