package dev.sekisho.spf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpfRecordTest {

    @Test
    void parsesEveryMechanismWithQualifiersAndCidrLengths() {
        SpfRecord record = SpfRecord.parse("v=spf1 +a -mx:example.net/24//64 ~ptr ?ip4:192.0.2.0/24 ip6:2001:db8::/32 "
                + "include:_spf.example.com exists:%{i}.bl.example.org a//0 all redirect=other.example.com exp=why.%{d} x-custom=%{l}");
        assertThat(record.mechanisms()).extracting(SpfRecord.Mechanism::kind).containsExactly(SpfRecord.Kind.A, SpfRecord.Kind.MX,
                SpfRecord.Kind.PTR, SpfRecord.Kind.IP4, SpfRecord.Kind.IP6, SpfRecord.Kind.INCLUDE, SpfRecord.Kind.EXISTS, SpfRecord.Kind.A,
                SpfRecord.Kind.ALL);
        assertThat(record.mechanisms()).extracting(SpfRecord.Mechanism::qualifier).startsWith(SpfRecord.Qualifier.PASS,
                SpfRecord.Qualifier.FAIL, SpfRecord.Qualifier.SOFTFAIL, SpfRecord.Qualifier.NEUTRAL, SpfRecord.Qualifier.PASS);
        SpfRecord.Mechanism mx = record.mechanisms().get(1);
        assertThat(mx.domainSpec()).contains("example.net");
        assertThat(mx.ip4Prefix()).isEqualTo(24);
        assertThat(mx.ip6Prefix()).isEqualTo(64);
        assertThat(record.mechanisms().get(7).ip6Prefix()).isZero();
        assertThat(record.mechanisms().get(7).ip4Prefix()).isEqualTo(32);
        assertThat(record.redirect()).contains("other.example.com");
        assertThat(record.explanation()).contains("why.%{d}");
        assertThat(record.unknownModifiers()).containsExactly(new SpfRecord.Modifier("x-custom", "%{l}"));
    }

    @Test
    void versionIsCaseInsensitiveAndMustStandAlone() {
        assertThat(SpfRecord.isSpfRecord("V=SpF1 -all")).isTrue();
        assertThat(SpfRecord.isSpfRecord("v=spf1")).isTrue();
        assertThat(SpfRecord.isSpfRecord("v=spf10 -all")).isFalse();
        assertThat(SpfRecord.isSpfRecord("spf2.0/pra -all")).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "v=spf1 ip4:192.0.2.300           | not an IPv4 network",
            "v=spf1 ip4:192.0.2.0/33          | longer than 32",
            "v=spf1 ip6:2001:db8::/129        | longer than 128",
            "v=spf1 a/024                     | unexpected",
            "v=spf1 a:example.com/24/64       | prefix length 64 longer than 32",
            "v=spf1 include:                  | empty domain",
            "v=spf1 include                   | needs ':domain'",
            "v=spf1 a:example.123             | does not end in a valid top label",
            "v=spf1 a:localhost               | not a multi-label name",
            "v=spf1 all:example.com           | takes no argument",
            "v=spf1 ptr/0                     | unexpected",
            "v=spf1 foo:bar.example.com       | unknown mechanism 'foo'",
            "v=spf1 =all                      | unknown mechanism '=all'",
            "v=spf1 redirect=a.example.com redirect=b.example.com | more than one redirect",
            "v=spf1 exp= -all                 | empty domain",
            "v=spf1 x=%{z}                    | unknown macro letter",
            "v=spf1 exists:%{c}.example.com   | only allowed in an explanation",
    })
    void syntaxErrorsNameTheProblem(String record, String problem) {
        assertThatThrownBy(() -> SpfRecord.parse(record)).isInstanceOf(SpfSyntaxException.class).hasMessageContaining(problem);
    }

    @Test
    void onlySpacesSeparateTermsAndOnlyAsciiIsAllowed() {
        assertThat(SpfRecord.parse("v=spf1  a   -all ").mechanisms()).hasSize(2);
        assertThatThrownBy(() -> SpfRecord.parse("v=spf1 a\t-all")).hasMessageContaining("U+0009");
        assertThatThrownBy(() -> SpfRecord.parse("v=spf1 a:ex\u00e4mple.com -all")).hasMessageContaining("U+00E4");
    }

    @Test
    void domainSpecsMayEndInAMacroOrATrailingDot() {
        SpfRecord.parse("v=spf1 a:%{d} exists:%{ir}.%{v}._spf.%{d2} include:example.com. a:example-1.com");
    }
}
