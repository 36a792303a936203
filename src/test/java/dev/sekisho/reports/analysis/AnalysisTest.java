package dev.sekisho.reports.analysis;

import dev.sekisho.store.RecordGroup;
import dev.sekisho.store.StoredPolicy;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The classification and advice rules on hand-made record groups. */
class AnalysisTest {
    private static final Instant T = Instant.parse("2024-05-01T00:00:00Z");

    private static RecordGroup group(String ip, long messages, boolean dkimAligned, boolean spfAligned, String dkim, String spf, String reasons) {
        Optional<String> dkimDomain = dkim.isEmpty() ? Optional.empty() : Optional.of(dkim.split("=")[0]);
        Optional<String> dkimResult = dkim.isEmpty() ? Optional.empty() : Optional.of(dkim.split("=")[1]);
        Optional<String> spfDomain = spf.isEmpty() ? Optional.empty() : Optional.of(spf.split("=")[0]);
        Optional<String> spfResult = spf.isEmpty() ? Optional.empty() : Optional.of(spf.split("=")[1]);
        return new RecordGroup(ip, "example.com", spfDomain, "none", dkimAligned, spfAligned, dkimDomain, dkimResult, spfDomain, spfResult,
                reasons, messages, T, T.plusSeconds(86_400));
    }

    @Test
    void classifiesByAlignedResultsForwardingEvidenceAndKnownForwarders() {
        SourceClassifier standard = SourceClassifier.standard();
        assertThat(standard.classify(group("192.0.2.1", 1, false, true, "", "example.com=pass", ""))).isEqualTo(SourceClass.AUTHORISED);
        // DKIM aligned and SPF passing for the ESP's own bounce domain: an ESP that signs for the domain.
        assertThat(standard.classify(group("192.0.2.2", 1, true, false, "example.com=pass", "bounce.esp.example=pass", "")))
                .isEqualTo(SourceClass.AUTHORISED);
        // DKIM aligned, SPF passing for nobody: the signature survived a relay.
        assertThat(standard.classify(group("192.0.2.3", 1, true, false, "example.com=pass", "example.com=fail", "")))
                .isEqualTo(SourceClass.FORWARDED);
        assertThat(standard.classify(group("192.0.2.4", 1, false, false, "example.com=fail", "example.com=fail", "local_policy,mailing_list")))
                .isEqualTo(SourceClass.FORWARDED);
        assertThat(standard.classify(group("192.0.2.5", 1, false, false, "", "example.com=permerror", ""))).isEqualTo(SourceClass.SPOOFING);
        assertThat(SourceClassifier.withKnownForwarders(List.of("2001:db8::/32", "192.0.2.5"))
                .classify(group("192.0.2.5", 1, false, false, "", "example.com=fail", ""))).isEqualTo(SourceClass.FORWARDED);
        assertThat(SourceClassifier.withKnownForwarders(List.of("2001:db8::/32"))
                .classify(group("2001:db8::25", 1, false, false, "", "", ""))).isEqualTo(SourceClass.FORWARDED);
        assertThatThrownBy(() -> SourceClassifier.withKnownForwarders(List.of("mail.example")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("not an IP address or network: 'mail.example'");
    }

    @Test
    void aSourceTakesTheClassOfMostOfItsMessages() {
        List<Source> sources = Source.of(List.of(group("192.0.2.1", 3, false, false, "", "example.com=fail", ""),
                group("192.0.2.1", 3, true, true, "example.com=pass", "example.com=pass", ""),
                group("192.0.2.9", 4, false, false, "", "", "")), SourceClassifier.standard());
        assertThat(sources).extracting(Source::ip, Source::sourceClass, Source::messages, Source::dmarcPass)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("192.0.2.1", SourceClass.AUTHORISED, 6L, 3L),
                        org.assertj.core.groups.Tuple.tuple("192.0.2.9", SourceClass.SPOOFING, 4L, 0L));
    }

    @Test
    void summaryRatesCountAlignedAndUnalignedPassesSeparately() {
        DmarcSummary summary = DmarcSummary.of(List.of(group("192.0.2.1", 6, true, false, "example.com=pass", "bounce.esp.example=pass", ""),
                group("192.0.2.2", 4, false, false, "", "example.com=softfail", "")), 1);
        assertThat(summary.rates()).containsExactly(new DmarcSummary.Rate("dmarc", 6, 10), new DmarcSummary.Rate("spf-aligned", 0, 10),
                new DmarcSummary.Rate("spf", 6, 10), new DmarcSummary.Rate("dkim-aligned", 6, 10), new DmarcSummary.Rate("dkim", 6, 10));
        assertThat(summary.topSources()).containsExactly(new DmarcSummary.TopSource("192.0.2.1", 6, 0.6));
        assertThat(summary.dispositions()).containsExactly(java.util.Map.entry("none", 10L), java.util.Map.entry("quarantine", 0L),
                java.util.Map.entry("reject", 0L));
    }

    @Test
    void rejectWaitsForAFullQuarantine() {
        List<RecordGroup> healthy = List.of(group("192.0.2.1", 100, true, true, "example.com=pass", "example.com=pass", ""));
        StoredPolicy half = new StoredPolicy("example.com", "quarantine", Optional.empty(), Optional.of(50), T, "r.example");
        PolicyAdvice advice = PolicyAdvice.of("example.com", healthy, Optional.of(half), SourceClassifier.standard(), 0.01);
        assertThat(advice.quarantine().ready()).isTrue();
        assertThat(advice.reject()).isEqualTo(new PolicyAdvice.Step("reject", false,
                "p=quarantine applies to pct=50% of failing mail: raise pct to 100 first"));
        assertThat(advice.parkedRecords()).isEmpty();

        PolicyAdvice none = PolicyAdvice.of("example.com", healthy, Optional.empty(), SourceClassifier.standard(), 0.01);
        assertThat(none.quarantine()).isEqualTo(new PolicyAdvice.Step("quarantine", true,
                "0.0% of legitimate mail (0 of 100 messages) fails DMARC; the limit is 1.0%"));
        assertThat(none.reject().ready()).isFalse();
    }

    @Test
    void failuresAreDescribedByWhatEachMechanismSaw() {
        assertThat(PolicyAdvice.problem(group("192.0.2.1", 1, false, false, "esp.example=pass", "bounce.esp.example=pass", "")))
                .isEqualTo("SPF not aligned: envelope domain bounce.esp.example; DKIM not aligned: signed by d=esp.example");
        assertThat(PolicyAdvice.problem(group("192.0.2.1", 1, false, false, "", "", ""))).isEqualTo("no SPF result; not DKIM-signed");
        assertThat(PolicyAdvice.problem(group("192.0.2.1", 1, false, false, "example.com=fail", "example.com=softfail", "")))
                .isEqualTo("SPF softfail for example.com; DKIM fail for d=example.com");
    }

    @Test
    void aFailingShareOutsideZeroToOneIsRefused() {
        assertThatThrownBy(() -> PolicyAdvice.of("example.com", List.of(), Optional.empty(), SourceClassifier.standard(), 1.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1.5");
    }
}
