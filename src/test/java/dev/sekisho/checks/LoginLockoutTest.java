package dev.sekisho.checks;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.sekisho.backoff.Backoff;
import dev.sekisho.config.LoginsConfig;
import dev.sekisho.engine.Action;
import dev.sekisho.engine.CheckResult;
import dev.sekisho.engine.EvaluationContext;
import dev.sekisho.engine.LoginAttempt;
import dev.sekisho.engine.LoginDecision;
import dev.sekisho.engine.Restriction;
import dev.sekisho.engine.Stage;
import dev.sekisho.engine.Subject;
import dev.sekisho.state.StateStore;
import dev.sekisho.testing.MutableClock;
import dev.sekisho.testing.TestStores;
import dev.sekisho.testing.Transactions;
import inet.ipaddr.IPAddressString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static dev.sekisho.engine.LoginDecision.Outcome.ALLOW;
import static dev.sekisho.engine.LoginDecision.Outcome.DELAY;
import static dev.sekisho.engine.LoginDecision.Outcome.REJECT;
import static org.assertj.core.api.Assertions.assertThat;

class LoginLockoutTest {
    private static final LoginsConfig.Thresholds OFF = new LoginsConfig.Thresholds(0, 0, 0);
    private static final LoginsConfig.Blocks BLOCKS = new LoginsConfig.Blocks(Backoff.doubling(Duration.ofMinutes(15), Duration.ofHours(1)), Duration.ofDays(7));

    private final MutableClock clock = MutableClock.at("2026-11-22T10:00:00Z");
    private final StateStore store = TestStores.inMemory();

    @AfterEach
    void close() {
        store.close();
    }

    private static LoginsConfig config(LoginsConfig.Thresholds account, LoginsConfig.Thresholds ip, LoginsConfig.Thresholds network,
                                       List<String> exempt, boolean failOpen) {
        return new LoginsConfig(true, Duration.ofHours(1), account, ip, network, 24, 64,
                exempt.stream().map(e -> new IPAddressString(e).getAddress()).toList(),
                Duration.ofSeconds(2), Duration.ofSeconds(7), BLOCKS, failOpen,
                new LoginsConfig.Dovecot(true, "/dovecot/auth-policy", "X-API-Key", "k", null, null));
    }

    private static LoginsConfig config(LoginsConfig.Thresholds account, LoginsConfig.Thresholds ip, LoginsConfig.Thresholds network) {
        return config(account, ip, network, List.of(), true);
    }

    private static InetAddress ip(String text) {
        return new IPAddressString(text).getAddress().toInetAddress();
    }

    private LoginAttempt failure(String account, String remote, String pwhash) {
        return new LoginAttempt(clock.instant(), account, ip(remote), "imap", LoginAttempt.Result.FAILURE, pwhash, "dovecot-policy");
    }

    private LoginAttempt success(String account, String remote) {
        return new LoginAttempt(clock.instant(), account, ip(remote), "imap", LoginAttempt.Result.SUCCESS, "0b50", "dovecot-policy");
    }

    private LoginDecision ask(LoginLockout lockout, String account, String remote) {
        return lockout.decide(account, ip(remote), "imap", clock.instant());
    }

    private List<Restriction> active() {
        Instant now = clock.instant();
        return store.restrictions().stream().filter(r -> r.activeAt(now)).toList();
    }

    @Test
    void guessingOneAccountIsDelayedThenBlockedAndSubmissionHonoursTheBlock() {
        LoginLockout lockout = new LoginLockout(config(new LoginsConfig.Thresholds(3, 6, 0), OFF, OFF), store, new RestrictionIndex(store));
        for (int i = 0; i < 2; i++) lockout.observe(failure("Bob@example.test", "203.0.113.7", "a0" + i));
        assertThat(ask(lockout, "bob@example.test", "203.0.113.7").outcome()).isEqualTo(ALLOW);

        lockout.observe(failure("bob@example.test", "198.51.100.9", "a02"));
        LoginDecision third = ask(lockout, "BOB@example.test", "192.0.2.1");
        assertThat(third.outcome()).as("the account is counted whatever the address").isEqualTo(DELAY);
        assertThat(third.delay()).isEqualTo(Duration.ofSeconds(2));
        assertThat(third.explanation().rule()).isEqualTo("account.delay-after");
        lockout.observe(failure("bob@example.test", "198.51.100.9", "a03"));
        assertThat(ask(lockout, "bob@example.test", "192.0.2.1").delay()).as("one more delay per failure").isEqualTo(Duration.ofSeconds(4));
        lockout.observe(failure("bob@example.test", "198.51.100.9", "a04"));
        assertThat(active()).isEmpty();

        lockout.observe(failure("bob@example.test", "198.51.100.9", "a05"));
        assertThat(active()).singleElement().satisfies(r -> {
            assertThat(r.subject()).isEqualTo(new Subject(Subject.Kind.ACCOUNT, "bob@example.test"));
            assertThat(r.imposedBy()).isEqualTo("rule:logins.account.block-after");
            assertThat(r.reason()).isEqualTo("password guessing: 6 failed logins in 1h");
            assertThat(r.evidence()).contains("failures=6", "since=2026-11-22T10:00:00Z", "window=1h", "via=dovecot-policy/imap",
                    "offence=1", "block=15m");
            assertThat(r.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(15)));
        });
        LoginDecision refused = ask(lockout, "bob@example.test", "192.0.2.1");
        assertThat(refused.outcome()).isEqualTo(REJECT);
        assertThat(refused.message()).startsWith("Login refused until 2026-11-22T10:15:00Z (ref r-");
        assertThat(ask(lockout, "alice@example.test", "198.51.100.9").outcome()).as("other accounts go on").isEqualTo(ALLOW);

