package dev.sekisho.bench;

import dev.sekisho.reports.source.ImportSummary;
import dev.sekisho.reports.source.ReportReader;
import dev.sekisho.reports.source.ReportVisitor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DmarcCorpusGeneratorTest {
    @Test
    void corpusIsReadBackWholeWithEveryRecordAndNoProblem(@TempDir Path directory) throws IOException {
        DmarcCorpusGenerator.Written written = new DmarcCorpusGenerator(7).writeCorpus(directory, 30, 4_321);

        ImportSummary read = new ReportReader().read(directory, new ReportVisitor() {
        });

        assertEquals(30, read.files());
        assertEquals(30, read.aggregateReports());
        assertEquals(4_321, read.records());
        assertEquals(0, read.skippedRecords());
        assertEquals(0, read.rejectedInputs());
        assertEquals(4_321, written.records());
        try (Stream<Path> files = Files.list(directory)) {
            assertEquals(18, files.filter(f -> f.toString().endsWith(".gz")).count(), "six in ten files are gzip");
        }
    }

    @Test
    void singleReportReachesTheSizeAskedAndIsReadWhole(@TempDir Path directory) throws IOException {
        Path file = directory.resolve("single-report.xml");
        DmarcCorpusGenerator.Written written = new DmarcCorpusGenerator(3).writeSingleReport(file, 2_000_000);

        ImportSummary read = new ReportReader().read(file, new ReportVisitor() {
        });

        assertTrue(written.bytes() >= 2_000_000, "written " + written.bytes());
        assertEquals(Files.size(file), written.bytes());
        assertEquals(1, read.aggregateReports());
        assertEquals(written.records(), read.records());
        assertEquals(0, read.skippedRecords());
    }

    @Test
    void sameSeedWritesTheSameBytes(@TempDir Path directory) throws IOException {
        new DmarcCorpusGenerator(5).writeSingleReport(directory.resolve("a.xml"), 100_000);
        new DmarcCorpusGenerator(5).writeSingleReport(directory.resolve("b.xml"), 100_000);

        assertArrayEquals(Files.readAllBytes(directory.resolve("a.xml")), Files.readAllBytes(directory.resolve("b.xml")));
    }
}
