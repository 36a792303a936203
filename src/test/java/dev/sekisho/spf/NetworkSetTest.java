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
}