        RestrictionCheck submission = new RestrictionCheck("restrictions", new RestrictionIndex(store), Action.reject(554, "5.7.1", ""));
        CheckResult send = submission.evaluate(Transactions.rcpt("192.0.2.1").service("submission").stage(Stage.RCPT)
                .login("bob@example.test").build(), new EvaluationContext(clock.instant(), clock.instant().plusSeconds(2), false));
        assertThat(send.decisive()).as("the policy server's restriction check refuses the blocked account").isTrue();
        assertThat(send.explanation().key()).isEqualTo("account:bob@example.test");
    }

    @Test
    void sprayingManyAccountsFromOneAddressBlocksTheAddress() {
        LoginLockout lockout = new LoginLockout(config(OFF, new LoginsConfig.Thresholds(0, 0, 5), OFF), store, new RestrictionIndex(store));
        for (int i = 0; i < 4; i++) lockout.observe(failure("user" + i + "@example.test", "203.0.113.7", "77"));
        lockout.observe(failure("user0@example.test", "203.0.113.7", "78"));
        assertThat(active()).as("the same account twice counts once").isEmpty();

        lockout.observe(failure("user4@example.test", "203.0.113.7", "77"));
        assertThat(active()).singleElement().satisfies(r -> {
            assertThat(r.subject()).isEqualTo(new Subject(Subject.Kind.IP, "203.0.113.7"));
            assertThat(r.imposedBy()).isEqualTo("rule:logins.ip.accounts-block-after");
            assertThat(r.reason()).isEqualTo("password spraying from 203.0.113.7: 5 accounts failed in 1h");
            assertThat(r.evidence()).contains("accounts=5 [user1@example.test,user2@example.test,user3@example.test,user0@example.test,user4@example.test]");
        });
        assertThat(ask(lockout, "anyone@example.test", "203.0.113.7").outcome()).isEqualTo(REJECT);
        assertThat(ask(lockout, "anyone@example.test", "203.0.113.8").outcome()).as("its neighbour is not blocked").isEqualTo(ALLOW);
    }

    @Test
    void sprayingFromAPoolBlocksItsNetwork() {
        LoginLockout lockout = new LoginLockout(config(OFF, new LoginsConfig.Thresholds(0, 0, 5), new LoginsConfig.Thresholds(0, 0, 8)), store, new RestrictionIndex(store));
        for (int i = 0; i < 8; i++) lockout.observe(failure("user" + i + "@example.test", "198.51.100." + (10 + i), "77"));
        assertThat(active()).singleElement().satisfies(r -> assertThat(r.subject()).isEqualTo(new Subject(Subject.Kind.NETWORK, "198.51.100.0/24")));
        assertThat(ask(lockout, "x@example.test", "198.51.100.200").outcome()).isEqualTo(REJECT);
    }

    @Test
    void anIpv6ClientIsBlockedInTheFormThePolicyServerMatches() {
        LoginLockout lockout = new LoginLockout(config(OFF, new LoginsConfig.Thresholds(0, 2, 0), OFF), store, new RestrictionIndex(store));
        lockout.observe(failure("a@example.test", "2001:0db8:0:0:0:0:0:0042", ""));
        lockout.observe(failure("b@example.test", "2001:db8::42", ""));
        assertThat(active()).singleElement().satisfies(r -> assertThat(r.subject()).isEqualTo(Subject.parse(Subject.Kind.IP, "2001:db8::42")));
        RestrictionCheck mx = new RestrictionCheck("restrictions", new RestrictionIndex(store), Action.reject(554, "5.7.1", ""));
        assertThat(mx.evaluate(Transactions.rcpt("2001:db8::42").build(),
                new EvaluationContext(clock.instant(), clock.instant().plusSeconds(2), false)).decisive()).isTrue();
    }

    @Test
    void aSuccessfulLoginClearsTheAccountsFailures() {
        LoginLockout lockout = new LoginLockout(config(new LoginsConfig.Thresholds(3, 4, 0), OFF, OFF), store, new RestrictionIndex(store));
        for (int i = 0; i < 3; i++) lockout.observe(failure("carol@example.test", "203.0.113.7", "c" + i));
        assertThat(ask(lockout, "carol@example.test", "203.0.113.7").outcome()).isEqualTo(DELAY);

        lockout.observe(success("Carol@example.test", "203.0.113.7"));
        assertThat(ask(lockout, "carol@example.test", "203.0.113.7").outcome()).isEqualTo(ALLOW);
        for (int i = 0; i < 3; i++) lockout.observe(failure("carol@example.test", "203.0.113.7", "d" + i));
        assertThat(active()).as("3 failures after the success, not 6").isEmpty();
    }

    @Test
    void aRepeatOffenceIsBlockedLongerUpToTheCap() {
        LoginLockout lockout = new LoginLockout(config(new LoginsConfig.Thresholds(0, 3, 0), OFF, OFF), store, new RestrictionIndex(store));
        List<Duration> lengths = new java.util.ArrayList<>();
        for (int round = 0; round < 4; round++) {
            for (int i = 0; i < 3; i++) lockout.observe(failure("dave@example.test", "203.0.113.7", ""));
            Restriction r = active().getFirst();
            lengths.add(Duration.between(r.createdAt(), r.expiresAt()));
            assertThat(r.evidence()).contains("offence=" + (round + 1));
            clock.set(r.expiresAt().plusSeconds(1));
        }
        assertThat(lengths).containsExactly(Duration.ofMinutes(15), Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofHours(1));

        clock.advance(Duration.ofDays(8));
        for (int i = 0; i < 3; i++) lockout.observe(failure("dave@example.test", "203.0.113.7", ""));
        Restriction forgiven = active().getFirst();
        assertThat(Duration.between(forgiven.createdAt(), forgiven.expiresAt())).as("offences older than remember are forgotten")
                .isEqualTo(Duration.ofMinutes(15));
    }

    @Test
    void anAccountWrittenWithSpacesOrCapitalsIsOneAccountForSpraying() {
        LoginLockout lockout = new LoginLockout(config(OFF, new LoginsConfig.Thresholds(0, 0, 2), OFF), store, new RestrictionIndex(store));
        lockout.observe(failure("gina@example.test", "203.0.113.9", ""));
        lockout.observe(failure(" Gina@Example.test ", "203.0.113.9", ""));
        assertThat(active()).as("one account tried twice is no spraying").isEmpty();
        lockout.observe(failure("hank@example.test", "203.0.113.9", ""));
        assertThat(active()).singleElement().satisfies(r -> assertThat(r.subject().toString()).isEqualTo("ip:203.0.113.9"));
    }

    @Test
    void aNameOfOnlySpacesCountsAgainstTheAddressLikeAnEmptyOne() {
        LoginLockout lockout = new LoginLockout(config(OFF, new LoginsConfig.Thresholds(2, 3, 0), OFF), store, new RestrictionIndex(store));
        lockout.observe(failure("   ", "203.0.113.8", ""));
        lockout.observe(failure("   ", "203.0.113.8", ""));
        assertThat(ask(lockout, "   ", "203.0.113.8").outcome()).as("both failures counted for the address").isEqualTo(DELAY);
    }

    @Test
    void failuresOlderThanTheWindowNoLongerCount() {
        LoginLockout lockout = new LoginLockout(config(new LoginsConfig.Thresholds(2, 3, 0), OFF, OFF), store, new RestrictionIndex(store));
        lockout.observe(failure("erin@example.test", "203.0.113.7", ""));
        lockout.observe(failure("erin@example.test", "203.0.113.7", ""));
        assertThat(ask(lockout, "erin@example.test", "203.0.113.7").outcome()).isEqualTo(DELAY);
        clock.advance(Duration.ofMinutes(61));
        assertThat(ask(lockout, "erin@example.test", "203.0.113.7").outcome()).isEqualTo(ALLOW);
        lockout.observe(failure("erin@example.test", "203.0.113.7", ""));
        assertThat(active()).isEmpty();
    }

    @Test
    void aStalePasswordRetriedDoesNotCountAsGuessingButManyPasswordsDo() {
        LoginLockout lockout = new LoginLockout(config(new LoginsConfig.Thresholds(0, 0, 4), OFF, OFF), store, new RestrictionIndex(store));
        for (int i = 0; i < 20; i++) lockout.observe(failure("frank@example.test", "203.0.113.7", "5a1"));
        assertThat(active()).isEmpty();
        for (int i = 0; i < 3; i++) lockout.observe(failure("frank@example.test", "203.0.113.7", "b0" + i));
        assertThat(active()).singleElement().satisfies(r -> {
            assertThat(r.imposedBy()).isEqualTo("rule:logins.account.passwords-block-after");
            assertThat(r.reason()).isEqualTo("password guessing: 4 different passwords failed in 1h");
        });
    }

    @Test
    void exemptNetworksAreCountedOnlyAgainstTheAccount() {
        LoginLockout lockout = new LoginLockout(config(new LoginsConfig.Thresholds(0, 3, 0), new LoginsConfig.Thresholds(0, 2, 2), OFF,
                List.of("192.0.2.80/32"), true), store, new RestrictionIndex(store));
        lockout.observe(failure("gina@example.test", "192.0.2.80", ""));
        lockout.observe(failure("hank@example.test", "192.0.2.80", ""));
        lockout.observe(failure("gina@example.test", "192.0.2.80", ""));
        assertThat(active()).as("the webmail address is not blocked").isEmpty();
        lockout.observe(failure("gina@example.test", "192.0.2.80", ""));
        assertThat(active()).singleElement().satisfies(r -> assertThat(r.subject().kind()).isEqualTo(Subject.Kind.ACCOUNT));
    }

    @Test
    void aSecondThresholdCrossingWhileBlockedAddsNoSecondBlock() {
        LoginLockout lockout = new LoginLockout(config(new LoginsConfig.Thresholds(0, 2, 0), OFF, OFF), store, new RestrictionIndex(store));
        for (int i = 0; i < 6; i++) lockout.observe(failure("ivan@example.test", "203.0.113.7", ""));
        assertThat(active()).hasSize(1);
    }

    @Test
    void concurrentFailuresPastTheThresholdImposeOneBlock() throws Exception {
        LoginLockout.Counters counters = new LoginLockout.Counters();
        LoginLockout lockout = new LoginLockout(config(new LoginsConfig.Thresholds(0, 10, 0), OFF, OFF), store, new RestrictionIndex(store), counters);
        int threads = 8;
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(threads)) {
            List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < 50; i++) lockout.observe(failure("kim@example.test", "203.0.113.7", ""));
                    return null;
                }));
            }
            go.countDown();
            for (var f : done) f.get();
        }
        assertThat(store.restrictions()).hasSize(1);
        assertThat(counters.blocks().sum()).isEqualTo(1);
    }

    @Test
    void whenTheStateIsDownLoginsAreAllowedOrRefusedAsConfigured() {
        LoginsConfig.Thresholds account = new LoginsConfig.Thresholds(1, 2, 0);
        LoginLockout open = new LoginLockout(config(account, OFF, OFF), store, new RestrictionIndex(store));
        LoginLockout.Counters counters = new LoginLockout.Counters();
        LoginLockout closed = new LoginLockout(config(account, OFF, OFF, List.of(), false), store, new RestrictionIndex(store), counters);
        store.close();
        open.observe(failure("jo@example.test", "203.0.113.7", "")); // logged, not thrown
        assertThat(ask(open, "jo@example.test", "203.0.113.7").outcome()).isEqualTo(ALLOW);
        LoginDecision refused = ask(closed, "jo@example.test", "203.0.113.7");
        assertThat(refused.outcome()).isEqualTo(REJECT);
        assertThat(refused.message()).isEqualTo("Login temporarily unavailable, please try again later");
        assertThat(counters.faults().sum()).isEqualTo(1);
    }

    @Test
    void aFaultNamesAnIpv6ClientInTheShortForm() {
        LoginsConfig.Thresholds account = new LoginsConfig.Thresholds(1, 2, 0);
        LoginLockout observing = new LoginLockout(config(account, OFF, OFF), store, new RestrictionIndex(store));
        LoginLockout deciding = new LoginLockout(config(account, OFF, OFF), store, new RestrictionIndex(store));
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        Logger logger = (Logger) LoggerFactory.getLogger(LoginLockout.class);
        logged.start();
        logger.addAppender(logged);
        try {
            store.close();
            observing.observe(failure("jo@example.test", "2001:0db8:0:0:0:0:0:0007", ""));
            ask(deciding, "jo@example.test", "2001:db8:0:0:0:0:0:7");
        } finally {
            logger.detachAppender(logged);
        }
        // RFC 5952 4.2: the text people read is the short form, as everywhere else, not Java's 2001:db8:0:0:0:0:0:7.
        assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage).satisfiesExactly(
                m -> assertThat(m).startsWith("logins: could not count a login attempt of jo@example.test from 2001:db8::7 ("),
                m -> assertThat(m).startsWith("logins: could not decide a login of jo@example.test from 2001:db8::7 ("));
    }
}
