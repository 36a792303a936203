package dev.sekisho.dmarc;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class DmarcRecordTest {
    private static final String RUA = "; rua=mailto:dmarc@example.com";

    private static List<String> codes(DmarcRecord r) {
        return r.findings().stream().map(Finding::code).toList();
    }

    private static Finding only(DmarcRecord r, String code) {
        List<Finding> found = r.findings().stream().filter(f -> f.code().equals(code)).toList();
        assertThat(found).as("findings %s in %s", code, r.findings()).hasSize(1);
        return found.getFirst();
    }

    @Test
    void aCleanRecordHasNoFindingsAndEveryValue() {
        DmarcRecord r = DmarcRecord.parse("v=DMARC1; p=reject; sp=reject; adkim=s; aspf=r; rua=mailto:agg@example.com; "
                + "ruf=mailto:fail@example.com; fo=1:d");
        assertThat(r.recognized()).isTrue();
        assertThat(r.policy()).isEqualTo(Policy.REJECT);
        assertThat(r.subdomainPolicy()).isEqualTo(Policy.REJECT);
        assertThat(r.nonExistentSubdomainPolicy()).isEqualTo(Policy.REJECT);
        assertThat(r.dkimAlignment()).isEqualTo(AlignmentMode.STRICT);
        assertThat(r.spfAlignment()).isEqualTo(AlignmentMode.RELAXED);
        assertThat(r.aggregateReports()).extracting(ReportUri::address).containsExactly("agg@example.com");
        assertThat(r.failureReports()).extracting(ReportUri::domain).containsExactly("example.com");
        assertThat(r.failureOptions()).containsExactlyInAnyOrder(FailureOption.ANY_FAIL, FailureOption.DKIM_FAIL);
        assertThat(r.hasErrors()).isFalse();
        assertThat(r.findings(Severity.WARNING)).isEmpty();
        assertThat(codes(r)).containsExactlyInAnyOrder("strict-alignment", "failure-reports");
        assertThat(r.tags()).containsKeys("v", "p", "sp", "adkim", "aspf", "rua", "ruf", "fo");
    }

    @Test
    void defaultsWhenTagsAreAbsent() {
        DmarcRecord r = DmarcRecord.parse("v=DMARC1; p=quarantine" + RUA);
        assertThat(r.dkimAlignment()).isEqualTo(AlignmentMode.RELAXED);
        assertThat(r.spfAlignment()).isEqualTo(AlignmentMode.RELAXED);
        assertThat(r.percent()).isEqualTo(100);
        assertThat(r.failureOptions()).containsExactly(FailureOption.ALL_FAIL);
        assertThat(r.reportFormats()).containsExactly("afrf");
        assertThat(r.reportInterval()).isEqualTo(86_400);
        assertThat(r.psd()).isEqualTo(PsdFlag.UNSPECIFIED);
        assertThat(r.testing()).isFalse();
        assertThat(r.requestedSubdomainPolicy()).isEmpty();
        assertThat(r.subdomainPolicy()).isEqualTo(Policy.QUARANTINE);
        assertThat(r.findings()).isEmpty();
    }

    @Test
    void trailingSemicolonAndWhitespaceAroundSeparatorsAreFine() {
        for (String text : List.of("v=DMARC1;p=reject;rua=mailto:a@example.com;", "v = DMARC1 ; p = reject ;\trua=mailto:a@example.com ; ",
                "v=DMARC1; p=reject; rua=mailto:a@example.com;  ")) {
            DmarcRecord r = DmarcRecord.parse(text);
            assertThat(r.recognized()).as(text).isTrue();
            assertThat(r.policy()).as(text).isEqualTo(Policy.REJECT);
            assertThat(r.findings()).as(text).isEmpty();
        }
    }

    @Test
    void characterStringsAreJoinedWithoutSeparator() {
        DmarcRecord r = DmarcRecord.parse(List.of("v=DMARC1; p=rej", "ect; rua=mailto:a@example.com"));
        assertThat(r.policy()).isEqualTo(Policy.REJECT);
        assertThat(r.findings()).isEmpty();
    }

    @Test
    void missingVersionIsIgnoredWholeButStillValidated() {
        DmarcRecord r = DmarcRecord.parse("p=reject; rua=mailto:a@example.com; foo=bar");
        assertThat(r.recognized()).isFalse();
        Finding f = only(r, "missing-version");
        assertThat(f.severity()).isEqualTo(Severity.ERROR);
        assertThat(f.message()).contains("ignore the whole record");
        assertThat(codes(r)).contains("unknown-tag");
        assertThat(r.policy()).isEqualTo(Policy.REJECT);
    }

    @Test
    void versionNotFirst() {
        DmarcRecord r = DmarcRecord.parse("p=reject; v=DMARC1; rua=mailto:a@example.com");
        assertThat(r.recognized()).isFalse();
        assertThat(only(r, "version-not-first").severity()).isEqualTo(Severity.ERROR);
        assertThat(codes(r)).doesNotContain("duplicate-tag", "missing-version");
    }

    @Test
    void versionValueMustMatchExactly() {
        assertThat(only(DmarcRecord.parse("v=dmarc1; p=reject"), "invalid-version").message()).contains("case-sensitive");
        assertThat(DmarcRecord.parse("v=DMARC2; p=reject").recognized()).isFalse();
        assertThat(DmarcRecord.parse("v=DMARC1 p=reject").recognized()).isFalse();
        assertThat(DmarcRecord.parse("v=spf1 -all").recognized()).isFalse();
        assertThat(DmarcRecord.parse("v=").recognized()).isFalse();
    }

    @Test
    void emptyAndBlankRecords() {
        assertThat(only(DmarcRecord.parse(""), "missing-version").severity()).isEqualTo(Severity.ERROR);
        assertThat(DmarcRecord.parse(" \t ").recognized()).isFalse();
        assertThat(DmarcRecord.parse(";v=DMARC1").recognized()).isFalse();
        assertThat(DmarcRecord.parse(";;;").recognized()).isFalse();
    }

    @Test
    void upperCaseVersionTagIsRecognisedWithAWarning() {
        DmarcRecord r = DmarcRecord.parse("V=DMARC1; p=reject" + RUA);
        assertThat(r.recognized()).isTrue();
        assertThat(only(r, "upper-case").tag()).isEqualTo("v");
    }

    @Test
    void leadingWhitespaceIsAWarning() {
        DmarcRecord r = DmarcRecord.parse("  v=DMARC1; p=reject" + RUA);
        assertThat(r.recognized()).isTrue();
        assertThat(only(r, "leading-whitespace").severity()).isEqualTo(Severity.WARNING);
    }

    @Test
    void duplicateTagsAreErrorsAndTheFirstValueIsKept() {
        DmarcRecord r = DmarcRecord.parse("v=DMARC1; p=reject; p=none" + RUA);
        Finding f = only(r, "duplicate-tag");
        assertThat(f.severity()).isEqualTo(Severity.ERROR);
        assertThat(f.tag()).isEqualTo("p");
        assertThat(f.message()).contains("RFC 6376 3.2").contains("\"none\"");
        assertThat(r.policy()).isEqualTo(Policy.REJECT);
        assertThat(codes(DmarcRecord.parse("v=DMARC1; p=reject; v=DMARC1" + RUA))).containsExactly("duplicate-tag");
        assertThat(codes(DmarcRecord.parse("v=DMARC1; p=reject; P=reject" + RUA))).containsExactly("duplicate-tag");
    }

    @Test
    void unknownTagsAreWarningsAndIgnored() {
        DmarcRecord r = DmarcRecord.parse("v=DMARC1; p=reject; xcustom=1; rua=mailto:a@example.com");
        Finding f = only(r, "unknown-tag");
        assertThat(f.severity()).isEqualTo(Severity.WARNING);
        assertThat(f.tag()).isEqualTo("xcustom");
        assertThat(r.has("xcustom")).isFalse();
    }

    @Test
    void tagNamesAreLettersOnly() {
        DmarcRecord r = DmarcRecord.parse("v=DMARC1; p=reject; x-custom=1; rua=mailto:a@example.com; r2=3");
        assertThat(r.findings()).extracting(Finding::code).containsExactly("malformed-tag", "malformed-tag");
    }

    @Test
    void tagWithoutEqualsIsMalformed() {
        DmarcRecord r = DmarcRecord.parse("v=DMARC1; p=reject; reject" + RUA);
        Finding f = only(r, "malformed-tag");
        assertThat(f.severity()).isEqualTo(Severity.ERROR);
        assertThat(f.message()).contains("\"reject\"");
    }

    @Test
    void emptyTagBetweenSemicolons() {
        DmarcRecord r = DmarcRecord.parse("v=DMARC1;; p=reject" + RUA);
        assertThat(only(r, "empty-tag").severity()).isEqualTo(Severity.WARNING);
        assertThat(r.policy()).isEqualTo(Policy.REJECT);
    }

    @Test
    void emptyValue() {
        DmarcRecord r = DmarcRecord.parse("v=DMARC1; p=reject; sp=" + RUA);
        assertThat(only(r, "empty-value").tag()).isEqualTo("sp");
        assertThat(r.subdomainPolicy()).isEqualTo(Policy.REJECT);
    }

    @Test
    void invalidPolicyWithRuaActsAsNone() {
        DmarcRecord r = DmarcRecord.parse("v=DMARC1; p=block" + RUA);
        Finding f = only(r, "invalid-value");
        assertThat(f.tag()).isEqualTo("p");
        assertThat(f.message()).contains("p=block").contains("p=none");
        assertThat(r.requestedPolicy()).isEmpty();
        assertThat(r.policy()).isEqualTo(Policy.NONE);
        assertThat(codes(r)).doesNotContain("record-ignored");
    }

    @Test
    void invalidPolicyWithoutRuaMeansNoDmarc() {
        DmarcRecord r = DmarcRecord.parse("v=DMARC1; p=rejetc");
        assertThat(codes(r)).containsExactlyInAnyOrder("invalid-value", "record-ignored", "no-aggregate-reports");
        assertThat(only(r, "record-ignored").severity()).isEqualTo(Severity.ERROR);
    }

    @Test
    void invalidSubdomainPolicyWithoutRuaMeansNoDmarc() {
        DmarcRecord r = DmarcRecord.parse("v=DMARC1; p=reject; sp=strict");
        assertThat(only(r, "record-ignored").tag()).isEqualTo("sp");
        DmarcRecord np = DmarcRecord.parse("v=DMARC1; p=reject; np=x");
        assertThat(only(np, "record-ignored").tag()).isEqualTo("np");
    }

    @Test
    void missingPolicy() {
        Finding withRua = only(DmarcRecord.parse("v=DMARC1" + RUA), "missing-policy");
        assertThat(withRua.severity()).isEqualTo(Severity.WARNING);
        DmarcRecord bare = DmarcRecord.parse("v=DMARC1");
        assertThat(only(bare, "missing-policy").severity()).isEqualTo(Severity.ERROR);
        assertThat(bare.recognized()).isTrue();
        assertThat(bare.policy()).isEqualTo(Policy.NONE);
    }

    @Test
    void policyNoneIsAWarning() {
        DmarcRecord r = DmarcRecord.parse("v=DMARC1; p=none" + RUA);
        assertThat(only(r, "policy-none").severity()).isEqualTo(Severity.WARNING);
    }

    @Test
    void policyNotRightAfterVersion() {
        DmarcRecord r = DmarcRecord.parse("v=DMARC1; rua=mailto:a@example.com; p=reject");
        assertThat(only(r, "policy-not-second").severity()).isEqualTo(Severity.WARNING);
    }

    @Test
    void weakerSubdomainPolicies() {
        DmarcRecord r = DmarcRecord.parse("v=DMARC1; p=reject; sp=none" + RUA);
        assertThat(only(r, "weaker-subdomain-policy").message()).contains("sp=none").contains("p=reject");
        DmarcRecord np = DmarcRecord.parse("v=DMARC1; p=reject; sp=quarantine; np=none" + RUA);
        assertThat(only(np, "weaker-nonexistent-policy").message()).contains("quarantine");
        assertThat(np.nonExistentSubdomainPolicy()).isEqualTo(Policy.NONE);
        assertThat(codes(DmarcRecord.parse("v=DMARC1; p=none; sp=reject; np=reject" + RUA)))
                .doesNotContain("weaker-subdomain-policy", "weaker-nonexistent-policy");
    }

    @Test
    void nonExistentPolicyFallsBackToSpThenP() {
        assertThat(DmarcRecord.parse("v=DMARC1; p=reject; sp=quarantine").nonExistentSubdomainPolicy()).isEqualTo(Policy.QUARANTINE);
        assertThat(DmarcRecord.parse("v=DMARC1; p=reject").nonExistentSubdomainPolicy()).isEqualTo(Policy.REJECT);
        DmarcRecord np = DmarcRecord.parse("v=DMARC1; p=quarantine; np=reject" + RUA);
        assertThat(np.nonExistentSubdomainPolicy()).isEqualTo(Policy.REJECT);
        assertThat(only(np, "dmarcbis-tag").tag()).isEqualTo("np");
        assertThat(only(np, "dmarcbis-tag").severity()).isEqualTo(Severity.INFO);
    }

    @Test
    void upperCaseValuesAreWarnings() {
        DmarcRecord r = DmarcRecord.parse("v=DMARC1; p=REJECT; ADKIM=S" + RUA);
        assertThat(r.policy()).isEqualTo(Policy.REJECT);
        assertThat(r.dkimAlignment()).isEqualTo(AlignmentMode.STRICT);
        assertThat(r.findings(Severity.WARNING)).extracting(Finding::code).containsOnly("upper-case").hasSize(3);
    }

    @Test
    void alignmentValues() {
        DmarcRecord r = DmarcRecord.parse("v=DMARC1; p=reject; aspf=strict; adkim=x" + RUA);
        assertThat(r.findings(Severity.ERROR)).extracting(Finding::tag).containsExactly("aspf", "adkim");
        assertThat(r.spfAlignment()).isEqualTo(AlignmentMode.RELAXED);
        assertThat(DmarcRecord.parse("v=DMARC1; p=reject; aspf=s" + RUA).spfAlignment()).isEqualTo(AlignmentMode.STRICT);
    }

    @Test
    void pctIsRemovedByDmarcbis() {
        DmarcRecord full = DmarcRecord.parse("v=DMARC1; p=reject; pct=100" + RUA);
        assertThat(only(full, "removed-tag").severity()).isEqualTo(Severity.WARNING);
        DmarcRecord partial = DmarcRecord.parse("v=DMARC1; p=reject; pct=20" + RUA);
        assertThat(partial.percent()).isEqualTo(20);
        assertThat(only(partial, "removed-tag").message()).contains("20%").contains("t=y");
        for (String bad : List.of("101", "-1", "1000", "5.5", "abc", "0x10")) {
            DmarcRecord r = DmarcRecord.parse("v=DMARC1; p=reject; pct=" + bad + RUA);
            assertThat(only(r, "invalid-value").tag()).as(bad).isEqualTo("pct");
            assertThat(r.percent()).isEqualTo(100);
        }
        assertThat(DmarcRecord.parse("v=DMARC1; p=reject; pct=0" + RUA).percent()).isZero();
    }

    @Test
    void rfAndRiAreRemovedByDmarcbis() {
        DmarcRecord r = DmarcRecord.parse("v=DMARC1; p=reject; rf=afrf; ri=3600" + RUA);
        assertThat(r.findings()).extracting(Finding::code, Finding::tag)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("removed-tag", "rf"), org.assertj.core.groups.Tuple.tuple("removed-tag", "ri"));
        assertThat(r.reportInterval()).isEqualTo(3600);
        assertThat(only(DmarcRecord.parse("v=DMARC1; p=reject; rf=iodef" + RUA), "invalid-value").tag()).isEqualTo("rf");
        assertThat(only(DmarcRecord.parse("v=DMARC1; p=reject; ri=4294967296" + RUA), "invalid-value").tag()).isEqualTo("ri");
        assertThat(DmarcRecord.parse("v=DMARC1; p=reject; ri=4294967295" + RUA).reportInterval()).isEqualTo(4_294_967_295L);
        assertThat(only(DmarcRecord.parse("v=DMARC1; p=reject; ri=1h" + RUA), "invalid-value").tag()).isEqualTo("ri");
    }

    @Test
    void failureOptions() {
        DmarcRecord r = DmarcRecord.parse("v=DMARC1; p=reject; fo=0 : s; ruf=mailto:f@example.com" + RUA);
        assertThat(r.failureOptions()).containsExactlyInAnyOrder(FailureOption.ALL_FAIL, FailureOption.SPF_FAIL);
        DmarcRecord bad = DmarcRecord.parse("v=DMARC1; p=reject; fo=2; ruf=mailto:f@example.com" + RUA);
        assertThat(only(bad, "invalid-value").tag()).isEqualTo("fo");
        assertThat(bad.failureOptions()).containsExactly(FailureOption.ALL_FAIL);
        assertThat(codes(DmarcRecord.parse("v=DMARC1; p=reject; fo=d:" + RUA))).contains("invalid-value");
        assertThat(only(DmarcRecord.parse("v=DMARC1; p=reject; fo=1" + RUA), "fo-without-ruf").severity()).isEqualTo(Severity.WARNING);
    }

    @Test
    void psdAndTestingTags() {
        DmarcRecord psd = DmarcRecord.parse("v=DMARC1; p=reject; psd=y" + RUA);
        assertThat(psd.psd()).isEqualTo(PsdFlag.YES);
        assertThat(only(psd, "public-suffix-domain").severity()).isEqualTo(Severity.WARNING);
        assertThat(DmarcRecord.parse("v=DMARC1; p=reject; psd=n" + RUA).psd()).isEqualTo(PsdFlag.NO);
        assertThat(DmarcRecord.parse("v=DMARC1; p=reject; psd=u" + RUA).psd()).isEqualTo(PsdFlag.UNSPECIFIED);
        assertThat(only(DmarcRecord.parse("v=DMARC1; p=reject; psd=yes" + RUA), "invalid-value").tag()).isEqualTo("psd");

        DmarcRecord t = DmarcRecord.parse("v=DMARC1; p=reject; t=y" + RUA);
        assertThat(t.testing()).isTrue();
        assertThat(only(t, "test-mode").message()).contains("quarantine");
        assertThat(DmarcRecord.parse("v=DMARC1; p=reject; t=n" + RUA).testing()).isFalse();
        assertThat(only(DmarcRecord.parse("v=DMARC1; p=reject; t=n" + RUA), "dmarcbis-tag").tag()).isEqualTo("t");
        assertThat(only(DmarcRecord.parse("v=DMARC1; p=reject; t=1" + RUA), "invalid-value").tag()).isEqualTo("t");
        assertThat(only(DmarcRecord.parse("v=DMARC1; p=none; t=y" + RUA), "test-mode").severity()).isEqualTo(Severity.INFO);
        assertThat(only(DmarcRecord.parse("v=DMARC1; p=none; sp=reject; t=y" + RUA), "test-mode").severity()).isEqualTo(Severity.WARNING);
    }

    @Test
    void missingRuaIsAWarning() {
        assertThat(only(DmarcRecord.parse("v=DMARC1; p=reject"), "no-aggregate-reports").severity()).isEqualTo(Severity.WARNING);
        assertThat(codes(DmarcRecord.parse("v=DMARC1; p=reject; rua=dmarc@example.com"))).contains("invalid-uri", "no-aggregate-reports");
    }

    @Test
    void reportUriLists() {
        DmarcRecord r = DmarcRecord.parse("v=DMARC1; p=reject; rua=mailto:a@example.com , mailto:b@example.net!10m");
        assertThat(r.aggregateReports()).extracting(ReportUri::address).containsExactly("a@example.com", "b@example.net");
        assertThat(r.aggregateReports().get(1).sizeLimit()).hasValue(10L << 20);
        assertThat(only(r, "size-limit").severity()).isEqualTo(Severity.INFO);
    }

    @Test
    void badReportUris() {
        for (String bad : List.of("dmarc@example.com", "mailto:", "mailto:@example.com", "mailto:a@", "mailto:a@-bad-.com",
                "mailto:a@example.com!x", "mailto:a!b@example.com!10m", "mailto:a b@example.com", "mailto:a@exam ple.com", "",
                "mailto:a%zz@example.com", "mailto:a%00@example.com", "mailto:a@localhost")) {
            DmarcRecord r = DmarcRecord.parse("v=DMARC1; p=reject; rua=mailto:ok@example.com," + bad);
            assertThat(codes(r)).as(bad).contains("invalid-uri");
            Finding f = only(r, "invalid-uri");
            assertThat(f.severity()).as(bad).isEqualTo(Severity.ERROR);
            assertThat(f.tag()).isEqualTo("rua");
            assertThat(r.aggregateReports()).as(bad).hasSize(1);
        }
    }

    @Test
    void nonMailtoUriIsAWarning() {
        DmarcRecord r = DmarcRecord.parse("v=DMARC1; p=reject; rua=https://reports.example.com/dmarc");
        assertThat(only(r, "unsupported-uri").severity()).isEqualTo(Severity.WARNING);
        assertThat(r.aggregateReports()).hasSize(1);
        assertThat(r.aggregateReports().getFirst().isMailto()).isFalse();
    }

    @Test
    void moreThanTwoUris() {
        DmarcRecord r = DmarcRecord.parse("v=DMARC1; p=reject; rua=mailto:a@example.com,mailto:b@example.com,mailto:c@example.com");
        assertThat(only(r, "too-many-uris").message()).contains("3 URIs");
    }

    @Test
    void controlCharactersAreErrorsAndEscapedInMessages() {
        DmarcRecord r = DmarcRecord.parse("v=DMARC1; p=reject\u0000; sp=none\r\n" + RUA);
        List<Finding> bad = r.findings().stream().filter(f -> f.code().equals("invalid-character")).toList();
        assertThat(bad).extracting(Finding::tag).containsExactly("p", "sp");
        assertThat(bad.getFirst().message()).contains("\\u0000").doesNotContain("\u0000");
        assertThat(r.requestedPolicy()).isEmpty();
        assertThat(r.findings()).allSatisfy(f -> assertThat(f.message()).doesNotContainPattern("[\\x00-\\x1f]"));
    }

    @Test
    void nonAsciiValue() {
        DmarcRecord r = DmarcRecord.parse("v=DMARC1; p=réject" + RUA);
        assertThat(only(r, "invalid-character").message()).contains("\\u00e9");
    }

    @Test
    void hugeRecordIsRejectedWithoutParsing() {
        String huge = "v=DMARC1; p=reject; " + "x".repeat(DmarcRecord.MAX_LENGTH);
        DmarcRecord r = DmarcRecord.parse(huge);
        assertThat(r.recognized()).isFalse();
        assertThat(codes(r)).containsExactly("too-long");
    }

    @Test
    void manyRepeatedTagsKeepFindingsBounded() {
        String record = "v=DMARC1; p=reject" + RUA + "; p=none".repeat(5_000);
        DmarcRecord r = DmarcRecord.parse(record);
        assertThat(r.findings()).hasSize(DmarcRecord.MAX_FINDINGS + 1);
        assertThat(r.findings().getLast().code()).isEqualTo("findings-truncated");
        assertThat(r.findings().getLast().message()).startsWith("4900 more");
        assertThat(r.policy()).isEqualTo(Policy.REJECT);
    }

    @Test
    void aHugeUriListKeepsFindingsBounded() {
        String rua = String.join(",", java.util.Collections.nCopies(20_000, "x"));
        DmarcRecord r = DmarcRecord.parse("v=DMARC1; p=reject; rua=" + rua);
        assertThat(r.findings()).hasSize(DmarcRecord.MAX_FINDINGS + 1);
        assertThat(r.aggregateReports()).isEmpty();
        DmarcRecord many = DmarcRecord.parse("v=DMARC1; p=reject; rua=" + String.join(",", java.util.Collections.nCopies(2_000, "mailto:a@example.com")));
        assertThat(many.aggregateReports()).hasSize(2_000);
        assertThat(only(many, "too-many-uris").message()).contains("2000 URIs");
    }

    @Test
    void aRecordAtTheLengthLimitIsParsed() {
        String head = "v=DMARC1; p=reject" + RUA + ";";
        String record = head + " ".repeat(DmarcRecord.MAX_LENGTH - head.length());
        assertThat(record).hasSize(DmarcRecord.MAX_LENGTH);
        DmarcRecord r = DmarcRecord.parse(record);
        assertThat(r.recognized()).isTrue();
        assertThat(r.findings()).isEmpty();
    }

    @Test
    void onlySemicolonsAndEqualsSigns() {
        DmarcRecord r = DmarcRecord.parse("v=DMARC1;=;==;p==reject" + RUA);
        assertThat(codes(r)).contains("malformed-tag", "invalid-value");
        assertThat(r.policy()).isEqualTo(Policy.NONE);
    }

    @Test
    void longValuesAreCutInMessages() {
        DmarcRecord r = DmarcRecord.parse("v=DMARC1; p=" + "a".repeat(10_000) + RUA);
        assertThat(only(r, "invalid-value").message()).hasSizeLessThan(400).contains("(10000 characters)");
    }

    @Test
    void isDmarcRecordLooksOnlyAtTheFirstTag() {
        assertThat(DmarcRecord.isDmarcRecord("v=DMARC1; p=reject")).isTrue();
        assertThat(DmarcRecord.isDmarcRecord("v=DMARC1")).isTrue();
        assertThat(DmarcRecord.isDmarcRecord(" v = DMARC1 ;")).isTrue();
        assertThat(DmarcRecord.isDmarcRecord("v=DMARC1p=reject")).isFalse();
        assertThat(DmarcRecord.isDmarcRecord("v=dmarc1; p=reject")).isFalse();
        assertThat(DmarcRecord.isDmarcRecord("p=reject; v=DMARC1")).isFalse();
        assertThat(DmarcRecord.isDmarcRecord("v=spf1 -all")).isFalse();
        assertThat(DmarcRecord.isDmarcRecord("\nv=DMARC1")).isFalse();
        assertThat(DmarcRecord.isDmarcRecord(null)).isFalse();
    }

    @Test
    void theRecordIsImmutable() {
        DmarcRecord r = DmarcRecord.parse("v=DMARC1; p=reject" + RUA);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> r.findings().add(new Finding(Severity.INFO, "x", "", "y")))
                .isInstanceOf(UnsupportedOperationException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> r.tags().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
        assertThat(r.failureOptions()).isInstanceOf(Set.class);
    }

    @Test
    void findingsForATag() {
        DmarcRecord r = DmarcRecord.parse("v=DMARC1; p=none; pct=50");
        assertThat(r.findingsFor("p")).extracting(Finding::code).containsExactly("policy-none");
        assertThat(r.findingsFor("pct")).extracting(Finding::code).containsExactly("removed-tag");
        assertThat(r.findingsFor("pct").getFirst().toString()).startsWith("WARNING removed-tag [pct]: ");
    }
}
