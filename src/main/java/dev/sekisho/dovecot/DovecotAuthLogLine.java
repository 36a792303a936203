package dev.sekisho.dovecot;

import dev.sekisho.engine.LoginAttempt;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;

import java.net.InetAddress;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The logins a Dovecot 2.3 log line records, as {@link LoginAttempt}s (source "dovecot-log"). Only the login
 * processes' lines count (imap-login, pop3-login, submission-login, managesieve-login):
 * <ul>
 *     <li>{@code Login: user=<u@example.test>, method=PLAIN, rip=198.51.100.9, lip=127.0.0.1, ...}: one success.</li>
 *     <li>{@code Disconnected (auth failed, 2 attempts in 4 secs): user=<u@example.test>, method=PLAIN, rip=...} and
 *     every other end of a connection that says "(auth failed, N attempts in S secs)" ("Aborted login ...",
 *     "Disconnected: Inactivity ...", "Disconnected: Connection closed: ..."): N failures for the last user
 *     named.</li>
 * </ul>
 * Why these and not the auth process's per-attempt lines ({@code auth: passwd-file(u,198.51.100.9,<s>): Password
 * mismatch}, {@code ...: unknown user}): the login processes log every connection by default, with the protocol,
 * whereas the auth lines appear only with {@code auth_verbose = yes}, name no protocol, and also cover SMTP AUTH
 * that Postfix asks Dovecot to check, which Postfix's own log already counts. Counting both would count one failed
 * attempt twice, so the auth lines are recognised and left alone. The price: failures followed by a success in the
 * same connection show only as the success, and several users tried in one connection show as the last one.
 * "(no auth attempts ...)" and "(tried to use disallowed plaintext auth)" are no password check and do not count.
 */
public final class DovecotAuthLogLine {
    public static final String SOURCE = "dovecot-log";

    private static final Pattern LOGIN_PROCESS = Pattern.compile("^([a-z0-9]+)-login$");
    private static final Pattern FAILED = Pattern.compile("\\(auth failed, (\\d+) attempts? in \\d+ secs?\\): (.*)$");
    private static final Pattern USER = Pattern.compile("(?:^|[ ,])user=<([^>]*)>");
    private static final Pattern REMOTE = Pattern.compile("(?:^|[ ,])rip=([0-9A-Fa-f.:]+)");
    /** A connection that failed more often than this is still counted as this many: a hostile line cannot flood the counters. */
    private static final int MAX_ATTEMPTS_PER_LINE = 100;

    private DovecotAuthLogLine() {
    }

    /**
     * The logins this line records; empty when it records none.
     *
     * @param program the process name as Dovecot's log_path writes it ("imap-login"), or "dovecot" for a line that
     *                came through syslog, whose message then starts with the process name ("imap-login: Login: ...")
     * @param message the rest of the line; a leading "Info: " (log_path's level) is skipped
     * @param at      the line's timestamp
     */
    public static List<LoginAttempt> parse(String program, String message, Instant at) {
        String process = program;
        String text = message;
        if (program.equals("dovecot")) {
            int colon = message.indexOf(": ");
            if (colon < 0) return List.of();
            process = message.substring(0, colon);
            text = message.substring(colon + 2);
        }
        Matcher login = LOGIN_PROCESS.matcher(process);
        if (!login.matches()) return List.of();
        String protocol = login.group(1);
        if (text.startsWith("Info: ")) text = text.substring("Info: ".length());

        if (text.startsWith("Login: ")) {
            return attempts(text, at, protocol, LoginAttempt.Result.SUCCESS, 1);
        }
        Matcher failed = FAILED.matcher(text);
        if (failed.find()) {
            String digits = failed.group(1);
            int count = digits.length() > 3 ? MAX_ATTEMPTS_PER_LINE : Math.min(Integer.parseInt(digits), MAX_ATTEMPTS_PER_LINE);
            return attempts(failed.group(2), at, protocol, LoginAttempt.Result.FAILURE, count);
        }
        return List.of();
    }

    private static List<LoginAttempt> attempts(String fields, Instant at, String protocol, LoginAttempt.Result result, int count) {
        Matcher remote = REMOTE.matcher(fields);
        if (count == 0 || !remote.find()) return List.of();
        IPAddress address = new IPAddressString(remote.group(1)).getAddress();
        if (address == null) return List.of();
        InetAddress inet = address.toInetAddress();
        Matcher user = USER.matcher(fields);
        String account = user.find() ? user.group(1) : "";
        return Collections.nCopies(count, new LoginAttempt(at, account, inet, protocol, result, "", SOURCE));
    }
}
