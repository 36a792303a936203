package dev.sekisho.reports.source;

import dev.sekisho.reports.Problem;
import dev.sekisho.reports.aggregate.AggregateRecord;
import dev.sekisho.reports.aggregate.AggregateReport;
import dev.sekisho.reports.failure.FailureReport;
import dev.sekisho.reports.tls.TlsReport;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every sample in src/test/resources/reports/corpus/ (see its NOTICE.md) is read and compared with its line in
 * reports/corpus-expectations.tsv: the report's kind and the fields and counts listed there, or, for an invalid
 * sample, the code (and position) of the problem that rejects it.
 */
class CorpusTest {
    private static final String EXPECTATIONS = "/reports/corpus-expectations.tsv";

    @TestFactory
    Stream<DynamicTest> eachSampleReadsAsExpected() throws IOException, URISyntaxException {
        Path corpus = corpus();
        return expectations().entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
            Map<String, String> actual = observe(corpus.resolve(e.getKey()));
            for (Map.Entry<String, String> expected : e.getValue().entrySet()) {
                assertThat(actual.get(expected.getKey())).as("%s: %s (all: %s)", e.getKey(), expected.getKey(), actual)
                        .isEqualTo(expected.getValue());
            }
        }));
    }

    @Test
    void everySampleHasAnExpectationAndEveryExpectationASample() throws IOException, URISyntaxException {
        Path corpus = corpus();
        List<String> samples;
        try (Stream<Path> files = Files.walk(corpus)) {
            samples = files.filter(Files::isRegularFile).map(p -> corpus.relativize(p).toString().replace('\\', '/'))
                    .filter(p -> !p.equals("NOTICE.md")).sorted().toList();
        }
        assertThat(samples).hasSize(67);
        assertThat(expectations().keySet()).containsExactlyInAnyOrderElementsOf(samples);
    }

    /** What reading one sample produced, under the keys the expectations use. */
    static Map<String, String> observe(Path file) {
        Map<String, String> seen = new LinkedHashMap<>();
        List<String> skipped = new ArrayList<>();
        List<Problem> rejected = new ArrayList<>();
        ImportSummary summary = new ReportReader().read(file, new ReportVisitor() {
            private long records;

            @Override
            public void aggregateReport(AggregateReport report) {
                records = 0;
                seen.put("reporter", report.identity().reporter());
                seen.put("id", report.identity().reportId());
                seen.put("domain", report.policy().domain());
                seen.put("format", report.format().name());
                seen.put("p", report.policy().p().token());
                seen.put("begin", report.metadata().begin().toString());
            }

            @Override
            public void aggregateRecord(AggregateReport report, AggregateRecord record) {
                if (records++ == 0) {
                    seen.put("first-ip", record.sourceIp().getHostAddress());
                    seen.put("first-disposition", record.policyEvaluated().disposition().name().toLowerCase());
                    seen.put("first-header-from", record.identifiers().headerFrom());
                    seen.put("first-dkim", record.dkim().stream().map(d -> d.domain() + "=" + d.result().name().toLowerCase()).toList().toString());
                    seen.put("first-spf", record.spf().stream().map(s -> s.domain() + "=" + s.result().name().toLowerCase()).toList().toString());
                }
            }

            @Override
            public void failureReport(FailureReport report) {
                seen.put("reporter", report.identity().reporter());
                seen.put("type", report.feedbackType());
                seen.put("source", report.sourceIp().orElse(""));
                seen.put("domain", String.join(",", report.reportedDomains()));
                seen.put("mail-from", report.originalMailFrom().orElse("-"));
                seen.put("headers", String.valueOf(report.originalHeaders().size()));
            }

            @Override
            public void tlsReport(TlsReport report) {
                seen.put("reporter", report.identity().reporter());
                seen.put("id", report.identity().reportId());
                seen.put("domain", report.policies().isEmpty() ? "" : report.policies().get(0).policyDomain());
                seen.put("policies", String.valueOf(report.policies().size()));
                seen.put("successes", String.valueOf(report.totalSuccessfulSessionCount()));
                seen.put("failures", String.valueOf(report.totalFailureSessionCount()));
                seen.put("details", String.valueOf(report.policies().stream().mapToInt(p -> p.failureDetails().size()).sum()));
            }

            @Override
            public void problem(Problem problem) {
                if (problem.scope() == Problem.Scope.RECORD) skipped.add(problem.code() + "@" + problem.position());
                else rejected.add(problem);
            }
        });
        String kind = summary.aggregateReports() > 0 ? "aggregate" : summary.tlsReports() > 0 ? "tls"
                : summary.failureReports() > 0 ? "failure" : "rejected";
        seen.put("kind", kind);
        seen.put("records", String.valueOf(summary.records()));
        seen.put("messages", String.valueOf(summary.messages()));
        seen.put("skipped", String.join(",", skipped));
        if (!rejected.isEmpty()) {
            seen.put("code", rejected.get(0).code());
            seen.put("position", rejected.get(0).position());
        }
        return seen;
    }

    private static Path corpus() throws URISyntaxException {
        return Path.of(Objects.requireNonNull(CorpusTest.class.getResource("/reports/corpus/NOTICE.md")).toURI()).getParent();
    }

    /** path, then key=value columns, tab-separated; "#" starts a comment line. */
    private static Map<String, Map<String, String>> expectations() throws IOException {
        Map<String, Map<String, String>> all = new LinkedHashMap<>();
        try (InputStream in = CorpusTest.class.getResourceAsStream(EXPECTATIONS)) {
            assertThat(in).as(EXPECTATIONS).isNotNull();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList()) {
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] columns = line.split("\t");
                Map<String, String> expected = new LinkedHashMap<>();
                for (int i = 1; i < columns.length; i++) {
                    int eq = columns[i].indexOf('=');
                    if (eq < 0) throw new IllegalStateException("not key=value in " + EXPECTATIONS + ": " + columns[i]);
                    expected.put(columns[i].substring(0, eq), columns[i].substring(eq + 1));
                }
                if (all.put(columns[0], expected) != null) throw new IllegalStateException("twice in " + EXPECTATIONS + ": " + columns[0]);
            }
        }
        return all;
    }
}
