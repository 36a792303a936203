package dev.sekisho.reports.tls;

import dev.sekisho.reports.Origin;
import dev.sekisho.reports.Problem;
import dev.sekisho.reports.ReportFormatException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TlsReportParserTest {
    private static final String REPORT = """
            {"organization-name": "Company-X", "contact-info": "sts@company-x.example", "report-id": "r-1",
             "date-range": {"start-datetime": "2016-04-01T00:00:00Z", "end-datetime": "2016-04-01T23:59:59Z"},
             "policies": [{
               "policy": {"policy-type": "STS", "policy-string": ["version: STSv1", "mode: testing"],
                          "policy-domain": "Company-Y.example", "mx-host": "*.mail.company-y.example"},
               "summary": {"total-successful-session-count": 5326, "total-failure-session-count": 303},
               "failure-details": [
                 {"result-type": "certificate-expired", "sending-mta-ip": "2001:db8:abcd:0012::1",
                  "receiving-mx-hostname": "mx1.mail.company-y.example", "failed-session-count": 100},
                 {"result-type": "validation-failure", "failed-session-count": -3},
                 {"sending-mta-ip": "198.51.100.62", "failed-session-count": 3},
                 {"result-type": "starttls-not-supported", "receiving-ip": "", "failed-session-count": 200,
                  "failure-reason-code": "X509_V_ERR"}]}],
             "future-field": {"ignored": [1, 2]}}
            """;

    @Test
    void aReportIsReadAndBadFailureDetailsAreSkipped() throws IOException {
        List<Problem> skipped = new ArrayList<>();
        TlsReport r = TlsReportParser.parse(new ByteArrayInputStream(REPORT.getBytes(StandardCharsets.UTF_8)), Origin.of("t.json"), skipped::add);
        assertThat(r.identity().reporter()).isEqualTo("company-x");
        assertThat(r.reportId()).isEqualTo("r-1");
        assertThat(r.start()).isEqualTo(Instant.parse("2016-04-01T00:00:00Z"));
        assertThat(r.contactInfo()).contains("sts@company-x.example");
        TlsReport.PolicyResult p = r.policies().get(0);
        assertThat(p.policyType()).isEqualTo("sts");
        assertThat(p.policyDomain()).isEqualTo("company-y.example");
        assertThat(p.mxHosts()).containsExactly("*.mail.company-y.example");
        assertThat(p.policyString()).containsExactly("version: STSv1", "mode: testing");
        assertThat(p.totalFailureSessionCount()).isEqualTo(303);
        assertThat(p.failureDetails()).extracting(TlsReport.FailureDetail::resultType).containsExactly("certificate-expired", "starttls-not-supported");
        assertThat(p.failureDetails().get(0).sendingMtaIp()).contains("2001:db8:abcd:0012::1");
        assertThat(p.failureDetails().get(1).receivingIp()).isEqualTo(Optional.empty());
        assertThat(skipped).extracting(Problem::code).containsExactly("invalid-count", "missing-field");
        assertThat(skipped.get(0).position()).contains("failure-details[2]");
    }

    @Test
    void aReportWithoutItsRequiredFieldsIsRejected() {
        String noOrganisation = REPORT.replace("\"organization-name\": \"Company-X\",", "");
        assertThatThrownBy(() -> TlsReportParser.parse(new ByteArrayInputStream(noOrganisation.getBytes(StandardCharsets.UTF_8)), Origin.of("t"), p -> {
        })).isInstanceOf(ReportFormatException.class).hasMessageContaining("organization-name");
    }

    @Test
    void brokenJsonIsRejectedWithItsPosition() {
        assertThatThrownBy(() -> TlsReportParser.parse(new ByteArrayInputStream("{\"report-id\": [1,\n".getBytes(StandardCharsets.UTF_8)), Origin.of("t"), p -> {
        })).isInstanceOf(ReportFormatException.class)
                .satisfies(e -> {
                    assertThat(((ReportFormatException) e).code()).isEqualTo("json-malformed");
                    assertThat(((ReportFormatException) e).position()).startsWith("line 2");
                });
    }
}
