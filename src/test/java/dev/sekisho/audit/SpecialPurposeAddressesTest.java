package dev.sekisho.audit;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;

class SpecialPurposeAddressesTest {
    private final SpecialPurposeAddresses registry = SpecialPurposeAddresses.bundled();

    private static InetAddress ip(String text) throws Exception {
        return InetAddress.getByName(text);
    }

    @Test
    void privateLoopbackDocumentationAndReservedAddressesAreNotGloballyReachable() throws Exception {
        assertThat(registry.unreachable(ip("10.1.2.3"))).hasValueSatisfying(b -> assertThat(b.describe()).isEqualTo("Private-Use ([RFC1918])"));
        assertThat(registry.unreachable(ip("127.0.0.1"))).hasValueSatisfying(b -> assertThat(b.name()).isEqualTo("Loopback"));
        assertThat(registry.unreachable(ip("192.0.2.25"))).hasValueSatisfying(b -> assertThat(b.name()).isEqualTo("Documentation (TEST-NET-1)"));
        assertThat(registry.unreachable(ip("240.1.1.1"))).hasValueSatisfying(b -> assertThat(b.name()).isEqualTo("Reserved"));
        assertThat(registry.unreachable(ip("2001:db8::25"))).hasValueSatisfying(b -> assertThat(b.cidr()).isEqualTo("2001:db8::/32"));
        assertThat(registry.unreachable(ip("fd00::1"))).hasValueSatisfying(b -> assertThat(b.name()).isEqualTo("Unique-Local"));
        assertThat(registry.unreachable(ip("::1"))).hasValueSatisfying(b -> assertThat(b.name()).isEqualTo("Loopback Address"));
    }

    @Test
    void multiLineQuotedFieldsAndFootnotesAreRead() throws Exception {
        assertThat(registry.find(ip("255.255.255.255"))).hasValueSatisfying(b -> {
            assertThat(b.name()).isEqualTo("Limited Broadcast");
            assertThat(b.rfc()).isEqualTo("[RFC8190] [RFC919], Section 7");
        });
        assertThat(registry.find(ip("192.0.0.171"))).hasValueSatisfying(b -> assertThat(b.name()).isEqualTo("NAT64/DNS64 Discovery"));
    }

    @Test
    void theMostSpecificBlockDecides() throws Exception {
        // 192.0.0.9/32 (PCP anycast) is globally reachable inside 192.0.0.0/24, which is not.
        assertThat(registry.find(ip("192.0.0.9"))).hasValueSatisfying(b -> assertThat(b.globallyReachable()).isTrue());
        assertThat(registry.unreachable(ip("192.0.0.9"))).isEmpty();
        assertThat(registry.unreachable(ip("192.0.0.100"))).isPresent();
    }

    @Test
    void ordinaryAddressesAreInNoBlock() throws Exception {
        assertThat(registry.find(ip("100.20.30.25"))).isEmpty();
        assertThat(registry.find(ip("2a00:1450::1"))).isEmpty();
    }
}
