package dev.sekisho.checks;

import inet.ipaddr.IPAddressString;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;

class ClientNetworksTest {
    private static InetAddress ip(String text) {
        return new IPAddressString(text).getAddress().toInetAddress();
    }

    @Test
    void ipv4AndIpv6NetworksInCanonicalNotation() {
        ClientNetworks networks = new ClientNetworks(24, 64);
        assertThat(networks.networkOf(ip("203.0.113.77"))).isEqualTo("203.0.113.0/24");
        assertThat(networks.networkOf(ip("255.255.255.255"))).isEqualTo("255.255.255.0/24");
        assertThat(networks.networkOf(ip("2001:db8:1:2:3:4:5:6"))).isEqualTo("2001:db8:1:2::/64");
        assertThat(new ClientNetworks(20, 48).networkOf(ip("198.51.100.200"))).isEqualTo("198.51.96.0/20");
        assertThat(new ClientNetworks(32, 128).networkOf(ip("192.0.2.1"))).isEqualTo("192.0.2.1/32");
        assertThat(new ClientNetworks(8, 48).networkOf(ip("10.200.3.4"))).isEqualTo("10.0.0.0/8");
        assertThat(new ClientNetworks(24, 48).networkOf(ip("2001:db8:1:2:3:4:5:6"))).isEqualTo("2001:db8:1::/48");
        assertThat(new ClientNetworks(24, 60).networkOf(ip("2001:db8:1:2fff:3:4:5:6"))).isEqualTo("2001:db8:1:2ff0::/60");
        assertThat(new ClientNetworks(24, 128).networkOf(ip("2001:db8::1"))).isEqualTo("2001:db8::1/128");
        assertThat(new ClientNetworks(24, 16).networkOf(ip("2001:db8::1"))).isEqualTo("2001::/16");
    }

    @Test
    void addressText() {
        assertThat(dev.sekisho.engine.AddressText.of(ip("192.0.2.1"))).isEqualTo("192.0.2.1");
        assertThat(dev.sekisho.engine.AddressText.of(ip("2001:DB8:0:0::1"))).isEqualTo("2001:db8::1");
    }

    @Test
    void aTransactionsNetworkFromItsTextAgreesWithTheArithmeticOne() {
        ClientNetworks networks = new ClientNetworks(24, 64);
        for (String address : new String[]{"203.0.113.77", "1.2.3.4", "255.255.255.255", "10.0.0.0", "2001:db8:1:2:3:4:5:6"}) {
            dev.sekisho.engine.Transaction tx = dev.sekisho.testing.Transactions.rcpt(address).build();
            assertThat(networks.networkOf(tx)).as(address).isEqualTo(networks.networkOf(ip(address)));
        }
        dev.sekisho.engine.Transaction tx = dev.sekisho.testing.Transactions.rcpt("198.51.100.200").build();
        assertThat(new ClientNetworks(20, 64).networkOf(tx)).isEqualTo("198.51.96.0/20");
    }
}
