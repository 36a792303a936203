package dev.sekisho.dmarc;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The fixture src/test/resources/dmarc/records-in-the-wild.txt: each record with its expected outcome. */
class RecordsInTheWildTest {
    @Test
    void eachRecordHasItsExpectedOutcome() throws IOException {
        List<String> lines;
        try (InputStream in = getClass().getResourceAsStream("/dmarc/records-in-the-wild.txt")) {
            assertThat(in).isNotNull();
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        }
        assertThat(lines).hasSizeGreaterThan(15);
        for (String line : lines) {
            String[] parts = line.split("\t", 2);
            DmarcRecord r = DmarcRecord.parse(parts[1]);
            boolean warnings = !r.findings(Severity.WARNING).isEmpty();
            switch (parts[0]) {
                case "clean" -> assertThat(r.recognized() && !r.hasErrors() && !warnings).as("%s: %s", line, r.findings()).isTrue();
                case "warnings" -> assertThat(r.recognized() && !r.hasErrors() && warnings).as("%s: %s", line, r.findings()).isTrue();
                case "errors" -> assertThat(r.recognized() && r.hasErrors()).as("%s: %s", line, r.findings()).isTrue();
                case "ignored" -> {
                    assertThat(r.recognized()).as(line).isFalse();
                    assertThat(DmarcRecord.isDmarcRecord(parts[1])).as(line).isFalse();
                }
                default -> throw new AssertionError("unknown outcome in fixture: " + line);
            }
        }
    }
}
