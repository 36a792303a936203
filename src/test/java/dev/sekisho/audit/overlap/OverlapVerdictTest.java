package dev.sekisho.audit.overlap;

import dev.sekisho.spf.NetworkSet;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class OverlapVerdictTest {

    @Test
    void verdictsFollowFromTheOverlap() {
        NetworkSet customer = NetworkSet.ofCidrs(List.of("192.0.2.0/25", "2001:db8::/48"));
        assertThat(OverlapVerdict.of(customer, customer)).isEqualTo(OverlapVerdict.FULL);
        assertThat(OverlapVerdict.of(customer, NetworkSet.ofCidrs(List.of("192.0.2.0/25")))).isEqualTo(OverlapVerdict.PARTIAL);
        assertThat(OverlapVerdict.of(customer, NetworkSet.empty())).isEqualTo(OverlapVerdict.NONE);
        assertThat(OverlapVerdict.of(NetworkSet.empty(), NetworkSet.empty())).isEqualTo(OverlapVerdict.NONE);
    }

    @Test
    void customerFilesSkipCommentsBlankLinesAndDuplicates() {
        assertThat(CustomerFile.parse("# customers\nA.example\n\n  b.example   # the second\na.example\r\nc.example")).containsExactly(
                "a.example", "b.example", "c.example");
    }
}
