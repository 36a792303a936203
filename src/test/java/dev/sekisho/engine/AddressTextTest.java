package dev.sekisho.engine;

import inet.ipaddr.ipv6.IPv6Address;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AddressTextTest {

    private static byte[] bytes(String address) {
        return new inet.ipaddr.IPAddressString(address).getAddress().getBytes();
    }

    @Test
    void theExamplesOfRfc5952() {
        // RFC 5952 4.2.1-4.2.3 and 4.3
        assertThat(AddressText.ipv6(bytes("2001:0db8:0000:0000:0000:0000:0002:0001"))).isEqualTo("2001:db8::2:1");
        assertThat(AddressText.ipv6(bytes("2001:db8:0:1:1:1:1:1"))).isEqualTo("2001:db8:0:1:1:1:1:1"); // one zero group stays
        assertThat(AddressText.ipv6(bytes("2001:0:0:1:0:0:0:1"))).isEqualTo("2001:0:0:1::1");          // the longest run
        assertThat(AddressText.ipv6(bytes("2001:db8:0:0:1:0:0:1"))).isEqualTo("2001:db8::1:0:0:1");      // the first of equal runs
        assertThat(AddressText.ipv6(bytes("2001:DB8::ABCD"))).isEqualTo("2001:db8::abcd");
        assertThat(AddressText.ipv6(new byte[16])).isEqualTo("::");
        assertThat(AddressText.ipv6(bytes("::1"))).isEqualTo("::1");
        assertThat(AddressText.ipv6(bytes("fe80::"))).isEqualTo("fe80::");
        assertThatThrownBy(() -> AddressText.ipv6(new byte[4])).hasMessageContaining("16 bytes");
    }

    @Test
    void agreesWithTheAddressLibraryOnRandomAddressesWithZeroRuns() {
        SplittableRandom random = new SplittableRandom(7);
        for (int n = 0; n < 20_000; n++) {
            byte[] address = new byte[16];
            for (int g = 0; g < 8; g++) {
                if (random.nextInt(3) == 0) continue; // leave zero groups often, so runs of every length occur
                int value = random.nextInt(4) == 0 ? random.nextInt(16) : random.nextInt(1 << 16);
                address[2 * g] = (byte) (value >>> 8);
                address[2 * g + 1] = (byte) value;
            }
            assertThat(AddressText.ipv6(address)).isEqualTo(new IPv6Address(address).toCanonicalString());
        }
    }

    @Test
    void socketAddressesPutIpv6InBrackets() throws Exception {
        assertThat(AddressText.of(new java.net.InetSocketAddress(java.net.InetAddress.getByAddress(bytes("2001:db8::1")), 25)))
                .isEqualTo("[2001:db8::1]:25");
        assertThat(AddressText.of(new java.net.InetSocketAddress(java.net.InetAddress.getByAddress(new byte[]{(byte) 192, 0, 2, 1}), 10040)))
                .isEqualTo("192.0.2.1:10040");
        assertThat(AddressText.of(java.net.InetSocketAddress.createUnresolved("mx.example", 25))).isEqualTo("mx.example:25");
    }
}
