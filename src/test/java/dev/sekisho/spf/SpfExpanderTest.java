package dev.sekisho.spf;

import dev.sekisho.dns.NetworkResolver;
import dev.sekisho.testing.dns.TestDnsServer;
import dev.sekisho.testing.dns.Zone;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SpfExpanderTest {

    private static SpfExpansion expand(Zone zone, String domain) throws Exception {
        try (TestDnsServer server = TestDnsServer.start(zone)) {
            return new SpfExpander(new NetworkResolver(NetworkResolver.Settings.of(List.of(server.hostPort())).withTimeout(Duration.ofMillis(400))))
                    .expand(domain);
        }
    }

    @Test
    void followsIncludeRedirectAAndMxWithTheResultEachNetworkGives() throws Exception {
        Zone zone = Zone.empty()
                .txt("example.com", "v=spf1 a/28 -include:bad.example.net redirect=_spf.example.com")
                .a("example.com", "192.0.2.20")
                .txt("bad.example.net", "v=spf1 ip4:203.0.113.0/24 ~ip4:198.18.0.0/15")
                .txt("_spf.example.com", "v=spf1 mx//64 include:relay.example.org ~all")
                .mx("_spf.example.com", 10, "mx.example.com")
                .aaaa("mx.example.com", "2001:db8:1:2::25")
                .txt("relay.example.org", "v=spf1 ip6:2001:db8:ff::/48 ?all");
        SpfExpansion e = expand(zone, "example.com");
        assertThat(e.record()).contains("v=spf1 a/28 -include:bad.example.net redirect=_spf.example.com");
        assertThat(e.networks()).extracting(SpfExpansion.Network::cidr, SpfExpansion.Network::result).containsExactly(
                org.assertj.core.groups.Tuple.tuple("192.0.2.16/28", SpfResult.PASS),
                org.assertj.core.groups.Tuple.tuple("203.0.113.0/24", SpfResult.FAIL),
                org.assertj.core.groups.Tuple.tuple("2001:db8:1:2::/64", SpfResult.PASS),
                org.assertj.core.groups.Tuple.tuple("2001:db8:ff::/48", SpfResult.PASS));
        assertThat(e.authorised()).extracting(SpfExpansion.Network::domain).containsExactly("example.com", "_spf.example.com", "relay.example.org");
        assertThat(e.authorised().get(2).via()).containsExactly("example.com", "_spf.example.com", "relay.example.org");
        assertThat(e.lookups()).isEqualTo(5); // a, include, redirect, mx, include
        assertThat(e.all()).contains(SpfRecord.Qualifier.SOFTFAIL);
        assertThat(e.problems()).isEmpty();
    }

    @Test
    void reportsLoopsLimitsVoidLookupsAndWhatCannotBeExpanded() throws Exception {
        Zone zone = Zone.empty()
                .txt("loop.example.com", "v=spf1 include:loop2.example.com -all")
                .txt("loop2.example.com", "v=spf1 include:loop.example.com -all")
                .txt("big.example.com", "v=spf1 " + "a:h.example.com ".repeat(11) + "exists:%{i}.x.example.com ptr a:%{l}.example.com -all")
                .a("h.example.com", "192.0.2.1")
                .txt("void.example.com", "v=spf1 a:v1.example.com a:v2.example.com mx:v3.example.com -all");
        SpfExpansion loop = expand(zone, "loop.example.com");
        assertThat(loop.problems()).anySatisfy(p -> assertThat(p).contains("loop: loop.example.com -> loop2.example.com -> loop.example.com"));

        SpfExpansion big = expand(zone, "big.example.com");
        assertThat(big.lookups()).isEqualTo(14);
        assertThat(big.problems()).anySatisfy(p -> assertThat(p).contains("needs 14 DNS lookups, more than 10"));
        assertThat(big.unexpanded()).extracting(SpfExpansion.Unexpanded::term)
                .containsExactly("exists:%{i}.x.example.com", "ptr", "a:%{l}.example.com");

        SpfExpansion voids = expand(zone, "void.example.com");
        assertThat(voids.voidLookups()).isEqualTo(3);
        assertThat(voids.problems()).anySatisfy(p -> assertThat(p).contains("3 void lookups, more than 2"));
    }

    @Test
    void aMissingOrBrokenRecordIsAProblemNotAnException() throws Exception {
        Zone zone = Zone.empty().txt("broken.example.com", "v=spf1 ip4:1.2.3.4/40").txt("two.example.com", "v=spf1 -all")
                .txt("two.example.com", "v=spf1 +all").txt("inc.example.com", "v=spf1 include:none.example.com -all")
                .servfail("down.example.com");
        assertThat(expand(zone, "broken.example.com").problems()).singleElement().asString().contains("syntax error");
        assertThat(expand(zone, "two.example.com").problems()).singleElement().asString().contains("2 SPF records");
        assertThat(expand(zone, "inc.example.com").problems()).singleElement().asString().contains("finds no SPF record at none.example.com");
        assertThat(expand(zone, "down.example.com").problems()).singleElement().asString().contains("temperror");
        assertThat(expand(zone, "gone.example.com").problems()).containsExactly("gone.example.com does not exist (NXDOMAIN)");
    }

    @Test
    void serverFailuresAndTimeoutsAreTemporaryFailuresAndMissingRecordsAreNot() throws Exception {
        Zone zone = Zone.empty()
                .txt("mixed.example.com", "v=spf1 include:gone.example.com a:slow.example.com mx:failing.example.com -all")
                .drop("slow.example.com")
                .servfail("failing.example.com");
        SpfExpansion e = expand(zone, "mixed.example.com");
        assertThat(e.temporaryFailures()).hasSize(3) // a: asks for A and AAAA
                .anySatisfy(p -> assertThat(p).startsWith("A lookup of slow.example.com failed").contains("timeout"))
                .anySatisfy(p -> assertThat(p).startsWith("AAAA lookup of slow.example.com failed").contains("timeout"))
                .anySatisfy(p -> assertThat(p).startsWith("MX lookup of failing.example.com failed"));
        assertThat(e.problems()).containsAll(e.temporaryFailures())
                .anySatisfy(p -> assertThat(p).contains("finds no SPF record at gone.example.com"));
        assertThat(e.problems()).hasSize(4);
    }

    @Test
    void whatPassesFollowsFirstMatchThroughIncludesRedirectsAndAll() throws Exception {
        Zone zone = Zone.empty()
                .txt("order.example.com", "v=spf1 -ip4:192.0.2.4 ip4:192.0.2.0/24 -all")
                .txt("parent.example.com", "v=spf1 include:inner.example.com ip4:198.51.100.0/24 -all")
                .txt("inner.example.com", "v=spf1 -ip4:192.0.2.4 ip4:192.0.2.0/24 -all")
                .txt("minus.example.com", "v=spf1 -include:bad.example.com ip4:203.0.113.0/24 -all")
                .txt("bad.example.com", "v=spf1 ip4:203.0.113.128/25 -all")
                .txt("open.example.com", "v=spf1 -ip4:10.0.0.0/8 -ip6:::/1 +all")
                .txt("redirecting.example.com", "v=spf1 -ip4:192.0.2.0/25 redirect=target.example.com")
                .txt("target.example.com", "v=spf1 ip4:192.0.2.0/24 -all")
                .txt("late.example.com", "v=spf1 -all ip4:192.0.2.0/24");
        List<String> withoutFour = List.of("192.0.2.0/30", "192.0.2.5/32", "192.0.2.6/31", "192.0.2.8/29", "192.0.2.16/28",
                "192.0.2.32/27", "192.0.2.64/26", "192.0.2.128/25");
        assertThat(expand(zone, "order.example.com").passing().cidrs()).isEqualTo(withoutFour);
        // 192.0.2.4 fails inside the include, so the include does not match it; nothing later in the parent does either
        assertThat(expand(zone, "parent.example.com").passing().cidrs())
                .isEqualTo(java.util.stream.Stream.concat(withoutFour.stream(), java.util.stream.Stream.of("198.51.100.0/24")).toList());
        assertThat(expand(zone, "minus.example.com").passing().cidrs()).containsExactly("203.0.113.0/25");
        SpfExpansion open = expand(zone, "open.example.com");
        assertThat(open.passing().cidrs()).startsWith("0.0.0.0/5", "8.0.0.0/7", "11.0.0.0/8").endsWith("8000::/1");
        assertThat(open.passing().intersect(NetworkSet.ofCidrs(List.of("10.1.2.3"))).isEmpty()).isTrue();
        assertThat(expand(zone, "redirecting.example.com").passing().cidrs()).containsExactly("192.0.2.128/25");
        assertThat(expand(zone, "late.example.com").passing().isEmpty()).isTrue();
    }
}
