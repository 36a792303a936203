package dev.sekisho.config;

import org.junit.jupiter.api.Test;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ByteSizesTest {
    @Test
    void acceptsDigitsWithAnOptionalPowerOf1024InEitherCase() {
        assertThat(Stream.of("0", "123", "64k", "2K", "10m", "512M", "1g", "1G", "1t", "007m").map(ByteSizes::parse))
                .containsExactly(0L, 123L, 64L << 10, 2L << 10, 10L << 20, 512L << 20, 1L << 30, 1L << 30, 1L << 40, 7L << 20);
        assertThat(ByteSizes.parse("8388607t")).isEqualTo(8388607L << 40);
        assertThat(ByteSizes.parse("8388608t")).as("past a long: saturated, not wrapped").isEqualTo(Long.MAX_VALUE);
        assertThat(ByteSizes.parse("99999999999999999999999")).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void refusesEveryOtherFormSayingWhichAreAccepted() {
        for (String bad : new String[]{"", "m", "10x", "1.5g", "-1", "10 m", " 10m", "256MiB", "10kb", "1e6"}) {
            assertThatThrownBy(() -> ByteSizes.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("must be a size like 1000000, 64k, 512m or 1g (k, m, g, t: powers of 1024), was \"" + bad + "\"");
        }
    }
}
