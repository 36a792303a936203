package dev.sekisho.logs;

import java.time.Instant;
import java.util.Objects;

/**
 * A log line with its header taken apart: what the adapters (postfix, dovecot) read, whether the line came from a
 * file or over syslog.
 *
 * @param timestamp when the line was logged, from its own timestamp (the year and zone filled in when it has none)
 * @param host      the host that logged it; "" when the format carries none (Dovecot's log_path)
 * @param program   the program or syslog tag/APP-NAME without the process id, e.g. "postfix/submission/smtpd",
 *                  "dovecot", "imap-login"
 * @param message   the rest of the line after "program[pid]: "
 */
public record LogEntry(Instant timestamp, String host, String program, String message) {
    public LogEntry {
        Objects.requireNonNull(timestamp, "timestamp");
        host = host == null ? "" : host;
        program = program == null ? "" : program;
        Objects.requireNonNull(message, "message");
    }
}
