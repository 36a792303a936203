package dev.sekisho.dmarc;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ReportUriTest {
    private static ReportUri ok(String text) {
        ReportUri.Parsed p = ReportUri.parse(text);
        assertThat(p.uri()).as("%s: %s", text, p.problem()).isPresent();
        return p.uri().get();
    }

    private static String problem(String text) {
        ReportUri.Parsed p = ReportUri.parse(text);
        assertThat(p.uri()).as(text).isEmpty();
        return p.problem();
    }

    @Test
    void mailtoAddresses() {
        ReportUri u = ok("mailto:DMARC@Example.COM");
        assertThat(u.scheme()).isEqualTo("mailto");
        assertThat(u.address()).isEqualTo("DMARC@example.com");
        assertThat(u.domain()).isEqualTo("example.com");
        assertThat(u.sizeLimit()).isEmpty();
        assertThat(ok("MAILTO:a@example.com").isMailto()).isTrue();
        assertThat(ok("mailto:a@example.com?subject=dmarc").address()).isEqualTo("a@example.com");
        assertThat(ok("mailto:a%2Bb@example.com").address()).isEqualTo("a+b@example.com");
        // A record is ASCII only (RFC 9989 4.8), so an IDN destination arrives percent-encoded in UTF-8.
        assertThat(ok("mailto:a@%E4%BE%8B%E3%81%88.%E6%97%A5%E6%9C%AC").domain()).isEqualTo("xn--r8jz45g.xn--wgv71a");
        assertThat(ok("mailto:a@xn--r8jz45g.xn--wgv71a").domain()).isEqualTo("xn--r8jz45g.xn--wgv71a");
        assertThat(problem("mailto:a@例え.日本")).contains("non-ASCII");
    }

    @Test
    void sizeLimits() {
        assertThat(ok("mailto:a@example.com!10m").sizeLimit()).hasValue(10L * 1024 * 1024);
        assertThat(ok("mailto:a@example.com!50").sizeLimit()).hasValue(50);
        assertThat(ok("mailto:a@example.com!2K").sizeLimit()).hasValue(2048);
        assertThat(ok("mailto:a@example.com!1g").sizeLimit()).hasValue(1L << 30);
        assertThat(ok("mailto:a@example.com!1t").sizeLimit()).hasValue(1L << 40);
        assertThat(ok("mailto:a@example.com!999999999999t").sizeLimit()).hasValue(Long.MAX_VALUE);
        assertThat(ok("mailto:a@example.com!10m").text()).isEqualTo("mailto:a@example.com!10m");
        assertThat(problem("mailto:a@example.com!10x")).contains("percent-encoded");
        assertThat(problem("mailto:a@example.com!")).contains("percent-encoded");
        assertThat(problem("mailto:a@example.com!1234567890123")).contains("percent-encoded");
    }

    @Test
    void problems() {
        assertThat(problem("dmarc@example.com")).contains("needs a scheme").contains("mailto:dmarc@example.com");
        assertThat(problem("")).contains("empty");
        assertThat(problem("mailto:nobody")).contains("local@domain");
        assertThat(problem("mailto:a@b")).contains("not a valid domain");
        assertThat(problem("mailto:a@exa_mple..com")).contains("not a valid domain");
        assertThat(problem("mailto:a\tb@example.com")).contains("control");
        assertThat(problem("https://exa mple.com/")).contains("control");
        assertThat(problem("ht tp://x")).isNotEmpty();
        assertThat(problem("1mailto:a@example.com")).contains("scheme");
    }

    @Test
    void otherSchemes() {
        ReportUri u = ok("https://reports.example.com/dmarc?x=1");
        assertThat(u.isMailto()).isFalse();
        assertThat(u.scheme()).isEqualTo("https");
        assertThat(u.address()).isEmpty();
        assertThat(u.domain()).isEmpty();
    }
}
