package dev.sekisho.spf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetAddress;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Macro expansion, checked against the examples of RFC 7208 7.4. */
class MacroStringTest {

    private static String expand(String text, String ip) throws Exception {
        InetAddress address = InetAddress.getByName(ip);
        Map<Character, String> values = Map.of('s', "strong-bad@email.example.com", 'l', "strong-bad", 'o', "email.example.com",
                'd', "email.example.com", 'i', SpfEvaluator.dotted(address), 'v', ip.contains(":") ? "ip6" : "in-addr",
                'c', SpfEvaluator.readable(address));
        return MacroString.expand(text, true, m -> values.get(m.letter()));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "%{s}                                | strong-bad@email.example.com",
            "%{o}                                | email.example.com",
            "%{d}                                | email.example.com",
            "%{d4}                               | email.example.com",
            "%{d3}                               | email.example.com",
            "%{d2}                               | example.com",
            "%{d1}                               | com",
            "%{dr}                               | com.example.email",
            "%{d2r}                              | example.email",
            "%{l}                                | strong-bad",
            "%{l-}                               | strong.bad",
            "%{lr}                               | strong-bad",
            "%{lr-}                              | bad.strong",
            "%{l1r-}                             | strong",
            "%{ir}.%{v}._spf.%{d2}               | 3.2.0.192.in-addr._spf.example.com",
            "%{lr-}.lp._spf.%{d2}                | bad.strong.lp._spf.example.com",
            "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}     | bad.strong.lp.3.2.0.192.in-addr._spf.example.com",
            "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}    | 3.2.0.192.in-addr.strong.lp._spf.example.com",
            "%{d2}.trusted-domains.example.net   | example.com.trusted-domains.example.net",
    })
    void rfc7208Section74Examples(String macro, String expected) throws Exception {
        assertThat(expand(macro, "192.0.2.3")).isEqualTo(expected);
    }

    @Test
    void ipv6AddressesExpandToNibbles() throws Exception {
        assertThat(expand("%{ir}.%{v}._spf.%{d2}", "2001:db8::cb01"))
                .isEqualToIgnoringCase("1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com");
        assertThat(expand("%{c}", "2001:db8::cb01")).isEqualTo("2001:db8::cb01");
        assertThat(SpfEvaluator.readable(InetAddress.getByName("2001:db8:0:1:0:0:0:1"))).isEqualTo("2001:db8:0:1::1");
        assertThat(SpfEvaluator.readable(InetAddress.getByName("2001:db8:1:1:1:1:0:1"))).isEqualTo("2001:db8:1:1:1:1:0:1");
    }

    @Test
    void escapesAndUrlEncoding() throws Exception {
        assertThat(expand("%%%_%-", "192.0.2.3")).isEqualTo("% %20");
        assertThat(expand("%{L}", "192.0.2.3")).isEqualTo("strong-bad");
        assertThat(MacroString.urlEscape("~jack&jill=up-a_b3.c")).isEqualTo("~jack%26jill%3Dup-a_b3.c");
        assertThat(MacroString.urlEscape("a b/é")).isEqualTo("a%20b%2F%C3%A9");
    }

    @Test
    void syntaxErrorsNameTheProblem() {
        assertThatThrownBy(() -> MacroString.check("%{x}", false)).hasMessageContaining("unknown macro letter 'x'");
        assertThatThrownBy(() -> MacroString.check("%{c}", false)).hasMessageContaining("only allowed in an explanation");
        assertThatThrownBy(() -> MacroString.check("%{d0}", false)).hasMessageContaining("1-999");
        assertThatThrownBy(() -> MacroString.check("%{d", false)).hasMessageContaining("unclosed");
        assertThatThrownBy(() -> MacroString.check("%(ir)", false)).hasMessageContaining("'%(' is not a macro");
        assertThatThrownBy(() -> MacroString.check("50%", false)).hasMessageContaining("at the end");
        assertThatThrownBy(() -> MacroString.check("%{d2;}", false)).hasMessageContaining("bad macro delimiter ';'");
        MacroString.check("%{c} %{r} %{t}", true);
        assertThat(MacroString.hasMacros("a%%b%_c%-d")).isFalse();
        assertThat(MacroString.hasMacros("%{i}.example.com")).isTrue();
    }
}
