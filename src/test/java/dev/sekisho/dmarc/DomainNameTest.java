package dev.sekisho.dmarc;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DomainNameTest {
    @Test
    void normalisesCaseTrailingDotAndUnicode() {
        assertThat(DomainName.normalize("Mail.Example.COM.")).isEqualTo("mail.example.com");
        assertThat(DomainName.normalize("例え.日本")).isEqualTo("xn--r8jz45g.xn--wgv71a");
        assertThat(DomainName.normalize("_dmarc.example.com")).isEqualTo("_dmarc.example.com");
        assertThat(DomainName.normalize("com")).isEqualTo("com");
    }

    @Test
    void refusesWhatCannotBeADomainName() {
        for (String bad : new String[] {"", ".", "a..b", ".a", "a b.com", "-a.com", "a-.com", "a.com..", "a/b.com", "a\u0000.com",
                "a".repeat(64) + ".com", ("a".repeat(63) + ".").repeat(4) + "com"}) {
            assertThat(DomainName.tryNormalize(bad)).as(bad).isEmpty();
        }
        assertThat(DomainName.tryNormalize(null)).isEmpty();
        assertThatThrownBy(() -> DomainName.normalize("a\u0000.com")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a\\u0000.com");
    }

    @Test
    void lengthLimits() {
        String label = "a".repeat(63);
        String max = label + "." + label + "." + label + "." + "a".repeat(61); // 253 characters
        assertThat(max).hasSize(253);
        assertThat(DomainName.tryNormalize(max)).hasValue(max);
        assertThat(DomainName.tryNormalize(max + "a")).isEmpty();
        assertThat(DomainName.under("_dmarc", max)).isEmpty();
        assertThat(DomainName.under("_dmarc", "example.com")).hasValue("_dmarc.example.com");
    }

    @Test
    void labelsAndParents() {
        assertThat(DomainName.labelCount("a.b.c")).isEqualTo(3);
        assertThat(DomainName.parent("a.b.c")).hasValue("b.c");
        assertThat(DomainName.parent("c")).isEmpty();
        assertThat(DomainName.lastLabels("a.b.c.d", 2)).isEqualTo("c.d");
        assertThat(DomainName.lastLabels("a.b", 5)).isEqualTo("a.b");
    }
}
