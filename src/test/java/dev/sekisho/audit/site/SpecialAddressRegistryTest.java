package dev.sekisho.audit.site;

import dev.sekisho.audit.site.SpecialAddressRegistry.Category;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The classification against the bundled IANA registries. The addresses are those of Zonemaster's
 * ADDRESS01 test zones (test-zone-data/Address-TP/address01/address01.xa.zone), each with the category
 * the scenario specification (test-zone-specs/Address-TP/address01.md) gives it.
 */
class SpecialAddressRegistryTest {
    private final SpecialAddressRegistry registry = SpecialAddressRegistry.bundled();

    @ParameterizedTest(name = "{0} is {1} ({2})")
    @CsvSource(delimiter = '|', textBlock = """
            192.36.148.17          | GLOBALLY_REACHABLE     | i.root-servers.net: in no row
            2001:7fe::53           | GLOBALLY_REACHABLE     | i.root-servers.net: in no row
            192.175.48.1           | GLOBALLY_REACHABLE     | OK_SPECIAL: Direct Delegation AS112 Service, Globally Reachable True
            64:ff9b::1             | GLOBALLY_REACHABLE     | OK_SPECIAL: IPv4-IPv6 Translat. (64:ff9b::/96)
            192.168.11.31          | LOCAL_USE              | Private-Use
            172.16.0.31            | LOCAL_USE              | Private-Use
            10.0.0.31              | LOCAL_USE              | Private-Use
            169.254.0.31           | LOCAL_USE              | Link Local
            fc00::127:11:1:32      | LOCAL_USE              | Unique-Local
            fe80::127:11:1:31      | LOCAL_USE              | Link-Local Unicast
            127.11.1.21            | LOCAL_USE              | Loopback
            ::1                    | LOCAL_USE              | Loopback Address
            100.64.0.1             | LOCAL_USE              | Shared Address Space
            2001:db8::127:11:1:32  | DOCUMENTATION          | Documentation RFC 3849
            192.0.2.31             | DOCUMENTATION          | TEST-NET-1
            198.51.100.31          | DOCUMENTATION          | TEST-NET-2
            203.0.113.32           | DOCUMENTATION          | TEST-NET-3
            3fff::127:11:1:33      | DOCUMENTATION          | Documentation RFC 9637
            64:ff9b:1::127:11:1:32 | NOT_GLOBALLY_REACHABLE | IPv4-IPv6 Translat. RFC 8215, Globally Reachable False
            240.0.0.31             | NOT_GLOBALLY_REACHABLE | Reserved
            2001:2::127:11:1:32    | NOT_GLOBALLY_REACHABLE | Benchmarking
            198.18.0.31            | NOT_GLOBALLY_REACHABLE | Benchmarking
            2002::127:11:1:32      | NOT_GLOBALLY_REACHABLE | 6to4: Globally Reachable N/A is not registered as reachable
            192.0.0.33             | NOT_GLOBALLY_REACHABLE | IETF Protocol Assignments
            192.0.0.9              | GLOBALLY_REACHABLE     | the /32 row inside 192.0.0.0/24 wins: the most specific row decides
            192.0.0.171            | NOT_GLOBALLY_REACHABLE | a cell with two blocks
            """)
    void classifiesTheAddress01ScenarioAddressesAsZonemasterDoes(String address, Category expected, String why) throws UnknownHostException {
        assertThat(registry.classify(InetAddress.getByName(address)).category()).as(why).isEqualTo(expected);
    }

    @Test
    void theDecidingRowIsTheEvidence() throws UnknownHostException {
        assertThat(registry.classify(InetAddress.getByName("10.1.2.3")).row()).hasValueSatisfying(row -> assertThat(row.describe())
                .isEqualTo("10.0.0.0/8 \"Private-Use\" [RFC1918] (IANA IPv4 Special-Purpose Address Registry, Globally Reachable: False)"));
        assertThat(registry.classify(InetAddress.getByName("fc00::1")).row()).hasValueSatisfying(row -> assertThat(row.describe())
                .isEqualTo("fc00::/7 \"Unique-Local\" [RFC4193] [RFC8190] (IANA IPv6 Special-Purpose Address Registry, Globally Reachable: False [4])"));
        assertThat(registry.classify(InetAddress.getByName("8.8.8.8")).row()).isEmpty();
    }

    @Test
    void aRegistryWithoutTheNeededColumnIsRefusedByName() {
        assertThatThrownBy(() -> SpecialAddressRegistry.fromCsv("test registry", "Address Block,Name,RFC\n10.0.0.0/8,x,y\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("test registry: no column 'Globally Reachable'");
    }

    @Test
    void blocksParseAndMatchOnBitBoundaries() throws UnknownHostException {
        AddressBlock block = AddressBlock.parse("100.64.0.0/10");
        assertThat(block.contains(InetAddress.getByName("100.127.255.255"))).isTrue();
        assertThat(block.contains(InetAddress.getByName("100.128.0.0"))).isFalse();
        assertThat(block.contains(InetAddress.getByName("::ffff:100.64.0.1"))).isTrue(); // Java reads mapped addresses as IPv4
        assertThatThrownBy(() -> AddressBlock.parse("example.com/8")).hasMessageContaining("not a CIDR block: 'example.com/8'");
        assertThatThrownBy(() -> AddressBlock.parse("10.0.0.0/33")).hasMessageContaining("prefix length 33 out of range");
    }
}
