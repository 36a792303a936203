package dev.sekisho.audit.site;

import dev.sekisho.audit.site.SiteVerdict.Judgement;
import dev.sekisho.testing.MutableClock;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;

import static dev.sekisho.audit.site.SiteLab.NS1;
import static dev.sekisho.audit.site.SiteLab.NS2;
import static dev.sekisho.audit.site.SiteLab.wellRun;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SiteJudgeTest {
    private static final Instant START = Instant.parse("2026-12-02T04:00:00Z");
    private static final SiteJudge.CachePolicy POLICY = new SiteJudge.CachePolicy(Duration.ofHours(6), Duration.ofHours(1), Duration.ofMinutes(30), 100);

    private final MutableClock clock = new MutableClock(START);

    private static SiteJudge judge(SiteLab lab, MutableClock clock) {
        return new SiteJudge(lab.inspector(clock), clock, POLICY);
    }

    /** How many times the site was inspected: each inspection asks the first server for the zone's SOA once. */
    private static int inspections(SiteLab lab, String zone) {
        return lab.servers().server(NS1).queries(zone, Type.SOA);
    }

    @Test
    void aWellRunVerdictIsKeptForItsTtlThenTheSiteIsInspectedAgain() throws IOException {
        try (SiteLab lab = SiteLab.serving(wellRun("good.test"), NS1, NS2).start()) {
            SiteJudge judge = judge(lab, clock);

            SiteVerdict first = judge.judge("good.test");
            assertThat(first.judgement()).isEqualTo(Judgement.WELL_RUN);
            assertThat(first.checkedAt()).isEqualTo(START);
            clock.advance(Duration.ofHours(6).minusSeconds(1));
            assertThat(judge.judge("GOOD.test.")).isSameAs(first);
            assertThat(judge.cached("good.test")).contains(first);
            assertThat(inspections(lab, "good.test")).isEqualTo(1);

            clock.advance(Duration.ofSeconds(1));
            assertThat(judge.cached("good.test")).isEmpty();
            SiteVerdict second = judge.judge("good.test");
            assertThat(second.checkedAt()).isEqualTo(START.plus(Duration.ofHours(6)));
            assertThat(inspections(lab, "good.test")).isEqualTo(2);
        }
    }

    @Test
    void aBrokenVerdictIsKeptForTheShorterTtl() throws IOException {
        SiteLab plan = SiteLab.serving(wellRun("lame.test"), NS1, NS2);
        plan.server(NS2).notAuthoritative();
        try (SiteLab lab = plan.start()) {
            SiteJudge judge = judge(lab, clock);

            SiteVerdict verdict = judge.judge("lame.test");
            assertThat(verdict.judgement()).isEqualTo(Judgement.BROKEN);
            clock.advance(Duration.ofMinutes(59));
            assertThat(judge.cached("lame.test")).contains(verdict);
            clock.advance(Duration.ofMinutes(1));
            assertThat(judge.cached("lame.test")).isEmpty();
            judge.judge("lame.test");
            assertThat(inspections(lab, "lame.test")).isEqualTo(2);
        }
    }

    @Test
    void aSiteBrokenOnlyBySilenceIsHeldUndeterminedUntilTheSilenceHasLastedThenBroken() throws IOException {
        SiteLab plan = SiteLab.serving(wellRun("quiet.test"), NS1, NS2);
        plan.server(NS2).drop("quiet.test");
        try (SiteLab lab = plan.start()) {
            SiteJudge judge = judge(lab, clock);
            Reason silence = new Reason(ReasonCode.NS_NO_RESPONSE, lab.at("ns2.quiet.test", NS2), "SOA quiet.test: no answer within 500 ms");

            SiteVerdict first = judge.judge("quiet.test");
            assertThat(first.judgement()).isEqualTo(Judgement.UNDETERMINED);
            assertThat(first.reasons()).containsExactly(silence);
            assertThat(first.problems()).containsExactly(
                    "not answering since 2026-12-02T04:00:00Z: counted as broken if still so at 2026-12-02T04:30:00Z");
            clock.advance(Duration.ofMinutes(29));
            assertThat(judge.judge("quiet.test")).isSameAs(first); // kept until the silence may be confirmed
            assertThat(inspections(lab, "quiet.test")).isEqualTo(1);

            clock.advance(Duration.ofMinutes(1));
            SiteVerdict confirmed = judge.judge("quiet.test");
            assertThat(confirmed.judgement()).isEqualTo(Judgement.BROKEN);
            assertThat(confirmed.reasons()).containsExactly(silence);
            assertThat(confirmed.problems()).isEmpty();
            assertThat(judge.cached("quiet.test")).contains(confirmed);
        }
    }

    @Test
    void aBrokenConfigurationNeedsNoConfirmation() throws IOException {
        SiteLab plan = SiteLab.serving(wellRun("lame.test"), NS1, NS2);
        plan.server(NS2).refuse("lame.test");
        try (SiteLab lab = plan.start()) {
            assertThat(judge(lab, clock).judge("lame.test").judgement()).isEqualTo(Judgement.BROKEN);
        }
    }

    @Test
    void aHostNameHasItsOwnEntry() throws IOException {
        try (SiteLab lab = SiteLab.serving(wellRun("good.test"), NS1, NS2).start()) {
            SiteJudge judge = judge(lab, clock);

            judge.judge("good.test");
            SiteVerdict host = judge.judge("mail.good.test");
            assertThat(host.domain()).isEqualTo("mail.good.test");
            assertThat(host.wellRun()).isTrue();
            assertThat(judge.size()).isEqualTo(2);
        }
    }

    @Test
    void anUndeterminedVerdictIsNeverCachedSoATemporaryFailureIsNotReadLaterAsBroken() throws IOException {
        SiteLab plan = SiteLab.serving(wellRun("flaky.test"), NS1, NS2);
        plan.recursive.servfail("flaky.test", Type.NS);
        try (SiteLab lab = plan.start()) {
            SiteJudge judge = judge(lab, clock);

            assertThat(judge.judge("flaky.test").judgement()).isEqualTo(Judgement.UNDETERMINED);
            assertThat(judge.cached("flaky.test")).isEmpty();
            judge.judge("flaky.test");
            assertThat(lab.resolverServer().queries("flaky.test", Type.NS)).isEqualTo(2);
        }
    }

    @Test
    void aFullCacheDropsExpiredVerdictsFirstAndOtherwiseJudgesWithoutRemembering() throws IOException {
        try (SiteLab lab = SiteLab.serving(wellRun("good.test"), NS1, NS2).start()) {
            SiteJudge judge = new SiteJudge(lab.inspector(clock), clock, new SiteJudge.CachePolicy(Duration.ofHours(6), Duration.ofHours(1), Duration.ofMinutes(30), 1));

            judge.judge("good.test");
            judge.judge("mail.good.test");
            assertThat(judge.cached("good.test")).isPresent();
            assertThat(judge.cached("mail.good.test")).isEmpty();

            clock.advance(Duration.ofHours(6));
            judge.judge("mail.good.test");
            assertThat(judge.cached("mail.good.test")).isPresent();
            assertThat(judge.size()).isEqualTo(1);
        }
    }

    @Test
    void aCachePolicyThatKeepsBrokenVerdictsLongerIsRefused() {
        assertThatThrownBy(() -> new SiteJudge.CachePolicy(Duration.ofMinutes(5), Duration.ofHours(1), Duration.ZERO, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("brokenTtl PT1H > wellRunTtl PT5M");
    }
}
