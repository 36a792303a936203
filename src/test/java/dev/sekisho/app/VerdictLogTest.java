package dev.sekisho.app;

import dev.sekisho.engine.Action;
import dev.sekisho.engine.Explanation;
import dev.sekisho.engine.Stage;
import dev.sekisho.engine.Transaction;
import dev.sekisho.engine.Verdict;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class VerdictLogTest {
    private static final String STAMP = "2026-12-04T07:45:18.880Z INFO  sekisho.verdict ";

    private static Transaction rcpt(String saslUsername) throws Exception {
        return new Transaction("mx", Stage.RCPT, InetAddress.getByName("203.0.113.7"), null, "mail.example.org", "helo",
                "a@example.org", "b@example.test", 0, 0, saslUsername, "1");
    }

    private static Verdict decidedBy(Action action, Explanation why) {
        return new Verdict(action, why, List.of(why), List.of(), false);
    }

    @Test
    void aLineNamesServiceActionEnvelopeCheckRuleKeyAndValuesAndEachActionIsItsOwn() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        Explanation greylist = new Explanation("greylist", "new", "triplet=203.0.113.0/24|a@example.org|b@example.test",
                "deferred for 300s", Explanation.values("pass-at", "2026-12-04T07:50:19Z", "client-passes", "0"));
        Explanation limit = new Explanation("per-client-ip", "1h", "client-ip=203.0.113.7", "over", Explanation.values("1h", "101/100"));
        Action deferral = Action.of(Action.Kind.DEFER_IF_PERMIT, "Greylisted, please try again in 300 seconds");
        Action refusal = Action.defer(450, "4.7.1", "Rate limit \"per-client-ip\" reached");
        try (LineWriter lines = new LineWriter(out, () -> Instant.parse("2026-12-04T07:45:18.880Z"))) {
            VerdictLog log = new VerdictLog(metrics, lines);
            log.decided(rcpt(""), decidedBy(deferral, greylist));
            log.decided(rcpt("alice"), decidedBy(refusal, limit));
            log.decided(rcpt(""), decidedBy(deferral, greylist)); // the same action again, after another
            log.decided(rcpt(""), new Verdict(Action.DUNNO, null, List.of(), List.of(), false)); // a plain DUNNO: no line
        }

        assertThat(out.toString(StandardCharsets.UTF_8).lines()).containsExactly(
                STAMP + "service=mx stage=rcpt action=\"DEFER_IF_PERMIT Greylisted, please try again in 300 seconds\""
                        + " client=203.0.113.7 sender=<a@example.org> recipient=<b@example.test> check=greylist rule=\"new\""
                        + " key=triplet=203.0.113.0/24|a@example.org|b@example.test pass-at=2026-12-04T07:50:19Z client-passes=0"
                        + " detail=\"deferred for 300s\"",
                // the action's own quotes become apostrophes, so that action="..." stays one field
                STAMP + "service=mx stage=rcpt action=\"DEFER 450 4.7.1 Rate limit 'per-client-ip' reached\""
                        + " client=203.0.113.7 sender=<a@example.org> recipient=<b@example.test> sasl_username=alice"
                        + " check=per-client-ip rule=\"1h\" key=client-ip=203.0.113.7 1h=101/100 detail=\"over\"",
                STAMP + "service=mx stage=rcpt action=\"DEFER_IF_PERMIT Greylisted, please try again in 300 seconds\""
                        + " client=203.0.113.7 sender=<a@example.org> recipient=<b@example.test> check=greylist rule=\"new\""
                        + " key=triplet=203.0.113.0/24|a@example.org|b@example.test pass-at=2026-12-04T07:50:19Z client-passes=0"
                        + " detail=\"deferred for 300s\"");
        assertThat(metrics.get("sekisho.verdicts").tag("action", "DEFER_IF_PERMIT").tag("check", "greylist").counter().count())
                .isEqualTo(2.0);
        assertThat(metrics.get("sekisho.verdicts").tag("action", "DUNNO").tag("check", "").counter().count()).isEqualTo(1.0);
    }
}
