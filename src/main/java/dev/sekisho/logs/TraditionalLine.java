package dev.sekisho.logs;

import java.time.Instant;
import java.time.ZoneId;

/**
 * A line of a log file in the shape syslogd and the mail servers' own loggers write:
 * <ul>
 *     <li>with a host, as syslogd and Postfix's postlogd (maillog_file) write:
 *     {@code Dec  2 06:00:01 mail postfix/submission/smtpd[123]: warning: ...}</li>
 *     <li>without one, as Dovecot's log_path is written: {@code Dec 02 06:00:01 imap-login: Info: Login: ...}</li>
 * </ul>
 * The timestamp may also be RFC 3339 (rsyslog's high-precision file format).
 */
public final class TraditionalLine {
    private TraditionalLine() {
    }

    public static LogEntry parse(LogLine line, boolean withHost, ZoneId zone) throws MalformedLineException {
        String text = line.text();
        LineTimestamp ts = LineTimestamp.parse(text, 0, line.received(), zone)
                .orElseThrow(() -> new MalformedLineException("no timestamp at the start of the line"));
        int i = skipSpaces(text, ts.end());
        String host = "";
        if (withHost) {
            int space = text.indexOf(' ', i);
            if (space < 0) throw new MalformedLineException("no host name after the timestamp");
            host = text.substring(i, space);
            i = skipSpaces(text, space);
        }
        int colon = text.indexOf(": ", i);
        if (colon < 0) {
            if (!text.endsWith(":")) throw new MalformedLineException("no \"program: \" after the " + (withHost ? "host" : "timestamp"));
            colon = text.length() - 1;
        }
        String program = withoutProcessId(text.substring(i, colon));
        String message = colon + 2 <= text.length() ? text.substring(colon + 2) : "";
        return new LogEntry(ts.at(), host, program, message);
    }

    /** "postfix/smtpd[123]" is program "postfix/smtpd"; "auth-worker(4321)" stays as it is. */
    static String withoutProcessId(String tag) {
        int bracket = tag.indexOf('[');
        return bracket > 0 && tag.endsWith("]") ? tag.substring(0, bracket) : tag;
    }

    private static int skipSpaces(String text, int i) {
        while (i < text.length() && text.charAt(i) == ' ') i++;
        return i;
    }
}
