package dev.sekisho.postfix;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PolicyAttributesTest {

    @Test
    void everyKnownNameIsFoundInBytesAndNothingElseIs() {
        for (String name : PolicyRequest.KNOWN_ATTRIBUTES) {
            byte[] line = ("x" + name + "=value").getBytes(StandardCharsets.US_ASCII);
            int slot = PolicyAttributes.knownSlot(line, 1, name.length());
            assertThat(slot).as(name).isNotNegative();
            assertThat(PolicyAttributes.knownName(slot)).isSameAs(name);
        }
        byte[] unknown = "sender_x=1".getBytes(StandardCharsets.US_ASCII);
        assertThat(PolicyAttributes.knownSlot(unknown, 0, 8)).isEqualTo(-1);
        assertThat(PolicyAttributes.knownName(PolicyAttributes.knownSlot(unknown, 0, 6))).isEqualTo("sender");
        assertThat(PolicyAttributes.knownSlot(new byte[200], 0, 200)).isEqualTo(-1);
    }

    @Test
    void behavesAsAnImmutableMapEqualToTheSameAttributesInAHashMap() {
        PolicyAttributes.Builder builder = new PolicyAttributes.Builder();
        assertThat(builder.put("sender", "a@example.org")).isTrue();
        assertThat(builder.put("future_attribute", "x")).isTrue();
        assertThat(builder.put("recipient", "")).isTrue();
        PolicyAttributes attributes = builder.build();

        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("future_attribute", "x");
        expected.put("recipient", "");
        expected.put("sender", "a@example.org");
        assertThat(attributes).isEqualTo(expected).hasSameHashCodeAs(expected).hasSize(3);
        assertThat(attributes.get("sender")).isEqualTo("a@example.org");
        assertThat(attributes.get("future_attribute")).isEqualTo("x");
        assertThat(attributes.get("client_name")).isNull();
        assertThat(attributes.containsKey("recipient")).isTrue();
        assertThat(attributes.containsKey("other")).isFalse();
        assertThatThrownBy(() -> attributes.put("sender", "b")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> attributes.entrySet().iterator().remove()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void aNameGivenTwiceIsRefusedKnownOrNot() {
        PolicyAttributes.Builder builder = new PolicyAttributes.Builder();
        assertThat(builder.put("sender", "a")).isTrue();
        assertThat(builder.put("sender", "b")).isFalse();
        assertThat(builder.put("x_extra", "1")).isTrue();
        assertThat(builder.put("x_extra", "2")).isFalse();
        assertThat(builder.size()).isEqualTo(2);
        assertThat(builder.build()).containsEntry("sender", "a").containsEntry("x_extra", "1");
    }

    @Test
    void aCallersMapIsCopiedSoLaterChangesDoNotReachTheRequest() {
        Map<String, String> given = new LinkedHashMap<>(Map.of("sender", "a@example.org"));
        PolicyAttributes copy = PolicyAttributes.copyOf(given);
        given.put("sender", "changed@example.org");
        assertThat(copy.get("sender")).isEqualTo("a@example.org");
        assertThat(PolicyAttributes.copyOf(copy)).isSameAs(copy);
    }
}
