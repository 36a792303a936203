package dev.sekisho.audit;

import dev.sekisho.audit.SpecialPurposeAddressRegistry.Category;
import dev.sekisho.audit.SpecialPurposeAddressRegistry.Classification;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetAddress;
import java.net.UnknownHostException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The classification against the bundled IANA registries, as both the posture audit (MX addresses) and
 * the site audit (every published address) use it. The addresses of the parameterized test are those of
 * Zonemaster's ADDRESS01 test zones (test-zone-data/Address-TP/address01/address01.xa.zone), each with
 * the category the scenario specification (test-zone-specs/Address-TP/address01.md) gives it.
 */
class SpecialPurposeAddressRegistryTest {
    private final SpecialPurposeAddressRegistry registry = SpecialPurposeAddressRegistry.bundled();

    private Classification classify(String address) throws UnknownHostException {
        return registry.classify(InetAddress.getByName(address));
    }

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
        assertThat(classify(address).category()).as(why).isEqualTo(expected);
    }

    @Test
    void theDecidingRowIsTheEvidence() throws UnknownHostException {
        assertThat(classify("10.1.2.3").row()).hasValueSatisfying(row -> assertThat(row.describe())
                .isEqualTo("10.0.0.0/8 \"Private-Use\" [RFC1918] (IANA IPv4 Special-Purpose Address Registry, Globally Reachable: False)"));
        assertThat(classify("fc00::1").row()).hasValueSatisfying(row -> assertThat(row.describe())
                .isEqualTo("fc00::/7 \"Unique-Local\" [RFC4193] [RFC8190] (IANA IPv6 Special-Purpose Address Registry, Globally Reachable: False [4])"));
        assertThat(classify("8.8.8.8").row()).isEmpty();
    }

    @Test
    void privateLoopbackDocumentationAndReservedAddressesAreNotGloballyReachable() throws UnknownHostException {
        assertNotGloballyReachable("10.1.2.3", "10.0.0.0/8", "Private-Use", "[RFC1918]");
        assertNotGloballyReachable("127.0.0.1", "127.0.0.0/8", "Loopback", "[RFC1122], Section 3.2.1.3");
        assertNotGloballyReachable("192.0.2.25", "192.0.2.0/24", "Documentation (TEST-NET-1)", "[RFC5737]");
        assertNotGloballyReachable("240.1.1.1", "240.0.0.0/4", "Reserved", "[RFC1112], Section 4");
        assertNotGloballyReachable("2001:db8::25", "2001:db8::/32", "Documentation", "[RFC3849]");
        assertNotGloballyReachable("fd00::1", "fc00::/7", "Unique-Local", "[RFC4193] [RFC8190]");
        assertNotGloballyReachable("::1", "::1/128", "Loopback Address", "[RFC4291]");
    }

    private void assertNotGloballyReachable(String address, String block, String name, String rfc) throws UnknownHostException {
        Classification classification = classify(address);
        assertThat(classification.globallyReachable()).as(address).isFalse();
        assertThat(classification.row()).as(address).hasValueSatisfying(row -> {
            assertThat(row.block()).isEqualTo(block);
            assertThat(row.name()).isEqualTo(name);
            assertThat(row.rfc()).isEqualTo(rfc);
        });
    }

    @Test
    void multiLineQuotedFieldsQuotedNamesAndFootnotesAreRead() throws UnknownHostException {
        assertThat(classify("255.255.255.255").row()).hasValueSatisfying(row -> {
            assertThat(row.name()).isEqualTo("Limited Broadcast");
            assertThat(row.rfc()).isEqualTo("[RFC8190] [RFC919], Section 7");
        });
        assertThat(classify("192.0.0.171").row()).hasValueSatisfying(row -> assertThat(row.name()).isEqualTo("NAT64/DNS64 Discovery"));
        assertThat(classify("0.1.2.3").row()).hasValueSatisfying(row -> assertThat(row.describe())
                .isEqualTo("0.0.0.0/8 \"This network\" [RFC791], Section 3.2 (IANA IPv4 Special-Purpose Address Registry, Globally Reachable: False)"));
        assertThat(classify("192.0.0.1").row()).hasValueSatisfying(row -> assertThat(row.block()).isEqualTo("192.0.0.0/29"));
        assertThat(classify("192.0.0.200").row()).hasValueSatisfying(row -> assertThat(row.block()).isEqualTo("192.0.0.0/24"));
    }

    @Test
    void theMostSpecificBlockDecides() throws UnknownHostException {
        // 192.0.0.9/32 (PCP anycast) is globally reachable inside 192.0.0.0/24, which is not.
        assertThat(classify("192.0.0.9").row()).hasValueSatisfying(row -> assertThat(row.globallyReachable()).isEqualTo("True"));
        assertThat(classify("192.0.0.9").globallyReachable()).isTrue();
        assertThat(classify("192.0.0.100").globallyReachable()).isFalse();
    }

    @Test
    void deprecatedRowsWithoutAnAnswerAreNotGloballyReachable() throws UnknownHostException {
        // 6to4 relay anycast: deprecated (RFC 7526), its "Globally Reachable" cell is empty.
        Classification relay = classify("192.88.99.1");
        assertThat(relay.category()).isEqualTo(Category.NOT_GLOBALLY_REACHABLE);
        assertThat(relay.row()).hasValueSatisfying(row -> assertThat(row.describe()).endsWith("Globally Reachable: not given)"));
    }

    @Test
    void ordinaryAddressesAreInNoBlock() throws UnknownHostException {
        assertThat(classify("100.20.30.25").row()).isEmpty();
        assertThat(classify("100.20.30.25").globallyReachable()).isTrue();
        assertThat(classify("2a00:1450::1").row()).isEmpty();
        assertThat(classify("2a00:1450::1").globallyReachable()).isTrue();
    }

    @Test
    void blocksMatchOnBitBoundaries() throws UnknownHostException {
        assertThat(classify("100.127.255.255").category()).isEqualTo(Category.LOCAL_USE); // 100.64.0.0/10
        assertThat(classify("100.128.0.0").category()).isEqualTo(Category.GLOBALLY_REACHABLE);
        assertThat(classify("::ffff:100.64.0.1").category()).isEqualTo(Category.LOCAL_USE); // Java reads mapped addresses as IPv4
    }

    @Test
    void aRegistryWithoutTheNeededColumnIsRefusedByName() {
        assertThatThrownBy(() -> SpecialPurposeAddressRegistry.fromCsv("test registry", "Address Block,Name,RFC\n10.0.0.0/8,x,y\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("test registry: no column 'Globally Reachable'");
        assertThatThrownBy(() -> SpecialPurposeAddressRegistry.fromCsv("test registry", "Address Block,Name,RFC,Globally Reachable\nten/8,x,y,False\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("test registry: not a CIDR block: 'ten/8'");
    }

    @Test
    void blocksParseAsPrefixBlocksOfLiteralsOnly() {
        IPAddress block = SpecialPurposeAddressRegistry.parseBlock("100.64.0.0/10");
        assertThat(block.contains(ip("100.127.255.255"))).isTrue();
        assertThat(block.contains(ip("100.128.0.0"))).isFalse();
        assertThat(block.contains(ip("::ffff:6440:1"))).isFalse(); // an IPv6 address is in no IPv4 block
        assertThat(SpecialPurposeAddressRegistry.parseBlock("10.1.2.3/8")).hasToString("10.0.0.0/8");
        assertThat(SpecialPurposeAddressRegistry.parseBlock("192.0.2.1")).hasToString("192.0.2.1/32");
        assertThat(SpecialPurposeAddressRegistry.parseBlock(" ::ffff:0:0/96 ")).hasToString("::ffff:0:0/96");
        assertThatThrownBy(() -> SpecialPurposeAddressRegistry.parseBlock("example.com/8")).hasMessageContaining("not a CIDR block: 'example.com/8'");
        assertThatThrownBy(() -> SpecialPurposeAddressRegistry.parseBlock("10/8")).hasMessageContaining("not a CIDR block: '10/8'");
        assertThatThrownBy(() -> SpecialPurposeAddressRegistry.parseBlock("10.0.0.0/x")).hasMessageContaining("not a CIDR block: '10.0.0.0/x'");
        assertThatThrownBy(() -> SpecialPurposeAddressRegistry.parseBlock("10.0.0.0/33")).hasMessageContaining("prefix length 33 out of range");
        assertThatThrownBy(() -> SpecialPurposeAddressRegistry.parseBlock("2001:db8::/129")).hasMessageContaining("prefix length 129 out of range");
    }

    private static IPAddress ip(String text) {
        return new IPAddressString(text).getAddress();
    }
}
