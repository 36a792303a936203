package dev.sekisho.logs;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TraditionalLineTest {
    private static final Instant RECEIVED = Instant.parse("2026-12-02T06:00:05Z");

    @Test
    void postfixLineHasHostAndProgramWithoutPid() throws Exception {
        LogEntry e = TraditionalLine.parse(new LogLine("Dec  2 06:00:01 mail postfix/submission/smtpd[123]: warning: x", RECEIVED), true, ZoneOffset.UTC);
        assertThat(e).isEqualTo(new LogEntry(Instant.parse("2026-12-02T06:00:01Z"), "mail", "postfix/submission/smtpd", "warning: x"));
    }

    @Test
    void dovecotLogPathLineHasNoHost() throws Exception {
        LogEntry e = TraditionalLine.parse(new LogLine("Dec 02 06:00:01 imap-login: Info: Login: user=<u>", RECEIVED), false, ZoneOffset.UTC);
        assertThat(e.host()).isEmpty();
        assertThat(e.program()).isEqualTo("imap-login");
        assertThat(e.message()).isEqualTo("Info: Login: user=<u>");
    }

    @Test
    void linesWithoutTheShapeAreRefused() {
        assertThatThrownBy(() -> TraditionalLine.parse(new LogLine("garbage", RECEIVED), true, ZoneOffset.UTC))
                .isInstanceOf(MalformedLineException.class).hasMessageContaining("timestamp");
        assertThatThrownBy(() -> TraditionalLine.parse(new LogLine("Dec  2 06:00:01 mail", RECEIVED), true, ZoneOffset.UTC))
                .hasMessageContaining("host");
        assertThatThrownBy(() -> TraditionalLine.parse(new LogLine("Dec  2 06:00:01 mail no colon here", RECEIVED), true, ZoneOffset.UTC))
                .hasMessageContaining("program");
    }
}
