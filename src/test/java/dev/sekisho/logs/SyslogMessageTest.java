package dev.sekisho.logs;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SyslogMessageTest {
    private static final Instant RECEIVED = Instant.parse("2026-12-02T06:00:05Z");
    private static final ZoneId TOKYO = ZoneId.of("Asia/Tokyo");

    private static SyslogMessage parse(String text) throws MalformedLineException {
        return SyslogMessage.parse(text, RECEIVED, TOKYO);
    }

    @Test
    void rfc3164MessageFromSyslogd() throws Exception {
        SyslogMessage m = parse("<20>Dec  2 15:00:01 mail postfix/submission/smtpd[123]: warning: unknown[203.0.113.7]: "
                + "SASL LOGIN authentication failed: authentication failure");
        assertThat(m.facility()).isEqualTo(2); // mail
        assertThat(m.severity()).isEqualTo(4); // warning
        assertThat(m.rfc5424()).isFalse();
        assertThat(m.entry()).isEqualTo(new LogEntry(Instant.parse("2026-12-02T06:00:01Z"), "mail", "postfix/submission/smtpd",
                "warning: unknown[203.0.113.7]: SASL LOGIN authentication failed: authentication failure"));
    }

    @Test
    void rfc3164MessageWithoutHostNameAsLocalSendersWriteIt() throws Exception {
        SyslogMessage m = parse("<22>Dec  2 15:00:01 dovecot: imap-login: Login: user=<u>, rip=198.51.100.9");
        assertThat(m.entry().host()).isEmpty();
        assertThat(m.entry().program()).isEqualTo("dovecot");
        assertThat(m.entry().message()).isEqualTo("imap-login: Login: user=<u>, rip=198.51.100.9");
    }

    @Test
    void rfc3164MessageWithoutTimestampIsContentReceivedNow() throws Exception {
        // RFC 3164 section 4.3.3
        SyslogMessage m = parse("<22>dovecot: imap-login: Login: user=<u>");
        assertThat(m.entry().timestamp()).isEqualTo(RECEIVED);
        assertThat(m.entry().program()).isEqualTo("dovecot");
    }

    @Test
    void rfc5424MessageWithStructuredDataAndBom() throws Exception {
        SyslogMessage m = parse("<20>1 2026-12-02T15:00:01.5+09:00 mail.example.test postfix/smtpd 123 - "
                + "[meta sequenceId=\"7\" note=\"a \\\"quoted\\\" \\] bracket\"][origin ip=\"192.0.2.1\"] \uFEFFwarning: unknown[203.0.113.7]: "
                + "SASL PLAIN authentication failed: authentication failure");
        assertThat(m.rfc5424()).isTrue();
        assertThat(m.entry()).isEqualTo(new LogEntry(Instant.parse("2026-12-02T06:00:01.5Z"), "mail.example.test", "postfix/smtpd",
                "warning: unknown[203.0.113.7]: SASL PLAIN authentication failed: authentication failure"));
    }

    @Test
    void rfc5424MessageWithNilValues() throws Exception {
        SyslogMessage m = parse("<22>1 2026-12-02T06:00:01Z - dovecot - - - imap-login: Login: user=<u>");
        assertThat(m.entry().host()).isEmpty();
        assertThat(m.entry().program()).isEqualTo("dovecot");
        assertThat(m.entry().message()).isEqualTo("imap-login: Login: user=<u>");
        assertThat(parse("<22>1 2026-12-02T06:00:01Z host app - - -").entry().message()).isEmpty();
    }

    @Test
    void malformedMessagesSayWhatIsWrong() {
        assertThatThrownBy(() -> parse("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> parse("<192>Dec  2 15:00:01 host x: y")).hasMessageContaining("0 to 191");
        assertThatThrownBy(() -> parse("<1a>Dec  2 15:00:01 host x: y")).hasMessageContaining("digits");
        assertThatThrownBy(() -> parse("<13 no close")).hasMessageContaining("PRI");
        assertThatThrownBy(() -> parse("<13>1 yesterday host app - - - msg")).hasMessageContaining("RFC 3339");
        assertThatThrownBy(() -> parse("<13>1 - host app - - - msg")).hasMessageContaining("TIMESTAMP");
        assertThatThrownBy(() -> parse("<13>1 2026-12-02T06:00:01Z host app")).hasMessageContaining("header ends");
        assertThatThrownBy(() -> parse("<13>1 2026-12-02T06:00:01Z host app - - [open msg")).hasMessageContaining("not closed");
        assertThatThrownBy(() -> parse("<13>1 2026-12-02T06:00:01Z host app - - x msg")).hasMessageContaining("STRUCTURED-DATA");
        assertThatThrownBy(() -> parse("<13>Dec  2 15:00:01 host ")).hasMessageContaining("without MSG");
    }
}
