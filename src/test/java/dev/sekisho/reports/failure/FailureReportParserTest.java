package dev.sekisho.reports.failure;

import dev.sekisho.reports.Origin;
import dev.sekisho.reports.ReportFormatException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FailureReportParserTest {
    private static final String FEEDBACK = """
            Feedback-Type: auth-failure
            User-Agent: Example/2.0
            Version: 1
            Original-Mail-From: <bounce@sender.example>
            Original-Rcpt-To: <a@receiver.example>
            Original-Rcpt-To: <b@receiver.example>
            Arrival-Date: Tue, 30 Apr 2019 02:09:00 +0000
            Source-IP: 192.0.2.7
            Reported-Domain: Sender.Example
            Authentication-Results: mx.receiver.example; dmarc=fail
             header.from=sender.example
            Auth-Failure: dmarc
            Delivery-Result: Reject
            Identity-Alignment: SPF, dkim
            DKIM-Domain: Sender.example
            DKIM-Selector: s2024
            SPF-DNS: txt : sender.example : "v=spf1 -all"

            """;
    private static final String ORIGINAL = """
            From: Someone <x@sender.example>
            Subject: hello
            Message-ID: <1@sender.example>

            body is not read
            """;

    @Test
    void theRfc6591FieldsAreRead() throws IOException {
        FailureReport r = FailureReportParser.parse(in(FEEDBACK), in(ORIGINAL), "receiver.example", Origin.of("r.eml"));
        assertThat(r.feedbackType()).isEqualTo("auth-failure");
        assertThat(r.userAgent()).contains("Example/2.0");
        assertThat(r.version()).contains("1");
        assertThat(r.originalMailFrom()).contains("bounce@sender.example");
        assertThat(r.originalRcptTo()).containsExactly("a@receiver.example", "b@receiver.example");
        assertThat(r.arrivalDate()).hasValueSatisfying(d -> assertThat(d.toInstant().getEpochSecond()).isEqualTo(1_556_590_140L));
        assertThat(r.sourceIp()).contains("192.0.2.7");
        assertThat(r.reportedDomains()).containsExactly("sender.example");
        assertThat(r.authenticationResults()).containsExactly("mx.receiver.example; dmarc=fail header.from=sender.example");
        assertThat(r.authFailure()).contains("dmarc");
        assertThat(r.deliveryResult()).contains("reject");
        assertThat(r.identityAlignment()).containsExactly("spf", "dkim");
        assertThat(r.dkimDomain()).contains("sender.example");
        assertThat(r.dkimSelector()).contains("s2024");
        assertThat(r.spfDns()).containsExactly("txt : sender.example : \"v=spf1 -all\"");
        assertThat(r.fields()).hasSize(16); // 17 lines, one of them a continuation
        assertThat(r.originalHeader("subject")).containsExactly("hello");
        assertThat(r.originalHeaders()).hasSize(3);
        assertThat(r.identity().reporter()).isEqualTo("receiver.example");
    }

    @Test
    void theIdentityDependsOnContentNotOnLineEndings() throws IOException {
        FailureReport lf = FailureReportParser.parse(in(FEEDBACK), in(ORIGINAL), "r.example", Origin.of("a"));
        FailureReport crlf = FailureReportParser.parse(in(FEEDBACK.replace("\n", "\r\n")), in(ORIGINAL.replace("\n", "\r\n")), "r.example", Origin.of("b"));
        FailureReport other = FailureReportParser.parse(in(FEEDBACK.replace("192.0.2.7", "192.0.2.8")), in(ORIGINAL), "r.example", Origin.of("c"));
        assertThat(crlf.identity()).isEqualTo(lf.identity());
        assertThat(other.identity()).isNotEqualTo(lf.identity());
    }

    @Test
    void withoutAFeedbackTypeThereIsNoReport() {
        assertThatThrownBy(() -> FailureReportParser.parse(in("User-Agent: x\nVersion: 1\n\n"), null, "", Origin.of("x")))
                .isInstanceOf(ReportFormatException.class).hasMessageContaining("Feedback-Type")
                .extracting(e -> ((ReportFormatException) e).code()).isEqualTo("missing-field");
    }

    private static InputStream in(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }
}
