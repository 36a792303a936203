package dev.sekisho.engine;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExplanationTest {

    @Test
    void valuesKeepTheOrderGivenInTheLogLine() {
        Explanation e = new Explanation("greylist", "new", "triplet=x", "deferred for 300s",
                Explanation.values("first-seen", "2026-12-02T03:00:00Z", "pass-at", "2026-12-02T03:05:00Z", "client-passes", "0"));

        assertThat(e.values().keySet()).containsExactly("first-seen", "pass-at", "client-passes");
        assertThat(e.values()).containsEntry("pass-at", "2026-12-02T03:05:00Z").doesNotContainKey("other");
        assertThat(e.toLogString()).isEqualTo("check=greylist rule=\"new\" key=triplet=x first-seen=2026-12-02T03:00:00Z"
                + " pass-at=2026-12-02T03:05:00Z client-passes=0 detail=\"deferred for 300s\"");
    }

    @Test
    void aCallersMapIsCopiedInItsOrderAndTheValuesCannotChange() {
        Map<String, String> given = new LinkedHashMap<>();
        given.put("1h", "3/100");
        given.put("1d", "3/1000");
        Explanation e = new Explanation("per-ip", "", "", "", given);
        given.put("1h", "99/100");

        assertThat(List.copyOf(e.values().entrySet())).containsExactly(Map.entry("1h", "3/100"), Map.entry("1d", "3/1000"));
        assertThat(e.values()).isEqualTo(Map.of("1h", "3/100", "1d", "3/1000"));
        assertThatThrownBy(() -> e.values().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> e.values().entrySet().iterator().remove()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void valuesAreRefusedWhenUnpairedNamedTwiceOrNull() {
        assertThatThrownBy(() -> Explanation.values("a", "1", "b")).hasMessage("values come in key, value pairs");
        assertThatThrownBy(() -> Explanation.values("a", "1", "a", "2")).hasMessage("value named twice: a");
        assertThatThrownBy(() -> Explanation.values("a", null)).isInstanceOf(NullPointerException.class);
    }
}
