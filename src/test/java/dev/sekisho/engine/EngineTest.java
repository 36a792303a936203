package dev.sekisho.engine;

import dev.sekisho.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class EngineTest {
    private final MutableClock clock = MutableClock.at("2026-11-22T10:00:00Z");

    private static Transaction rcpt() throws Exception {
        return new Transaction("mx", Stage.RCPT, InetAddress.getByAddress(new byte[]{(byte) 203, 0, 113, 7}), null, "unknown",
                "helo.example", "a@example.org", "b@example.test", 0, 0, "", "1");
    }

    private static Check check(String name, CheckResult result) {
        return new Check() {
            public String name() {
                return name;
            }

            public CheckResult evaluate(Transaction t, EvaluationContext c) {
                return result;
            }
        };
    }

    private Engine engine(Action failure, Check... checks) {
        return new Engine(Map.of("mx", new ServicePolicy("mx", List.of(checks), Duration.ofSeconds(1), failure)), clock, Engine.Listener.NONE);
    }

    @Test
    void firstDecisiveCheckWinsAndLaterChecksAreNotAsked() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        Check counting = new Check() {
            public String name() {
                return "later";
            }

            public CheckResult evaluate(Transaction t, EvaluationContext c) {
                asked.incrementAndGet();
                return CheckResult.pass(Explanation.of("later", "fine"));
            }
        };
        Action reject = Action.reject(554, "5.7.1", "denied");
        Verdict verdict = engine(Action.DUNNO,
                check("first", CheckResult.pass(Explanation.of("first", "fine"))),
                check("deny", CheckResult.decide(reject, Explanation.of("deny", "listed"))),
                counting).decide(rcpt());
        assertThat(verdict.action()).isEqualTo(reject);
        assertThat(verdict.decidedBy().check()).isEqualTo("deny");
        assertThat(verdict.trail()).extracting(Explanation::check).containsExactly("first", "deny");
        assertThat(asked).hasValue(0);
    }

    @Test
    void aFailureOutsideTheChecksGetsTheServicesFailureVerdict() throws Exception {
        Charge failing = new Charge() {
            @Override
            public java.util.Optional<CheckResult> commit() {
                throw new IllegalStateException("state store unreachable");
            }

            @Override
            public void cancel() {
            }
        };
        List<String> failures = new ArrayList<>();
        Action failClosed = Action.defer(451, "4.3.0", "try later");
        Engine engine = new Engine(Map.of("mx", new ServicePolicy("mx",
                List.of(check("limit", CheckResult.pass(Explanation.of("limit", "within"), failing))), Duration.ofSeconds(1), failClosed)),
                clock, new Engine.Listener() {
                    @Override
                    public void decisionFailed(Transaction transaction, RuntimeException cause) {
                        failures.add(cause.getMessage());
                    }
                });
        Verdict verdict = engine.decide(rcpt());
        assertThat(verdict.action()).isEqualTo(failClosed);
        assertThat(verdict.fault()).isTrue();
        assertThat(verdict.decidedBy().detail()).contains("state store unreachable");
        assertThat(failures).containsExactly("state store unreachable");
    }

    /** A charge that records what happens to it, and refuses its commit when told to. */
    private static final class RecordingCharge implements Charge {
        final List<String> events;
        final String name;
        final CheckResult refusal;

        RecordingCharge(List<String> events, String name, CheckResult refusal) {
            this.events = events;
            this.name = name;
            this.refusal = refusal;
        }

        @Override
        public java.util.Optional<CheckResult> commit() {
            events.add("commit " + name);
            return java.util.Optional.ofNullable(refusal);
        }

        @Override
        public void cancel() {
            events.add("cancel " + name);
        }
    }

    @Test
    void chargesAreCommittedOnlyWhenTheMailIsAccepted() throws Exception {
        List<String> events = new ArrayList<>();
        Check charging = check("limit", CheckResult.pass(Explanation.of("limit", "ok"), new RecordingCharge(events, "limit", null)));
        engine(Action.DUNNO, charging, check("grey", CheckResult.decide(Action.of(Action.Kind.DEFER_IF_PERMIT, "wait"),
                Explanation.of("grey", "new")))).decide(rcpt());
        assertThat(events).as("refused: nothing committed, and what the check counted is given back").containsExactly("cancel limit");
        events.clear();

        engine(Action.DUNNO, charging, check("hold", CheckResult.decide(Action.of(Action.Kind.HOLD, "look"), Explanation.of("hold", "x"))))
                .decide(rcpt());
        assertThat(events).containsExactly("commit limit");

        events.clear();
        engine(Action.DUNNO, charging).decide(rcpt());
        assertThat(events).containsExactly("commit limit");
    }

    @Test
    void aCommitThatNoLongerFitsRefusesTheMailAndUndoesEarlierCommits() throws Exception {
        List<String> events = new ArrayList<>();
        CheckResult full = CheckResult.decide(Action.defer(450, "4.7.1", "over"), Explanation.of("second", "taken meanwhile"));
        Verdict verdict = engine(Action.DUNNO,
                check("first", CheckResult.pass(Explanation.of("first", "ok"), new RecordingCharge(events, "first", null))),
                check("second", CheckResult.pass(Explanation.of("second", "ok"), new RecordingCharge(events, "second", full)))).decide(rcpt());
        assertThat(verdict.action()).isEqualTo(Action.defer(450, "4.7.1", "over"));
        assertThat(verdict.decidedBy().check()).isEqualTo("second");
        assertThat(events).as("every charge of the refused mail is cancelled; each gives back only what it counted")
                .containsExactly("commit first", "commit second", "cancel first", "cancel second");
    }

    @Test
    void aCheckThatCannotAnswerGivesTheFailureVerdict() throws Exception {
        List<String> events = new ArrayList<>();
        Check broken = new Check() {
            public String name() {
                return "broken";
            }

            public CheckResult evaluate(Transaction t, EvaluationContext c) {
                throw new CheckUnavailableException("redis timed out");
            }
        };
        Action tempfail = Action.defer(451, "4.3.0", "try later");
        Verdict verdict = engine(tempfail, check("limit", CheckResult.pass(Explanation.of("limit", "ok"), new RecordingCharge(events, "x", null))),
                broken).decide(rcpt());
        assertThat(verdict.fault()).isTrue();
        assertThat(verdict.action()).isEqualTo(tempfail);
        assertThat(verdict.decidedBy().detail()).contains("redis timed out");
        assertThat(events).as("a refusing failure verdict counts nothing").containsExactly("cancel x");
        events.clear();

        Verdict open = engine(Action.DUNNO, check("limit", CheckResult.pass(Explanation.of("limit", "ok"), new RecordingCharge(events, "x", null))),
                broken).decide(rcpt());
        assertThat(events).as("fail-open accepts the mail, so it is counted").containsExactly("commit x");
        assertThat(open.action()).isEqualTo(Action.DUNNO);
        assertThat(open.fault()).isTrue();
    }

    @Test
    void passingTheDeadlineStopsWithTheFailureVerdict() throws Exception {
        Check slow = new Check() {
            public String name() {
                return "slow";
            }

            public CheckResult evaluate(Transaction t, EvaluationContext c) {
                clock.advance(Duration.ofSeconds(2));
                return CheckResult.pass(Explanation.of("slow", "eventually"));
            }
        };
        Check never = check("never", CheckResult.decide(Action.reject(554, "5.7.1", "x"), Explanation.of("never", "x")));
        Verdict verdict = engine(Action.DUNNO, slow, never).decide(rcpt());
        assertThat(verdict.fault()).isTrue();
        assertThat(verdict.action()).isEqualTo(Action.DUNNO);
        assertThat(verdict.decidedBy().detail()).contains("deadline");
    }

    @Test
    void aDeadlineBeyondWhatMillisecondsReachStillLetsTheChecksDecide() throws Exception {
        Check pass = check("pass", CheckResult.pass(Explanation.of("pass", "ok")));
        Check refuse = check("refuse", CheckResult.decide(Action.reject(554, "5.7.1", "no"), Explanation.of("refuse", "no")));
        // Accepted by the configuration (any positive duration); its epoch milliseconds would not fit in a long.
        Duration centuries = Duration.ofSeconds(Long.MAX_VALUE / 1000);
        Engine engine = new Engine(Map.of("mx", new ServicePolicy("mx", List.of(pass, refuse), centuries, Action.DUNNO)), clock,
                Engine.Listener.NONE);

        Verdict verdict = engine.decide(rcpt());
        assertThat(verdict.fault()).isFalse();
        assertThat(verdict.action()).isEqualTo(Action.reject(554, "5.7.1", "no"));
    }

    @Test
    void anActionPostfixForbidsAtTheStageBecomesDunno() throws Exception {
        Transaction eom = new Transaction("mx", Stage.END_OF_MESSAGE, rcpt().clientAddress(), null, "", "", "a@b.c", "", 1, 100, "", "1");
        Verdict verdict = engine(Action.DUNNO, check("tag", CheckResult.decide(Action.of(Action.Kind.PREPEND, "X-Tag: 1"),
                Explanation.of("tag", "x")))).decide(eom);
        assertThat(verdict.action()).isEqualTo(Action.DUNNO);
    }

    @Test
    void explainAsksEveryCheckEvenAfterADecision() throws Exception {
        Engine engine = engine(Action.DUNNO,
                check("deny", CheckResult.decide(Action.reject(554, "5.7.1", "x"), Explanation.of("deny", "listed"))),
                check("other", CheckResult.pass(Explanation.of("other", "fine"))));
        assertThat(engine.explain(rcpt())).extracting(r -> r.explanation().check()).containsExactly("deny", "other");
    }

    @Test
    void logOnlyFindingsAreKeptAsNotes() throws Exception {
        Verdict verdict = engine(Action.DUNNO, check("mismatch", CheckResult.note(Explanation.of("mismatch", "not owned")))).decide(rcpt());
        assertThat(verdict.isDunno()).isTrue();
        assertThat(verdict.notable()).isTrue();
        assertThat(verdict.notes()).extracting(Explanation::check).containsExactly("mismatch");
    }
}
