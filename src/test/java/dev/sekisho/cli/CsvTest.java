package dev.sekisho.cli;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class CsvTest {
    @Test
    void quotesOnlyFieldsThatNeedItAndEndsRowsWithCrlf() {
        assertThat(Csv.line(Arrays.asList("plain", "a,b", "say \"hi\"", "two\nlines", "cr\r", "", null)))
                .isEqualTo("plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\",,\r\n");
    }
}
