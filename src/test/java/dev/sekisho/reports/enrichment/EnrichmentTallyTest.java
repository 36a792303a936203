package dev.sekisho.reports.enrichment;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class EnrichmentTallyTest {
    @Test
    void runsOfAWatchAddUpAndWhatIsLeftIsTheLastRunsLeftover() {
        EnrichmentTally first = new EnrichmentTally(10, 7, 3, Map.of("confirmed", 5, "no-ptr", 2), 6, 1);
        EnrichmentTally second = new EnrichmentTally(4, 4, 0, Map.of("no-ptr", 1, "unknown", 3), 2, 2);

        EnrichmentTally both = first.then(second);

        assertThat(both.due()).isEqualTo(14);
        assertThat(both.enriched()).isEqualTo(11);
        assertThat(both.outOfTime()).isZero();
        assertThat(both.reverseDns()).containsExactly(Map.entry("confirmed", 5), Map.entry("no-ptr", 3), Map.entry("unknown", 3));
        assertThat(both.geoFound()).isEqualTo(8);
        assertThat(both.geoMissing()).isEqualTo(3);
        assertThat(EnrichmentTally.nothing().then(first)).isEqualTo(first);
    }
}
