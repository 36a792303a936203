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

    @Test
    void aLineStartsWithANameAndItsEqualsSignOnlyWhenItSpellsBoth() {
        for (String name : PolicyRequest.KNOWN_ATTRIBUTES) {
            int slot = PolicyAttributes.knownSlot(name.getBytes(StandardCharsets.US_ASCII), 0, name.length());
            assertThat(PolicyAttributes.nameLength(slot)).isEqualTo(name.length());
            assertThat(startsWith(slot, "##" + name + "=value\n", 2)).as(name).isTrue();
            assertThat(startsWith(slot, "##" + name + "=\n", 2)).as("%s, empty value", name).isTrue();
            assertThat(startsWith(slot, "##" + name + "x=1\n", 2)).as("%s followed by more name", name).isFalse();
            assertThat(startsWith(slot, "##" + name + "\n", 2)).as("%s without '='", name).isFalse();
            assertThat(startsWith(slot, "##" + name.substring(1) + "=\n", 2)).as("%s cut short", name).isFalse();
            for (int at = 0; at <= name.length(); at++) {
                // one byte changed anywhere in the name or its '=', the last word's bytes included
                char[] changed = (name + "=").toCharArray();
                changed[at] = changed[at] == 'z' ? 'y' : 'z';
                assertThat(startsWith(slot, "##" + new String(changed) + "v\n", 2)).as("%s changed at %d", name, at).isFalse();
            }
        }
    }

    /** The check over the line from {@code start} to its line feed, as the decoder asks it. */
    private static boolean startsWith(int slot, String text, int start) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        return PolicyAttributes.startsWithNameAndEquals(slot, bytes, start, text.indexOf('\n'));
    }
}
