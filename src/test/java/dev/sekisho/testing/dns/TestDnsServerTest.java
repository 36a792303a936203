package dev.sekisho.testing.dns;

import dev.sekisho.dns.DnsOutcome;
import dev.sekisho.dns.DnsRecord;
import dev.sekisho.dns.NetworkResolver;
import dev.sekisho.dns.RecordType;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestDnsServerTest {

    @Test
    void servesZonesGivenAsMasterFileText() throws Exception {
        Zone zone = Zone.parse("""
                example.com.      300 IN TXT  "v=spf1 " "mx -all"
                example.com.      300 IN MX   10 mx.example.com.
                mx.example.com.   600 IN A    192.0.2.25
                www.example.com.  300 IN CNAME mx.example.com.
                """);
        try (TestDnsServer server = TestDnsServer.start(zone)) {
            NetworkResolver resolver = new NetworkResolver(NetworkResolver.Settings.of(List.of(server.hostPort())).withTimeout(Duration.ofSeconds(1)));
            assertThat(resolver.lookup("example.com", RecordType.TXT)).isInstanceOfSatisfying(DnsOutcome.Answer.class,
                    a -> assertThat(a.records(DnsRecord.Txt.class).getFirst().text()).isEqualTo("v=spf1 mx -all"));
            assertThat(resolver.lookup("www.example.com", RecordType.A)).isInstanceOfSatisfying(DnsOutcome.Answer.class,
                    a -> assertThat(a.ttl()).isEqualTo(Duration.ofSeconds(300)));
            assertThat(server.queries("example.com", Type.TXT, TestDnsServer.Transport.UDP)).isEqualTo(1);
            assertThat(server.queries("EXAMPLE.com.", Type.TXT)).isEqualTo(1);
            assertThat(server.queries("www.example.com", Type.A)).isEqualTo(1);
            assertThat(server.queries("mx.example.com", Type.A)).isZero(); // the chain was answered in one response
            server.resetCounts();
            assertThat(server.totalQueries()).isZero();
        }
    }

    @Test
    void badZoneTextIsAnErrorNamingIt() {
        assertThatThrownBy(() -> Zone.parse("example.com. 300 IN A not-an-address")).hasMessageContaining("bad zone text");
    }
}
