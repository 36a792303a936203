package dev.sekisho.net;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HostPortTest {

    @Test
    void readsEveryShapeOperatorsWrite() {
        assertThat(HostPort.parse("192.0.2.1:25", -1, 1)).isEqualTo(new HostPort("192.0.2.1", 25));
        assertThat(HostPort.parse(" mail.example.com:993 ", -1, 1)).isEqualTo(new HostPort("mail.example.com", 993));
        assertThat(HostPort.parse("[2001:db8::1]:53", -1, 1)).isEqualTo(new HostPort("2001:db8::1", 53));
        assertThat(HostPort.parse("mail.example.com", 993, 1)).isEqualTo(new HostPort("mail.example.com", 993));
        assertThat(HostPort.parse("[::1]", 53, 1)).isEqualTo(new HostPort("::1", 53));
        assertThat(HostPort.parse("2001:db8::53", 53, 1)).as("a bare IPv6 address is all host").isEqualTo(new HostPort("2001:db8::53", 53));
        assertThat(HostPort.parse("127.0.0.1:0", -1, 0)).as("a listener may ask for any free port").isEqualTo(new HostPort("127.0.0.1", 0));
    }

    @Test
    void refusesWithTheReason() {
        assertThatThrownBy(() -> HostPort.parse("127.0.0.1", -1, 0)).hasMessage(
                "the port is missing: expected HOST:PORT like 127.0.0.1:10040 or [::1]:10040, was \"127.0.0.1\"");
        assertThatThrownBy(() -> HostPort.parse("::1:10040", -1, 0))
                .hasMessageContaining("an IPv6 address with a port goes in brackets: [::1:10040]:PORT");
        assertThatThrownBy(() -> HostPort.parse("127.0.0.1:smtp", -1, 1)).hasMessage("port must be a number, was \"smtp\" in \"127.0.0.1:smtp\"");
        assertThatThrownBy(() -> HostPort.parse("127.0.0.1:0", -1, 1)).hasMessage("port must be 1..65535, was 0");
        assertThatThrownBy(() -> HostPort.parse("127.0.0.1:65536", -1, 0)).hasMessage("port must be 0..65535, was 65536");
        assertThatThrownBy(() -> HostPort.parse("[::1", 53, 1)).hasMessageStartingWith("'[' without ']'");
        assertThatThrownBy(() -> HostPort.parse("[::1]53", 53, 1)).hasMessageStartingWith("only ':PORT' may follow ']'");
        assertThatThrownBy(() -> HostPort.parse(":25", -1, 1)).hasMessageStartingWith("the host is missing");
        assertThatThrownBy(() -> HostPort.parse("  ", 53, 1)).hasMessageStartingWith("empty address");
    }

    @Test
    void literalAddressNeverAsksDns() {
        assertThat(HostPort.parse("[2001:db8::1]:53", -1, 1).literalAddress())
                .isEqualTo(new InetSocketAddress("2001:db8::1", 53));
        assertThat(HostPort.parse("127.0.0.1:10040", -1, 1).literalAddress().isUnresolved()).isFalse();
        assertThatThrownBy(() -> HostPort.parse("localhost:10040", -1, 1).literalAddress())
                .hasMessage("the host must be an IP address, was \"localhost\"");
        assertThatThrownBy(() -> HostPort.parse("192.0.2.0/24:25", -1, 1).literalAddress())
                .hasMessage("the host must be an IP address, was \"192.0.2.0/24\"");
    }
}
