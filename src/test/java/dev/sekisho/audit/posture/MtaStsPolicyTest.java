package dev.sekisho.audit.posture;

import dev.sekisho.dns.CachingResolver;
import dev.sekisho.dns.NetworkResolver;
import dev.sekisho.testing.MutableClock;
import dev.sekisho.testing.dns.TestDnsServer;
import dev.sekisho.testing.dns.Zone;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MtaStsPolicyTest {

    @Test
    void aValidPolicyWithCrlfOrLfLines() {
        MtaStsPolicy policy = MtaStsPolicy.parse("version: STSv1\r\nmode: enforce\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n");
        assertThat(policy.problems()).isEmpty();
        assertThat(policy.mode()).contains("enforce");
        assertThat(policy.mx()).containsExactly("mail.example.com", "*.example.net");
        assertThat(policy.maxAge()).hasValue(604800);
    }

    @Test
    void wildcardsMatchExactlyOneLeftmostLabel() {
        MtaStsPolicy policy = MtaStsPolicy.parse("version: STSv1\nmode: testing\nmx: mail.example.com\nmx: *.example.net\nmax_age: 86400\n");
        assertThat(policy.matches("MAIL.example.com")).isTrue();
        assertThat(policy.matches("mx1.example.net")).isTrue();
        assertThat(policy.matches("a.mx1.example.net")).isFalse();
        assertThat(policy.matches("example.net")).isFalse();
        assertThat(policy.matches("other.example.com")).isFalse();
    }

    @Test
    void everyMissingOrInvalidFieldIsAProblem() {
        assertThat(MtaStsPolicy.parse("version: STSv2\nmode: strict\nmax_age: 99999999999\nnonsense\n").problems()).containsExactly(
                "max_age must be 0-31557600 seconds, was \"99999999999\"",
                "not a \"key: value\" line: nonsense",
                "version must be STSv1, was \"STSv2\"",
                "mode must be enforce, testing or none, was \"strict\"",
                "no mx line");
        assertThat(MtaStsPolicy.parse("").problems()).containsExactly("no version line", "no mode line", "no max_age line", "no mx line");
        // RFC 8461 3.2: mode none needs no mx.
        assertThat(MtaStsPolicy.parse("version: STSv1\nmode: none\nmax_age: 86400\n").problems()).isEmpty();
    }

    @Test
    void theHttpAnswerMustBeA200WithTextPlain() {
        String url = "https://mta-sts.example.com/.well-known/mta-sts.txt";
        assertThat(MtaStsPolicyFetcher.parse(url, bytes("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nversion: STSv1\r\n")))
                .isEqualTo(new MtaStsPolicyFetcher.Outcome.Fetched(url, "version: STSv1\r\n"));
        assertThat(MtaStsPolicyFetcher.parse(url, bytes("HTTP/1.1 301 Moved Permanently\r\nLocation: https://elsewhere/\r\n\r\n")))
                .isEqualTo(new MtaStsPolicyFetcher.Outcome.Failed(url, "HTTP status 301 Moved Permanently"));
        assertThat(MtaStsPolicyFetcher.parse(url, bytes("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html>")))
                .isEqualTo(new MtaStsPolicyFetcher.Outcome.Failed(url, "media type \"text/html\", not text/plain (RFC 8461 3.2)"));
        assertThat(MtaStsPolicyFetcher.parse(url, bytes("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "7\r\nversion\r\n8\r\n: STSv1\n\r\n0\r\n\r\n"))).isEqualTo(new MtaStsPolicyFetcher.Outcome.Fetched(url, "version: STSv1\n"));
    }

    @Test
    void aRefusedConnectionNamesAnIpv6AddressInTheShortForm() throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            closedPort = probe.getLocalPort(); // free, and nothing listens once the probe is closed
        }
        try (TestDnsServer server = TestDnsServer.start(Zone.empty().aaaa("mta-sts.example.com", "0:0:0:0:0:0:0:1"))) {
            var resolver = new CachingResolver(new NetworkResolver(NetworkResolver.Settings.of(List.of(server.hostPort()))
                    .withTimeout(Duration.ofMillis(400))), MutableClock.at("2026-03-01T00:00:00Z"));
            MtaStsPolicyFetcher fetcher = new MtaStsPolicyFetcher(resolver, new MtaStsPolicyFetcher.Settings(Duration.ofSeconds(5), false, closedPort));
            // RFC 5952 4.2: "::1", not Java's 0:0:0:0:0:0:0:1.
            assertThat(fetcher.fetch("example.com")).isInstanceOfSatisfying(MtaStsPolicyFetcher.Outcome.Failed.class,
                    f -> assertThat(f.reason()).startsWith("::1: "));
        }
    }

    @Test
    void theTxtRecordNeedsAnId() {
        assertThat(MtaStsPosture.recordProblem("v=STSv1; id=20160831085700Z;")).isEmpty();
        assertThat(MtaStsPosture.recordProblem("v=STSv1;")).contains("no id field");
        assertThat(MtaStsPosture.recordProblem("v=STSv1; id=" + "a".repeat(33))).contains("id must be 1-32 letters and digits, was \"" + "a".repeat(33) + "\"");
        assertThat(TlsRptPosture.recordProblem("v=TLSRPTv1; rua=mailto:tls@example.com,https://reports.example.com/v1")).isEmpty();
        assertThat(TlsRptPosture.recordProblem("v=TLSRPTv1;")).contains("no rua field: reports have nowhere to go");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
