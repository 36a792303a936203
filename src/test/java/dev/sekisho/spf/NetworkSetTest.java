package dev.sekisho.spf;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NetworkSetTest {

    @Test
    void blocksAreMergedWhenTheyOverlapOrTouch() {
        NetworkSet set = NetworkSet.ofCidrs(List.of("192.0.2.128/25", "192.0.2.0/25", "192.0.2.7", "2001:db8::/33", "2001:db8:8000::/33"));
        assertThat(set.cidrs()).containsExactly("192.0.2.0/24", "2001:db8::/32");
        assertThat(set.ipv4Count()).isEqualTo(BigInteger.valueOf(256));
    }

    @Test
    void intersectionKeepsOnlyTheCommonAddressesOfEachVersion() {
        NetworkSet customer = NetworkSet.ofCidrs(List.of("192.0.2.100/32", "198.51.100.0/24", "203.0.113.0/24", "2001:db8:1::/48"));
        NetworkSet provider = NetworkSet.ofCidrs(List.of("192.0.2.0/24", "198.51.100.128/25", "2001:db8::/32", "10.0.0.0/8"));
        assertThat(customer.intersect(provider).cidrs()).containsExactly("192.0.2.100/32", "198.51.100.128/25", "2001:db8:1::/48");
        assertThat(provider.intersect(customer)).isEqualTo(customer.intersect(provider));
        assertThat(customer.intersect(NetworkSet.empty()).isEmpty()).isTrue();
    }

    @Test
    void aRangeThatIsNoSingleBlockIsWrittenAsTheFewestBlocks() {
        NetworkSet set = NetworkSet.ofCidrs(List.of("192.0.2.0/24")).intersect(NetworkSet.ofCidrs(List.of("192.0.2.1/32", "192.0.2.2/31")));
        assertThat(set.cidrs()).containsExactly("192.0.2.1/32", "192.0.2.2/31");
    }

    @Test
    void textThatIsNoAddressIsRefusedNamingIt() {
        assertThatThrownBy(() -> NetworkSet.ofCidrs(List.of("192.0.2.0/24", "mail.example"))).hasMessageContaining("\"mail.example\"");
    }

    @Test
    void unionAndDifferenceKeepTheFewestBlocks() {
        NetworkSet a = NetworkSet.ofCidrs(List.of("192.0.2.0/24", "2001:db8::/32"));
        NetworkSet b = NetworkSet.ofCidrs(List.of("192.0.2.4/32", "198.51.100.0/24", "2001:db8:8000::/33"));
        assertThat(a.union(b).cidrs()).containsExactly("192.0.2.0/24", "198.51.100.0/24", "2001:db8::/32");
        assertThat(a.minus(b).cidrs()).containsExactly("192.0.2.0/30", "192.0.2.5/32", "192.0.2.6/31", "192.0.2.8/29", "192.0.2.16/28",
                "192.0.2.32/27", "192.0.2.64/26", "192.0.2.128/25", "2001:db8::/33");
        assertThat(b.minus(a).cidrs()).containsExactly("198.51.100.0/24");
        assertThat(a.minus(a).isEmpty()).isTrue();
        assertThat(NetworkSet.everything().minus(NetworkSet.ofCidrs(List.of("128.0.0.0/1", "::/1"))).cidrs())
                .containsExactly("0.0.0.0/1", "8000::/1");
        assertThat(a.union(NetworkSet.empty())).isEqualTo(a);
    }

    @Test
    void theEdgesOfBothAddressSpacesAreHeldExactly() {
        NetworkSet everything = NetworkSet.ofCidrs(List.of("0.0.0.0/0", "::/0"));
        assertThat(everything.cidrs()).containsExactly("0.0.0.0/0", "::/0");
        assertThat(everything.ipv4Count()).isEqualTo(BigInteger.ONE.shiftLeft(32));
        assertThat(everything.ipv6Count()).isEqualTo(BigInteger.ONE.shiftLeft(128));
        NetworkSet top = NetworkSet.ofCidrs(List.of("255.255.255.255", "255.255.255.254/32", "128.0.0.0/1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                "8000::/1"));
        assertThat(top.cidrs()).containsExactly("128.0.0.0/1", "8000::/1");
        NetworkSet customer = NetworkSet.ofCidrs(List.of("255.255.255.0/24", "127.0.0.1", "ffff::/16"));
        assertThat(customer.intersect(everything)).isEqualTo(customer);
        assertThat(customer.intersect(top).cidrs()).containsExactly("255.255.255.0/24", "ffff::/16");
        assertThat(NetworkSet.ofCidrs(List.of("10.0.0.0/8")).intersect(NetworkSet.ofCidrs(List.of("::/0")))).isSameAs(NetworkSet.empty());
    }

    @Test
    void setsAreSmallEnoughToKeepOneHundredThousandCustomersInAFewTensOfMegabytes() {
        // An audit keeps every customer's networks and overlaps until it prints them. As IPAddress ranges they took
        // about 3 KB per customer of this mix (OutOfMemoryError at 100,000 customers in a 256 MiB heap); as numbers
        // about 600 bytes. The bound leaves room for the JVM's noise and fails on a return to address objects.
        List<String> provider = List.of("198.18.0.0/20", "198.18.16.0/21", "2001:db8:100::/48", "198.18.64.10", "2001:db8:1:2::10",
                "198.18.128.0/18", "2001:db8:200::/40", "198.18.96.0/22", "2001:db8:300::/48");
        NetworkSet providerSet = NetworkSet.ofCidrs(provider);
        int customers = 20_000;
        Object[] kept = new Object[customers * 2];
        long before = usedHeapAfterGc();
        for (int i = 0; i < customers; i++) {
            NetworkSet customer = NetworkSet.ofCidrs(i % 2 == 0 ? provider
                    : List.of("198.19." + (i % 250) + ".0/28", "2001:db8:f00:" + Integer.toHexString(i) + "::/64"));
            kept[2 * i] = customer;
            kept[2 * i + 1] = customer.intersect(providerSet);
        }
        long perCustomer = (usedHeapAfterGc() - before) / customers;
        assertThat(kept[kept.length - 1]).isNotNull();
        assertThat(perCustomer).as("heap bytes per customer (networks and overlap)").isLessThan(1_500);
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) System.gc();
        return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

}
