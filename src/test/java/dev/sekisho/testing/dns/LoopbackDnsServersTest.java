package dev.sekisho.testing.dns;

import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LoopbackDnsServersTest {

    private static Message ask(InetSocketAddress server, String name, int type) throws Exception {
        SimpleResolver resolver = new SimpleResolver(server);
        resolver.setTimeout(Duration.ofSeconds(2));
        return resolver.send(Message.newQuery(Record.newRecord(Name.fromString(name + "."), type, DClass.IN)));
    }

    @Test
    void serversOnSeveralLoopbackAddressesShareOnePortAndServeTheirOwnZones() throws Exception {
        Map<String, Zone> zones = new LinkedHashMap<>();
        zones.put("127.0.0.2", Zone.parse("example.test. 300 IN A 192.0.2.2"));
        zones.put("127.0.0.3", Zone.parse("example.test. 300 IN A 192.0.2.3"));
        try (LoopbackDnsServers servers = LoopbackDnsServers.start(zones)) {
            int port = servers.port();
            assertThat(servers.server("127.0.0.2").address()).isEqualTo(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), port));
            assertThat(servers.server("127.0.0.3").address().getPort()).isEqualTo(port);
            assertThat(ask(new InetSocketAddress("127.0.0.3", port), "example.test", Type.A).getSection(org.xbill.DNS.Section.ANSWER))
                    .singleElement().satisfies(r -> assertThat(r.rdataToString()).isEqualTo("192.0.2.3"));
            assertThat(servers.server("127.0.0.3").queries("example.test", Type.A)).isEqualTo(1);
            assertThat(servers.server("127.0.0.2").totalQueries()).isZero();
            assertThat(servers.all()).hasSize(2);
            assertThatThrownBy(() -> servers.server("127.0.0.9")).hasMessageContaining("no server on 127.0.0.9");
        }
    }

    @Test
    void aZoneCanAnswerWithoutAuthorityOrRefuse() throws Exception {
        Map<String, Zone> zones = new LinkedHashMap<>();
        zones.put("127.0.0.2", Zone.parse("example.test. 300 IN A 192.0.2.2").notAuthoritative());
        zones.put("127.0.0.3", Zone.parse("example.test. 300 IN A 192.0.2.3").refuse("example.test", Type.A));
        try (LoopbackDnsServers servers = LoopbackDnsServers.start(zones)) {
            Message notAuthoritative = ask(servers.server("127.0.0.2").address(), "example.test", Type.A);
            assertThat(notAuthoritative.getHeader().getFlag(Flags.AA)).isFalse();
            assertThat(notAuthoritative.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(ask(servers.server("127.0.0.3").address(), "example.test", Type.A).getRcode()).isEqualTo(Rcode.REFUSED);
            Message otherType = ask(servers.server("127.0.0.3").address(), "example.test", Type.TXT);
            assertThat(otherType.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(otherType.getHeader().getFlag(Flags.AA)).isTrue(); // the default stays authoritative
        }
    }

    @Test
    void aPortTakenOnTheAddressIsAnError() throws Exception {
        try (TestDnsServer first = TestDnsServer.start(Zone.empty(), InetAddress.getByName("127.0.0.2"), 0)) {
            assertThatThrownBy(() -> TestDnsServer.start(Zone.empty(), InetAddress.getByName("127.0.0.2"), first.address().getPort()))
                    .isInstanceOf(java.io.IOException.class);
        }
    }
}
