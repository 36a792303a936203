package dev.sekisho.postfix;

import dev.sekisho.engine.LoginAttempt;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;

import java.net.InetAddress;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SMTP AUTH outcome a Postfix smtpd log line records, as a {@link LoginAttempt} (source "postfix-log",
 * protocol "smtp"). Two lines count:
 * <ul>
 *     <li>Failure, logged by smtpd for every refused AUTH:
 *     {@code warning: unknown[203.0.113.7]: SASL PLAIN authentication failed: authentication failure, sasl_username=u@example.test}.
 *     The reason is what the SASL backend said; only reasons that mean "the credentials were checked and refused"
 *     count: Cyrus's and Dovecot's "authentication failure", Cyrus's "generic failure", and "UGFzc3dvcmQ6"
 *     (base64 "Password:": a LOGIN exchange refused after the password). Others (the auth server unreachable,
 *     a temporary failure, bad base64, an unknown mechanism, "VXNlcm5hbWU6": no password sent) are no password
 *     check and would punish users for the operator's outages. {@code sasl_username} is there when the backend
 *     names the login (Cyrus SASL, Postfix 3.x); without it the account is "".</li>
 *     <li>Success: {@code 4F1bCd2XyZz: client=unknown[203.0.113.7], sasl_method=PLAIN, sasl_username=u@example.test}.
 *     Postfix logs it once per message an authenticated client submits, not once per AUTH: a login that sends
 *     nothing is not seen, one that sends three messages is seen three times (harmless: a success only clears the
 *     account's failure count).</li>
 * </ul>
 * Cyrus's own line before the failure ({@code warning: SASL authentication failure: Password verification failed})
 * is not counted: it would count the same attempt twice, and it names no client.
 */
public final class PostfixSaslLogLine {
    public static final String SOURCE = "postfix-log";
    private static final String PROTOCOL = "smtp";

    // smtpd_sasl_glue.c: msg_warn("%s: SASL %s authentication failed: %s", state->namaddr, sasl_method, reason)
    private static final Pattern FAILURE = Pattern.compile(
            "^warning: [^\\[\\s]*\\[([^\\]]+)\\](?::\\d+)?: SASL (\\S+) authentication failed: (.*?)(?:, sasl_username=(.*))?$");
    // smtpd_sasl_proto.c, smtpd_sasl_mail_log: "client=%s, sasl_method=%s, sasl_username=%s[, sasl_sender=%s]"
    private static final Pattern SUCCESS = Pattern.compile(
            "^[0-9A-Za-z]+: client=[^\\[\\s]*\\[([^\\]]+)\\](?::\\d+)?, sasl_method=([^,]*), sasl_username=(.*?)(?:, sasl_sender=.*)?$");
    private static final Set<String> CREDENTIALS_REFUSED = Set.of("authentication failure", "generic failure", "UGFzc3dvcmQ6");

    private PostfixSaslLogLine() {
    }

    /**
     * The login attempt this line records, if it records one.
     *
     * @param program the syslog tag without the process id, e.g. "postfix/submission/smtpd"; only smtpd lines count
     * @param message the text after "program[pid]: "
     * @param at      the line's timestamp
     */
    public static Optional<LoginAttempt> parse(String program, String message, Instant at) {
        if (!isSmtpd(program)) return Optional.empty();
        Matcher failure = FAILURE.matcher(message);
        if (failure.matches()) {
            if (!CREDENTIALS_REFUSED.contains(failure.group(3))) return Optional.empty();
            String account = failure.group(4) == null ? "" : failure.group(4);
            return address(failure.group(1)).map(remote ->
                    new LoginAttempt(at, account, remote, PROTOCOL, LoginAttempt.Result.FAILURE, "", SOURCE));
        }
        Matcher success = SUCCESS.matcher(message);
        if (success.matches() && !success.group(3).isEmpty()) {
            return address(success.group(1)).map(remote ->
                    new LoginAttempt(at, success.group(3), remote, PROTOCOL, LoginAttempt.Result.SUCCESS, "", SOURCE));
        }
        return Optional.empty();
    }

    /** "postfix/smtpd", "postfix/submission/smtpd", "postfix-out/smtpd" (multi-instance syslog_name): the daemon is smtpd. */
    static boolean isSmtpd(String program) {
        return program.startsWith("postfix") && (program.endsWith("/smtpd"));
    }

    private static Optional<InetAddress> address(String text) {
        IPAddress address = new IPAddressString(text).getAddress();
        return address == null || address.isPrefixed() ? Optional.empty() : Optional.of(address.toInetAddress());
    }
}
